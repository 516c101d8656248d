/**
 * What a client sees change between two printed schemas, as Markdown for CHANGELOG.md:
 * `npx tsx scripts/schema-changes.ts <old schema.graphql | git rev> [new schema.graphql]`
 * (a git revision reads that commit's schema.graphql; the new one defaults to the working tree's).
 *
 * A type is renamed where a field (or argument) that used it now uses another: the pairs are
 * grouped old → new with the fields where it happened. Then the types gone and the new ones, the
 * fields whose type changed otherwise (`String` → `ID`), fields and arguments gone or added, and
 * enum values renamed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import {
  buildSchema,
  type GraphQLNamedType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
} from 'graphql';

const read = (source: string): GraphQLSchema => {
  const text = existsSync(source)
    ? readFileSync(source, 'utf8')
    : execFileSync('git', ['show', `${source}:schema.graphql`], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return buildSchema(text);
};

/** `Type.field` and `Type.field(arg:)` → the type as printed (`[ID!]`). */
function slots(schema: GraphQLSchema): Map<string, string> {
  const out = new Map<string, string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        out.set(`${type.name}.${field.name}`, String(field.type));
        for (const arg of field.args) out.set(`${type.name}.${field.name}(${arg.name}:)`, String(arg.type));
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields()))
        out.set(`${type.name}.${field.name}`, String(field.type));
    }
  }
  return out;
}

const bare = (printed: string) => printed.replace(/[[\]!]/g, '');
const code = (s: string) => `\`${s}\``;
const list = (items: string[], max = 12) =>
  items.length <= max
    ? items.map(code).join(', ')
    : `${items.slice(0, max).map(code).join(', ')} and ${items.length - max} more`;

export function schemaChanges(before: GraphQLSchema, after: GraphQLSchema): string {
  const [a, b] = [slots(before), slots(after)];
  const named = (s: GraphQLSchema) =>
    new Map(
      Object.values(s.getTypeMap())
        .filter((t) => !t.name.startsWith('__'))
        .map((t) => [t.name, t] as const),
    );
  const [typesA, typesB] = [named(before), named(after)];
  const renames = new Map<string, string[]>();
  const retyped: string[] = [];
  for (const [slot, old] of a) {
    const now = b.get(slot);
    if (now === undefined || now === old) continue;
    const [from, to] = [bare(old), bare(now)];
    const scalar = (t: GraphQLNamedType | undefined) =>
      !t || (!isEnumType(t) && !isInputObjectType(t) && !isObjectType(t));
    if (from !== to && !scalar(typesA.get(from)) && !scalar(typesB.get(to))) {
      const key = `${from} → ${to}`;
      renames.set(key, [...(renames.get(key) ?? []), slot]);
    } else retyped.push(`${code(slot)}: ${code(old)} → ${code(now)}`);
  }
  const gone = [...typesA.keys()].filter((t) => !typesB.has(t)).sort();
  const added = [...typesB.keys()].filter((t) => !typesA.has(t)).sort();
  const fieldsGone = [...a.keys()].filter((s) => !b.has(s) && typesB.has(s.split('.')[0]!)).sort();
  const fieldsAdded = [...b.keys()].filter((s) => !a.has(s) && typesA.has(s.split('.')[0]!)).sort();
  const values: string[] = [];
  for (const [name, type] of typesA) {
    const now = typesB.get(name);
    if (!isEnumType(type) || !now || !isEnumType(now)) continue;
    const byValue = new Map(now.getValues().map((v) => [String(v.value), v.name]));
    for (const v of type.getValues()) {
      const renamed = byValue.get(v.name.replace(/^_(\d)/, 'V_$1'));
      if (renamed && renamed !== v.name && !now.getValue(v.name))
        values.push(`${code(`${name}.${v.name}`)} → ${code(renamed)}`);
    }
  }
  const lines: string[] = [];
  const section = (title: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push(`#### ${title} (${items.length})`, '', ...items.map((i) => `- ${i}`), '');
  };
  section(
    'Types renamed where a field uses them (old → new: where)',
    [...renames]
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .map(([pair, where]) => {
        const [from, to] = pair.split(' → ');
        return `${code(from!)} → ${code(to!)}: ${list(where, 6)}`;
      }),
  );
  section('Fields and arguments retyped', retyped.sort());
  // Each line says what it is, so that no line is a prefix of another (`X` beside `X` → `Y`).
  section(
    'Fields and arguments removed',
    fieldsGone.map((f) => `${code(f)} removed`),
  );
  section(
    'Fields and arguments added',
    fieldsAdded.map((f) => `${code(f)} added`),
  );
  section('Enum values renamed', values.sort());
  section(
    'Types removed',
    gone.map((t) => `${code(t)} removed`),
  );
  section(
    'Types added',
    added.map((t) => `${code(t)} added`),
  );
  return lines.join('\n');
}

const isMain = process.argv[1]?.endsWith('schema-changes.ts');
if (isMain) {
  const [oldSource, newSource = 'schema.graphql'] = process.argv.slice(2);
  if (!oldSource) {
    console.error(
      'usage: npx tsx scripts/schema-changes.ts <old schema.graphql | git rev> [new schema.graphql]',
    );
    process.exit(2);
  }
  process.stdout.write(`${schemaChanges(read(oldSource), read(newSource))}\n`);
}
