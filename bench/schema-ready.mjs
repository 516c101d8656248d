/**
 * Child process of bench/schema.ts: builds the schema and prints, as JSON, the time from process
 * start (performance.timeOrigin) to schema ready, and the schema's size. `dist` builds it from the
 * compiled JavaScript (what `npm start` runs), `src` from the TypeScript (run it under tsx);
 * `--no-preview` builds it without the preview resources (STRIPE_PREVIEW_RESOURCES=off).
 */
import { isInputObjectType, isInterfaceType, isObjectType } from 'graphql';

const from = process.argv[2] === 'src' ? '../src/schema/index.ts' : '../dist/schema/index.js';
const { buildSchema } = await import(from);
const { schema } = buildSchema({ preview: !process.argv.includes('--no-preview') });
const readyMs = performance.now();
const types = Object.values(schema.getTypeMap()).filter((t) => !t.name.startsWith('__'));
let fields = 0;
for (const type of types) {
  if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))
    fields += Object.keys(type.getFields()).length;
}
const memory = process.memoryUsage();
console.log(
  JSON.stringify({
    readyMs,
    types: types.length,
    objects: types.filter(isObjectType).length,
    fields,
    rssMb: memory.rss / 2 ** 20,
    heapMb: memory.heapUsed / 2 ** 20,
  }),
);
