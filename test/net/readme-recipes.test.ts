/**
 * Every shell and JavaScript recipe in the README runs as written, from the repository's folder,
 * beside a fresh `npm start` on the emulator (the gateway a reader has running in another terminal).
 *
 * - ```` ```sh ```` runs with bash (`set -e`) to its end: it exits 0 and prints no GraphQL `errors`;
 * - ```` ```sh background ```` is started and left running while the next block runs, then must have
 *   printed an SSE `next` event (a subscription the next block's write makes fire);
 * - ```` ```js ```` is saved as a module in the repository's folder and run with node;
 * - ```` ```sh illustrative: <reason> ```` is not run, and must say why.
 * Port numbers in a recipe are the reader's: 4000 (and the emulator's 12111) are this `npm start`'s;
 * any other port a recipe names is mapped to a free one, so recipes run beside other tests. Each
 * block runs in its own process group, killed when it is done, with whatever it left behind.
 * (```graphql blocks run in test/server/readme.test.ts, the router query in test/net/federation.test.ts.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cli, graphqlUrlOf, ROOT, startCli } from './cli.ts';

interface Block {
  info: string;
  body: string;
  line: number;
}

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks: Block[] = [...README.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
  info: m[1]!.trim(),
  body: m[2]!,
  line: README.slice(0, m.index).split('\n').length,
}));
const runnable = blocks.filter((b) => /^(sh|js)\b/.test(b.info) && !b.info.includes('illustrative'));
/** Files the recipes write into the repository's folder (also in .gitignore). */
const LEFTOVERS = ['receipt.pdf', 'supergraph.graphql', 'try-emulator.mjs'];

let cli: Cli;
let gatewayPort: string;
let emulatorPort: string;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The recipe with this run's ports: the running gateway's for 4000 and 12111, free ones for others. */
async function withPorts(body: string): Promise<string> {
  const ports = new Map<string, string>([
    ['4000', gatewayPort],
    ['12111', emulatorPort],
  ]);
  for (const [literal] of body.matchAll(/\b(?:4\d{3}|12\d{3}|6379)\b/g)) {
    if (!ports.has(literal)) ports.set(literal, String(await freePort()));
  }
  return body.replace(/\b(?:4\d{3}|12\d{3}|6379)\b/g, (literal) => ports.get(literal)!);
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(command: string, args: string[]): Run {
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, NODE_ENV: '', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Ends the block's process group: what it started in the background goes with it. */
function stop(run: Run): void {
  try {
    process.kill(-run.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function finish(run: Run, timeoutMs: number): Promise<number | null> {
  const timer = setTimeout(() => stop(run), timeoutMs);
  const code = await run.exited;
  clearTimeout(timer);
  stop(run);
  return code;
}

beforeAll(async () => {
  emulatorPort = String(await freePort());
  cli = startCli({ LOG_LEVEL: 'warn', EMULATOR_PORT: emulatorPort });
  gatewayPort = new URL(await graphqlUrlOf(cli)).port;
  await cli.waitFor(/Stripe webhooks: POST/);
});

afterAll(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
  for (const file of LEFTOVERS) rmSync(join(ROOT, file), { force: true });
});

describe('README recipes', () => {
  it('says why a shell block is not run', () => {
    for (const block of blocks.filter((b) => /^sh\b/.test(b.info) && b.info.includes('illustrative'))) {
      expect(block.info, `README.md:${block.line}`).toMatch(/illustrative: \S.{10,}/);
    }
    expect(runnable.length).toBeGreaterThanOrEqual(8);
  });

  const eachRecipe = it.each(runnable.map((b, i) => [b.line, i] as const));
  // A shell block may run its own 150 s (the federation recipe starts three processes under tsx).
  eachRecipe('README.md:%i runs as written', { timeout: 180_000 }, async (_line, i) => {
    const block = runnable[i]!;
    if (block.info.includes('background')) return; // run with the block after it
    const previous = runnable[i - 1];
    const background = previous?.info.includes('background')
      ? start('bash', ['-c', await withPorts(previous.body)])
      : undefined;
    if (background) await new Promise((resolve) => setTimeout(resolve, 1000));

    const body = await withPorts(block.body);
    let run: Run;
    if (block.info.startsWith('js')) {
      const file = join(ROOT, `.readme-recipe-${block.line}.mjs`);
      writeFileSync(file, body);
      run = start(process.execPath, [file]);
      await finish(run, 60_000).finally(() => rmSync(file, { force: true }));
    } else {
      run = start('bash', ['-e', '-o', 'pipefail', '-c', body]);
      await finish(run, 150_000);
    }
    const code = run.child.exitCode;
    expect(code, `README.md:${block.line}\n${run.output()}`).toBe(0);
    expect(run.output(), `README.md:${block.line}`).not.toMatch(/"errors"\s*:/);

    if (background) {
      const deadline = Date.now() + 10_000;
      while (!/event: next/.test(background.output()) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      stop(background);
      expect(background.output(), `README.md:${previous!.line}`).toMatch(/event: next\ndata: \{"data"/);
    }
  });
});
