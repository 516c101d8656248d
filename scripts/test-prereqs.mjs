#!/usr/bin/env node
// Makes sure what the test suite needs beyond npm is on this machine, before vitest runs:
// a Chromium for the GraphiQL browser test (CHROMIUM_PATH, else /usr/bin/chromium, else Debian's
// `chromium` package installed with apt-get when we are root) and, for the scale-out tests,
// `redis-server` (REDIS_SERVER_PATH, else on PATH, else Debian's `redis-server`). Prints what it
// found; when something cannot be had it says so clearly and exits 1.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needs = [
  {
    name: 'Chromium',
    env: 'CHROMIUM_PATH',
    paths: ['/usr/bin/chromium', '/usr/bin/chromium-browser'],
    pkg: 'chromium',
  },
  {
    name: 'Redis',
    env: 'REDIS_SERVER_PATH',
    paths: ['/usr/bin/redis-server', '/usr/local/bin/redis-server'],
    pkg: 'redis-server',
  },
];

const find = (need) => {
  const fromEnv = process.env[need.env];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  return need.paths.find((p) => existsSync(p));
};

const missing = needs.filter((need) => !find(need));
if (missing.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  const pkgs = missing.map((m) => m.pkg);
  if (isRoot && hasApt) {
    console.log(`test-prereqs: installing ${pkgs.join(', ')} with apt-get`);
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
      execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch (error) {
      console.error(`test-prereqs: apt-get install ${pkgs.join(' ')} failed: ${error.message}`);
    }
  }
}
let ok = true;
for (const need of needs) {
  const found = find(need);
  if (found) console.log(`test-prereqs: ${need.name}: ${found}`);
  else {
    ok = false;
    console.error(
      `test-prereqs: ${need.name} not found. Install Debian's ${need.pkg} (apt-get install ${need.pkg}) ` +
        `or set ${need.env} to its path.`,
    );
  }
}
process.exit(ok ? 0 : 1);
