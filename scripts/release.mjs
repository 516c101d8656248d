#!/usr/bin/env node
/**
 * Cuts a release: `node scripts/release.mjs <major|minor|patch> [--date YYYY-MM-DD]`.
 * Moves CHANGELOG.md's "Unreleased" entries under a heading for the next version (semver, from
 * package.json's), leaves an empty "Unreleased" above it, and writes the version to package.json
 * and package-lock.json. Then commit both and tag `v<version>` (it prints the commands). Refuses
 * an empty "Unreleased": a release says what changed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const UNRELEASED = '## [Unreleased]';

/** The version after `current` for a change of `level`. */
export function nextVersion(current, level) {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(current);
  if (!match) throw new Error(`package.json's version ${current} is not x.y.z`);
  const [major, minor, patch] = match.slice(1).map(Number);
  if (level === 'major') return `${major + 1}.0.0`;
  if (level === 'minor') return `${major}.${minor + 1}.0`;
  if (level === 'patch') return `${major}.${minor}.${patch + 1}`;
  throw new Error(`the release level must be major, minor or patch, got ${level}`);
}

/** CHANGELOG.md's text with "Unreleased" turned into `version`'s section, dated `date`. */
export function cutChangelog(text, version, date) {
  const start = text.indexOf(UNRELEASED);
  if (start === -1) throw new Error(`CHANGELOG.md has no "${UNRELEASED}" heading`);
  const bodyStart = start + UNRELEASED.length;
  const next = text.indexOf('\n## ', bodyStart);
  const body = text.slice(bodyStart, next === -1 ? undefined : next).trim();
  if (body === '') throw new Error('"Unreleased" is empty: write what changed first');
  const rest = next === -1 ? '' : text.slice(next + 1);
  return `${text.slice(0, start)}${UNRELEASED}\n\n## [${version}] - ${date}\n\n${body}\n${rest ? `\n${rest}` : ''}`;
}

export function release(root, level, date) {
  const pkgPath = join(root, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  const version = nextVersion(pkg.version, level);
  const changelogPath = join(root, 'CHANGELOG.md');
  writeFileSync(changelogPath, cutChangelog(readFileSync(changelogPath, 'utf8'), version, date));
  pkg.version = version;
  writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  const lockPath = join(root, 'package-lock.json');
  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  lock.version = version;
  if (lock.packages?.['']) lock.packages[''].version = version;
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  return version;
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const [level] = process.argv.slice(2);
  const at = process.argv.indexOf('--date');
  const date = at === -1 ? new Date().toISOString().slice(0, 10) : process.argv[at + 1];
  try {
    const version = release(join(import.meta.dirname, '..'), level, date);
    console.log(`release ${version}: now run`);
    console.log(`  git commit -am "Release ${version}" && git tag -a v${version} -m "Release ${version}"`);
  } catch (error) {
    console.error(`release: ${error.message}`);
    process.exit(1);
  }
}
