#!/usr/bin/env node
// Makes sure what the test suite needs beyond npm is on this machine, before vitest runs:
// a Chromium for the GraphiQL browser test (CHROMIUM_PATH, else /usr/bin/chromium, else Debian's
// `chromium` package installed with apt-get when we are root) and, for the scale-out tests,
// `redis-server` (REDIS_SERVER_PATH, else on PATH, else Debian's `redis-server`). Prints what it
// found; when something cannot be had it says so clearly and exits 1.
// apt-get installs without Recommends (chromium and redis-server need none to run here) and never
// upgrades what is installed: a simulated install comes first, and if it would upgrade any
// installed package (a newer perl, a newer libc) nothing is installed and the script says why.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const APT_FLAGS = ['-y', '-qq', '--no-install-recommends', '--no-upgrade'];

/**
 * The installed packages an `apt-get install -s` run would upgrade, from its output: a line
 * `Inst perl [5.36.0-7] (5.36.0-7+deb12u1 Debian:12.5/stable [amd64])` names an installed
 * version in brackets; a new package has none.
 */
export function upgradesIn(simulation) {
  const upgrades = [];
  for (const line of simulation.split('\n')) {
    const match = /^Inst (\S+) \[([^\]]+)\] \((\S+)/.exec(line);
    if (match) upgrades.push(`${match[1]} ${match[2]} -> ${match[3]}`);
  }
  return upgrades;
}

/** Installs `pkgs` with apt-get unless that would upgrade something installed; true when done. */
function aptInstall(pkgs) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  const simulation = execFileSync('apt-get', ['install', '-s', ...APT_FLAGS, ...pkgs], {
    encoding: 'utf8',
    env,
  });
  const upgrades = upgradesIn(simulation);
  if (upgrades.length > 0) {
    console.error(
      `test-prereqs: not installing ${pkgs.join(', ')}: apt-get would upgrade installed packages ` +
        `(${upgrades.join(', ')}). Install them yourself, or set the paths below.`,
    );
    return false;
  }
  console.log(`test-prereqs: installing ${pkgs.join(', ')} with apt-get (${APT_FLAGS.join(' ')})`);
  execFileSync('apt-get', ['install', ...APT_FLAGS, ...pkgs], { stdio: 'inherit', env });
  return true;
}

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

function main() {
  const missing = needs.filter((need) => !find(need));
  if (missing.length > 0) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
    const pkgs = missing.map((m) => m.pkg);
    if (isRoot && hasApt) {
      try {
        aptInstall(pkgs);
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
        `test-prereqs: ${need.name} not found. Install Debian's ${need.pkg} ` +
          `(apt-get install --no-install-recommends ${need.pkg}) or set ${need.env} to its path.`,
      );
    }
  }
  process.exit(ok ? 0 : 1);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
