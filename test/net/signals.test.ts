/**
 * Process hygiene: `kill -TERM` of an npm script's PID (what a supervisor or `docker stop` sends)
 * leaves no process of the script behind and nothing listening; a shutdown with open subscriptions
 * completes them at once (SSE `event: complete`, graphql-ws `complete`) instead of waiting out
 * SHUTDOWN_TIMEOUT_MS.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { until } from '../helpers.ts';
import { type Cli, graphqlUrlOf, ROOT, startCli } from './cli.ts';

const groups: number[] = [];
const clis: Cli[] = [];
afterEach(async () => {
  for (const pid of groups.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
  for (const cli of clis.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill('SIGKILL');
      await cli.exited;
    }
  }
});

/** Live (not zombie) processes of a process group. */
function liveMembers(pgid: number): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,stat=,args=', '-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '' && !/^\s*\d+\s+Z/.test(line));
  } catch {
    return []; // ps exits 1 when the group is empty
  }
}

function npmRun(script: string, args: string[]): { child: ChildProcess; output: () => string } {
  // A process group of its own, as under a supervisor; the signal goes to npm's PID only.
  const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  groups.push(child.pid!);
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  return { child, output: () => out };
}

describe('kill -TERM of an npm script', () => {
  it.each([
    ['start', [], /Stripe GraphQL gateway: (http:\/\/[^/\s]+)/],
    ['emulator', ['--port', '0'], /Stripe emulator listening on (http:\/\/\S+)/],
    // The bench serves an emulator in its own process (and starts gateways in others).
    ['bench', ['compression'], /bench: (compression)/],
  ] as const)('npm run %s leaves no process and nothing listening', async (script, args, banner) => {
    const { child, output } = npmRun(script, [...args]);
    const exited = new Promise<number | string | null>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal)),
    );
    const origin = await until(() => output().match(banner)?.[1], {
      what: `${script}'s banner`,
      timeoutMs: 60_000,
    });
    const serves = origin.startsWith('http:');
    if (serves) expect((await fetch(`${origin}/v1/balance`)).status).toBeGreaterThan(0);
    expect(liveMembers(child.pid!).length).toBeGreaterThan(1);

    child.kill('SIGTERM');
    await exited;
    await until(() => liveMembers(child.pid!).length === 0, {
      what: 'the process group to empty',
      timeoutMs: 60_000,
    });
    if (serves) await expect(fetch(`${origin}/healthz`)).rejects.toThrow();
  });
});

describe('shutdown with open subscriptions', () => {
  it('completes SSE and WebSocket subscriptions at once', async () => {
    const cli = startCli({ LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '30000' });
    clis.push(cli);
    const url = await graphqlUrlOf(cli);
    const query = 'subscription { stripeEvents { id } }';

    const sse = await fetch(url, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    expect(sse.status).toBe(200);
    const sseBody = sse.text();

    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const messages: { type: string; id?: string }[] = [];
    let closedAfter = -1;
    socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8'))));
    const closed = new Promise<number>((resolve) =>
      socket.once('close', (code: number) => {
        closedAfter = messages.length;
        resolve(code);
      }),
    );
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await until(() => messages.some((m) => m.type === 'connection_ack'), {
      what: 'connection_ack',
      timeoutMs: 60_000,
    });
    socket.send(JSON.stringify({ type: 'subscribe', id: 'one', payload: { query } }));
    // Both subscriptions are running once the gateway has counted them as in flight.
    await new Promise((resolve) => setTimeout(resolve, 300));

    cli.child.kill('SIGTERM');
    const text = await sseBody;
    expect(text).toMatch(/event: complete\n/);
    expect(await closed).toBe(1001);
    expect(messages).toContainEqual({ type: 'complete', id: 'one' });
    // `complete` came before the close frame.
    expect(messages.findIndex((m) => m.type === 'complete')).toBeLessThan(closedAfter);
    expect(await cli.exited).toBe(0);
    // Not cut at the 30 s shutdown timeout (forced): the streams ended with the signal.
    expect(cli.stdout()).toMatch(/"msg":"stopped","forced":false/);
  });
});
