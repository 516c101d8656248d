/**
 * The model at run time: the generated JSON (npm run codegen) parsed once per process.
 * JSON.parse of the distilled model is much cheaper than parsing the 6 MB spec or a JS literal.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Model, ObjectSchema, Operation } from './types.ts';

const generatedDir = join(dirname(fileURLToPath(import.meta.url)), 'generated');

let cached: Model | undefined;

export function loadModel(): Model {
  if (cached) return cached;
  const path = join(generatedDir, 'model.json');
  if (!existsSync(path)) {
    throw new Error(`the model is missing (${path}): run npm run codegen (npm ci runs it through prepare)`);
  }
  const { $generated: _, ...model } = JSON.parse(readFileSync(path, 'utf8')) as Model & {
    $generated: string;
  };
  cached = model;
  return model;
}

let descriptions: Record<string, string> | undefined;

/** Stripe's descriptions, keyed `Type` or `Type.wire_field`; empty when not generated. */
export function loadDescriptions(): Record<string, string> {
  descriptions ??= readDescriptions();
  return descriptions;
}

/**
 * The descriptions read afresh, not kept by this module (1.7 MB of JSON): for a build that attaches
 * them once, on demand (src/schema/descriptions.ts), and lets the rest go.
 */
export function readDescriptions(): Record<string, string> {
  const path = join(generatedDir, 'descriptions.json');
  const read = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>) : {};
  delete read.$generated;
  return read;
}

/** The file the build writes the served schema's descriptions to (scripts/dump-descriptions.mjs). */
export const SCHEMA_DESCRIPTIONS_FILE = 'schema-descriptions.json';

/**
 * The descriptions of the schema built with `options`, by schema coordinate, as the build stored
 * them beside the generated model (dist/ only: `npm run build` writes them from the schema it just
 * compiled); undefined when there are none, or stored for other options.
 */
export function readSchemaDescriptions(
  options: Readonly<Record<string, unknown>>,
  dir = generatedDir,
): Record<string, string | null> | undefined {
  const path = join(dir, SCHEMA_DESCRIPTIONS_FILE);
  if (!existsSync(path)) return undefined;
  const stored = JSON.parse(readFileSync(path, 'utf8')) as {
    options: Record<string, unknown>;
    descriptions: Record<string, string | null>;
  };
  return JSON.stringify(stored.options) === JSON.stringify(options) ? stored.descriptions : undefined;
}

/** Resource object schemas (x-resourceId), live and deleted. */
export function resources(model: Model): ObjectSchema[] {
  return Object.values(model.objects).filter((o) => o.resource !== undefined);
}

export function operationsOf(model: Model, resource: string): Operation[] {
  return model.operations.filter((o) => o.resource === resource);
}
