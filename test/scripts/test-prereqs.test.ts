/** scripts/test-prereqs.mjs refuses an apt-get install that would upgrade installed packages. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ESM script without types
import { upgradesIn } from '../../scripts/test-prereqs.mjs';

describe('test-prereqs', () => {
  it('reads the upgrades out of a simulated apt-get install', () => {
    const simulation = [
      'NOTE: This is only a simulation!',
      'Inst perl-base [5.36.0-7] (5.36.0-7+deb12u1 Debian-Security:12/stable-security [amd64])',
      'Inst libjemalloc2 (5.3.0-1 Debian:12.5/stable [amd64])',
      'Inst redis-server (5:7.0.15-1~deb12u1 Debian:12.5/stable [amd64])',
      'Conf libjemalloc2 (5.3.0-1 Debian:12.5/stable [amd64])',
    ].join('\n');
    expect((upgradesIn as (text: string) => string[])(simulation)).toEqual([
      'perl-base 5.36.0-7 -> 5.36.0-7+deb12u1',
    ]);
    expect(
      (upgradesIn as (text: string) => string[])('Inst redis-server (5:7.0.15-1 Debian [amd64])'),
    ).toEqual([]);
  });

  it('finds what is installed and prints it', () => {
    const out = execFileSync(process.execPath, ['scripts/test-prereqs.mjs'], { encoding: 'utf8' });
    expect(out).toMatch(/test-prereqs: Redis: \//);
  });
});
