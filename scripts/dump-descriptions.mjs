#!/usr/bin/env node
/**
 * The last step of `npm run build`: the descriptions of the schema the gateway serves by default,
 * by schema coordinate, written beside the generated model in dist/ (`schema-descriptions.json`).
 * The gateway builds its schema without Stripe's prose and attaches it when introspection first
 * reads a description (src/schema/descriptions.ts): from this file, which the build made from the
 * code it compiled, instead of a second build of the whole schema at that moment. Not in git
 * (dist/ is not), like the rest of Stripe's prose.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const { buildSchema, storedOptions } = await import(join(dist, 'schema', 'index.js'));
const { descriptionsOf } = await import(join(dist, 'schema', 'descriptions.js'));
const { SCHEMA_DESCRIPTIONS_FILE } = await import(join(dist, 'spec', 'model.js'));

// The gateway's defaults (src/server/config.ts): preview resources, no type prefix, federation.
const options = {};
const { schema } = buildSchema({ ...options, descriptions: true });
writeFileSync(
  join(dist, 'spec', 'generated', SCHEMA_DESCRIPTIONS_FILE),
  JSON.stringify({ options: storedOptions(options), descriptions: descriptionsOf(schema) }),
);
