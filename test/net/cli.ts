/**
 * Runs the gateway as `npm start` does, as a child process, and reads its output: scripts/start.mjs,
 * which runs dist/ (built by `npm test` before vitest; a start takes a second or two); when src/ is
 * newer than dist/ (vitest run by hand after an edit), src/server/main.ts under tsx instead (12-16 s
 * on a loaded 2-core machine), without the notice start.mjs would print first on stderr.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error a plain ESM script without types
import { isBuilt as isBuiltUntyped } from '../../scripts/entry.mjs';

/** Whether dist/ holds `entry` (e.g. `server/main`) built from the src/ beside it. */
export const isBuilt = isBuiltUntyped as (entry: string) => boolean;

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** resolves with the first match of `pattern` in stdout or stderr (where the banner goes) */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** resolves with the exit code (or the signal) */
  exited: Promise<number | NodeJS.Signals | null>;
}

export function startCli(env: NodeJS.ProcessEnv): Cli {
  const args = isBuilt('server/main') ? ['scripts/start.mjs'] : ['--import', 'tsx', 'src/server/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = setInterval(() => {
          const match = out.match(pattern) ?? err.match(pattern);
          if (match) {
            clearInterval(poll);
            resolve(match);
          } else if (child.exitCode !== null || Date.now() - started > timeoutMs) {
            clearInterval(poll);
            reject(new Error(`no ${pattern} in output:\n${out}\n${err}`));
          }
        }, 20);
      });
    },
  };
}

/**
 * The gateway's GraphQL URL as printed at start-up (on stderr). A start under tsx takes 12-16 s on
 * a 2-core machine under a load average of 20; several replicas starting at once take longer.
 */
export async function graphqlUrlOf(cli: Cli): Promise<string> {
  const match = await cli.waitFor(/Stripe GraphQL gateway: (http:\/\/\S+\/graphql)/, 90_000);
  return match[1]!;
}
