/** The release rule: scripts/release.mjs moves "Unreleased" under the next semver version and bumps package.json. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ESM script without types
import { nextVersion } from '../../scripts/release.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const next = nextVersion as (current: string, level: string) => string;

describe('releases', () => {
  it('counts versions by semver', () => {
    expect(next('0.1.0', 'patch')).toBe('0.1.1');
    expect(next('0.1.3', 'minor')).toBe('0.2.0');
    expect(next('0.9.3', 'major')).toBe('1.0.0');
    expect(() => next('0.1.0', 'huge')).toThrow(/major, minor or patch/);
  });

  it('the changelog has an Unreleased section, and its newest release is package.json’s version', () => {
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(/^## \[Unreleased\]$/m);
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
      .version;
    const released = /^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$/m.exec(changelog)?.[1];
    // Before the first release there is no heading yet; after it, the newest is the package's version.
    if (released !== undefined) expect(released).toBe(version);
  });

  it('cuts a release: the changelog’s entries under the new version, which package.json takes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgg-release-'));
    try {
      mkdirSync(join(dir, 'scripts'));
      for (const file of ['package.json', 'package-lock.json', 'CHANGELOG.md', 'scripts/release.mjs'])
        copyFileSync(join(ROOT, file), join(dir, file));
      const before = readFileSync(join(dir, 'CHANGELOG.md'), 'utf8');
      const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string })
        .version;
      const expected = next(version, 'minor');
      const out = execFileSync(process.execPath, ['scripts/release.mjs', 'minor', '--date', '2026-12-03'], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(out).toContain(`git tag -a v${expected}`);
      const after = readFileSync(join(dir, 'CHANGELOG.md'), 'utf8');
      expect(after).toMatch(
        new RegExp(
          `## \\[Unreleased\\]\\n\\n## \\[${expected.replaceAll('.', '\\.')}\\] - 2026-12-03\\n\\n###`,
        ),
      );
      // Every entry is still there, once.
      const entries = before.split('\n').filter((line) => line.startsWith('- '));
      for (const entry of entries) expect(after.split(entry).length - 1).toBe(1);
      expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version).toBe(expected);
      const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
      expect([lock.version, lock.packages[''].version]).toEqual([expected, expected]);
      // Nothing new since: a second release is refused.
      expect(() =>
        execFileSync(process.execPath, ['scripts/release.mjs', 'patch'], { cwd: dir, stdio: 'pipe' }),
      ).toThrow(/Unreleased" is empty/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
