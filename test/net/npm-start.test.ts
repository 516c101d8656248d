/**
 * `npm start` as a container runs it: SIGTERM to the npm process reaches the server, which drains
 * in-flight requests, says so, exits, and leaves nothing listening (no orphaned server).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../helpers.ts';
import { ROOT } from './cli.ts';

let child: ChildProcess | undefined;
afterEach(() => {
  if (child?.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
});

describe('npm start', () => {
  it('forwards SIGTERM to the server, which drains in-flight requests and exits', async () => {
    // Its own process group, so that afterEach can clean up whatever is left.
    child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', EMULATOR_LATENCY_MS: '800' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    const exited = new Promise<number | string | null>((resolve) =>
      child!.once('exit', (code, signal) => resolve(code ?? signal)),
    );
    const url = await until(() => out.match(/Stripe GraphQL gateway: (http:\/\/\S+\/graphql)/)?.[1], {
      what: 'the banner',
      timeoutMs: 60_000,
    });
    const origin = new URL(url).origin;

    const inFlight = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ customers(first: 1) { nodes { id } } }' }),
    });
    // The emulator answers after 800 ms: the signal lands while the request waits for it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGTERM');

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ data: { customers: { nodes: expect.any(Array) } } });
    expect(await exited).toBe(0);
    expect(out).toMatch(/"msg":"shutting down","signal":"SIGTERM"/);
    expect(out).toMatch(/"msg":"stopped","forced":false/);
    // Nothing is left serving on the port.
    await expect(fetch(`${origin}/healthz`)).rejects.toThrow();
  });
});
