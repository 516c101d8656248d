/**
 * Random, valid queries over the schema for the cost estimate's property test and its bench:
 * nested relations and references (up to four fetching levels), connections with and without
 * `first` (within and past the 10 items Stripe embeds), `edges`/`nodes`, named fragments (spread
 * once or twice), inline fragments on unions and interfaces, aliases, `node(id:)` and
 * `connectedAccount(id:)`. Deterministic for a seed.
 */
import {
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isLeafType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import type { Harness } from './harness.ts';

/** mulberry32: a small seeded generator. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Field = GraphQLField<unknown, unknown>;

const fetches = (field: Field) => Boolean(field.extensions?.stripePlan);
const requiredArgs = (field: Field) =>
  field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
const isConnection = (type: GraphQLNamedType): boolean =>
  isObjectType(type) && 'nodes' in type.getFields() && 'pageInfo' in type.getFields();

export interface RandomQueryOptions {
  /** ids of the demo data by GraphQL type (for by-id root fields, `node` and `connectedAccount`) */
  ids: ReadonlyMap<string, readonly string[]>;
  /** connected accounts to scope into */
  accounts: readonly string[];
}

class Generator {
  private fragments: string[] = [];
  private aliases = 0;
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly random: () => number,
    private readonly options: RandomQueryOptions,
  ) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  /** `first` for a connection: none (10), within the embedded page, or past it. */
  private connectionArgs(field: Field): string {
    if (!field.args.some((a) => a.name === 'first')) return '';
    const r = this.random();
    if (r < 0.35) return '';
    if (r < 0.8) return `(first: ${1 + Math.floor(this.random() * 10)})`;
    return `(first: ${11 + Math.floor(this.random() * 20)})`;
  }

  /** The selection under a value of `type`, `levels` fetching levels left. */
  selection(type: GraphQLNamedType, levels: number, plain = 0): string {
    if (isAbstractType(type)) {
      const members = this.schema.getPossibleTypes(type);
      const parts = ['__typename'];
      const chosen = new Set<GraphQLObjectType>();
      for (let i = 0; i < 1 + Math.floor(this.random() * 2); i++) chosen.add(this.pick(members));
      for (const member of chosen) {
        const inner = this.selection(member, levels, plain);
        if (inner) parts.push(`... on ${member.name} { ${inner} }`);
      }
      return parts.join(' ');
    }
    if (!isObjectType(type)) return '';
    if (isConnection(type)) return this.connectionSelection(type, levels);
    const fields = Object.values(type.getFields()).filter(
      (f) => !f.name.startsWith('_') && requiredArgs(f).length === 0,
    );
    const leaves = fields.filter((f) => isLeafType(getNamedType(f.type)));
    const fetching = fields.filter((f) => !isLeafType(getNamedType(f.type)) && fetches(f));
    const plainObjects = fields.filter((f) => !isLeafType(getNamedType(f.type)) && !fetches(f));
    const parts: string[] = [];
    for (let i = 0; i < 1 + Math.floor(this.random() * 2) && leaves.length > 0; i++)
      parts.push(this.pick(leaves).name);
    if (levels > 0 && fetching.length > 0) {
      const n = Math.floor(this.random() * 3);
      const used = new Set<string>();
      for (let i = 0; i < n; i++) {
        const field = this.pick(fetching);
        // A second pick of the same field is aliased: its arguments may differ.
        const alias = used.has(field.name) || this.chance(0.15) ? `a${this.aliases++}: ` : '';
        used.add(field.name);
        const text = this.field(field, levels - 1);
        if (text) parts.push(`${alias}${text}`);
      }
    }
    if (plain < 2 && plainObjects.length > 0 && this.chance(0.4)) {
      const field = this.pick(plainObjects);
      const inner = this.selection(getNamedType(field.type), levels, plain + 1);
      if (inner) parts.push(`${field.name} { ${inner} }`);
    }
    if (parts.length === 0) parts.push('__typename');
    const body = [...new Set(parts)].join(' ');
    if (this.chance(0.2)) {
      // A named fragment, spread once or twice.
      const name = `F${this.fragments.length}`;
      this.fragments.push(`fragment ${name} on ${type.name} { ${body} }`);
      return this.chance(0.3) ? `...${name} ...${name}` : `...${name}`;
    }
    return body;
  }

  private field(field: Field, levels: number): string {
    const type = getNamedType(field.type);
    const args = isConnection(type) ? this.connectionArgs(field) : '';
    const inner = this.selection(type, levels);
    return inner ? `${field.name}${args} { ${inner} }` : '';
  }

  private connectionSelection(type: GraphQLObjectType, levels: number): string {
    const item = getNamedType(type.getFields().nodes!.type);
    const inner = this.selection(item, levels);
    const parts: string[] = [];
    if (this.chance(0.7)) parts.push(`nodes { ${inner} }`);
    else parts.push(`edges { cursor node { ${inner} } }`);
    if (this.chance(0.3)) parts.push('pageInfo { hasNextPage }');
    return parts.join(' ');
  }

  /** A root selection: a list, a read by id, `node`, or either inside `connectedAccount`. */
  root(depth: number, query: GraphQLObjectType = this.schema.getQueryType()!): string {
    const fields = Object.values(query.getFields()).filter((f) => !f.name.startsWith('_'));
    const lists = fields.filter((f) => requiredArgs(f).length === 0 && isConnection(getNamedType(f.type)));
    const byId = fields.filter((f) => {
      const required = requiredArgs(f);
      const type = getNamedType(f.type);
      return (
        required.length === 1 &&
        required[0]!.name === 'id' &&
        isObjectType(type) &&
        this.options.ids.has(type.name)
      );
    });
    const r = this.random();
    const scope = query.getFields().connectedAccount;
    const scopeType = scope && getNamedType(scope.type);
    if (r < 0.08 && depth === 0 && isObjectType(scopeType) && this.options.accounts.length > 0) {
      return `connectedAccount(id: "${this.pick(this.options.accounts)}") { ${this.root(1, scopeType)} }`;
    }
    if (r < 0.2 && fields.some((f) => f.name === 'node')) {
      const typed = [...this.options.ids.entries()].filter(([name]) => {
        const type = this.schema.getType(name);
        return isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node');
      });
      if (typed.length > 0) {
        const [name, ids] = this.pick(typed);
        const inner = this.selection(this.schema.getType(name)!, 3);
        return `node(id: "${this.pick(ids)}") { __typename ... on ${name} { ${inner} } }`;
      }
    }
    if (r < 0.45 && byId.length > 0) {
      const field = this.pick(byId);
      const type = getNamedType(field.type);
      const id = this.pick(this.options.ids.get(type.name)!);
      return `${field.name}(id: "${id}") { ${this.selection(type, 3)} }`;
    }
    const field = this.pick(lists);
    return this.field(field, 4) || `${field.name} { nodes { __typename } }`;
  }

  document(): string {
    this.fragments = [];
    const roots = [this.root(0)];
    if (this.chance(0.25)) roots.push(`r${this.aliases++}: ${this.root(0)}`);
    return `query Random { ${roots.join(' ')} }\n${this.fragments.join('\n')}`;
  }
}

/** `count` random queries for `seed`. */
export function randomQueries(
  schema: GraphQLSchema,
  seed: number,
  count: number,
  options: RandomQueryOptions,
): string[] {
  const generator = new Generator(schema, seeded(seed), options);
  return Array.from({ length: count }, () => generator.document());
}

/** What a query was estimated to cost and what it made, as the emulator counted. */
export interface Measured {
  query: string;
  estimated: number;
  actual: number;
}

/** Runs each query through the gateway and pairs its estimate with the calls the emulator served. */
export async function measureEstimates(h: Harness, queries: readonly string[]): Promise<Measured[]> {
  const out: Measured[] = [];
  for (const query of queries) {
    h.upstreamCalls();
    const { body } = await h.query(query);
    const actual = h.upstreamCalls();
    const cost = body.extensions?.cost as { estimatedUpstreamCalls?: number } | undefined;
    if (typeof cost?.estimatedUpstreamCalls === 'number')
      out.push({ query, estimated: cost.estimatedUpstreamCalls, actual });
  }
  return out;
}

/** Ids of the demo data by type, for the generator: a page of a few list fields. */
export async function demoIds(h: Harness): Promise<Map<string, string[]>> {
  const ids = new Map<string, string[]>();
  const lists = ['customers', 'charges', 'transfers', 'accounts', 'subscriptions', 'invoices'];
  lists.push('products', 'prices', 'paymentIntents', 'refunds', 'applicationFees');
  for (const list of lists) {
    const { body } = await h.query(`{ ${list}(first: 3) { nodes { __typename id } } }`);
    const nodes = (body.data?.[list] as { nodes?: { __typename: string; id: string }[] } | undefined)?.nodes;
    for (const node of nodes ?? []) ids.set(node.__typename, [...(ids.get(node.__typename) ?? []), node.id]);
  }
  return ids;
}
