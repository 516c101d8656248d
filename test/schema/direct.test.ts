/**
 * The direct-answer program (src/schema/direct.ts) against graphql-js's executor on a small schema:
 * the same data where execution writes no error, and abandoned wherever execution would write one.
 */
import {
  execute,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  GraphQLUnionType,
  getOperationAST,
  type OperationDefinitionNode,
  parse,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { compileDirect, DirectAbandoned, MAX_DIRECT_FIELDS } from '../../src/schema/direct.ts';

const Odd = new GraphQLScalarType({
  name: 'Odd',
  // Null for an even number: graphql-js refuses a leaf serialised to null.
  serialize: (value) => (typeof value === 'number' && value % 2 === 1 ? value : null),
});

const Item = new GraphQLObjectType({
  name: 'Item',
  // Anything but a stranger is an item.
  isTypeOf: (value) => (value as { kind?: unknown }).kind !== 'stranger',
  fields: {
    name: { type: new GraphQLNonNull(GraphQLString) },
    size: {
      type: GraphQLInt,
      resolve: (item: { size?: number; odd?: number }) => Promise.resolve(item.size ?? null),
    },
    odd: { type: Odd, resolve: (item: { size?: number; odd?: number }) => item.odd },
  },
});

/** An interface and a union over two object types, told apart by `kind` (synchronously, or not). */
const Named = new GraphQLInterfaceType({
  name: 'Named',
  fields: { label: { type: GraphQLString } },
  resolveType: (value: { kind?: string }) =>
    value.kind === 'later'
      ? Promise.resolve('Dog')
      : value.kind === 'cat'
        ? 'Cat'
        : value.kind === 'dog'
          ? 'Dog'
          : value.kind,
});
const Cat = new GraphQLObjectType({
  name: 'Cat',
  interfaces: [Named],
  fields: { label: { type: GraphQLString }, lives: { type: GraphQLInt } },
});
const Dog = new GraphQLObjectType({
  name: 'Dog',
  interfaces: [Named],
  fields: {
    label: { type: GraphQLString },
    good: {
      type: new GraphQLNonNull(GraphQLString),
      resolve: (dog: { good?: string; friend?: unknown }) => dog.good,
    },
    friend: { type: Named, resolve: (dog: { good?: string; friend?: unknown }) => dog.friend },
  },
});
const Pet = new GraphQLUnionType({
  name: 'Pet',
  types: [Cat, Dog],
  resolveType: (value: { kind?: string }) =>
    value.kind === 'cat' ? 'Cat' : value.kind === 'dog' ? 'Dog' : value.kind,
});
const pets = [
  { kind: 'cat', label: 'Tom', lives: 9 },
  { kind: 'dog', label: 'Rex', good: 'yes', friend: { kind: 'cat', label: 'Kit', lives: 3 } },
];

const Query = new GraphQLObjectType({
  name: 'Query',
  fields: {
    named: { type: new GraphQLList(Named), resolve: () => pets },
    pets: { type: new GraphQLList(Pet), resolve: () => Promise.resolve(pets) },
    /** a value the union's resolveType names Item, which is no member of it */
    stray: { type: Pet, resolve: () => ({ kind: 'Item', name: 'x' }) },
    /** a value whose type is resolved asynchronously */
    later: { type: Named, resolve: () => ({ kind: 'later', label: 'Max', good: 'yes' }) },
    /** a dog without the field its type requires */
    bad: { type: Pet, resolve: () => ({ kind: 'dog', label: 'Odd' }) },
    items: {
      type: new GraphQLList(Item),
      args: { first: { type: GraphQLInt } },
      resolve: async (_root, args: { first?: number | null }) =>
        [
          { name: 'a', size: 1, odd: 1 },
          { name: 'b', odd: 3 },
          { name: 'c', size: 3 },
        ].slice(0, args.first ?? 3),
    },
    evens: { type: new GraphQLList(Item), resolve: () => [{ name: 'e', odd: 2 }] },
    strangers: { type: new GraphQLList(Item), resolve: () => [{ name: 'z', kind: 'stranger' }] },
    missing: { type: new GraphQLNonNull(GraphQLString), resolve: () => null },
    notAList: { type: new GraphQLList(GraphQLString), resolve: () => 'abc' },
    failing: { type: GraphQLString, resolve: () => Promise.reject(new Error('no')) },
    changing: {
      type: GraphQLString,
      args: { word: { type: GraphQLString } },
      resolve: (_root, args: { word: string }) => {
        args.word = `${args.word}!`;
        return args.word;
      },
    },
    greeting: { type: GraphQLString, resolve: () => 'hello' },
  },
});

const schema = new GraphQLSchema({ query: Query, types: [Cat, Dog] });

function compile(source: string, operationName?: string) {
  const document = parse(source);
  const operation = getOperationAST(document, operationName) as OperationDefinitionNode;
  return { document, program: compileDirect(schema, document, operation) };
}

async function answer(source: string, variables?: Record<string, unknown>): Promise<unknown> {
  const { program } = compile(source);
  if (!program) throw new Error('not compiled');
  return program.run({}, variables);
}

describe('direct answers', () => {
  it('answers as graphql-js does: order, aliases, promises, lists, __typename', async () => {
    const source = `{ greeting b: items(first: 2) { __typename size name odd } items { name } }`;
    const expected = await execute({ schema, document: parse(source) });
    expect(expected.errors).toBeUndefined();
    const data = await answer(source);
    expect(JSON.stringify(data)).toBe(JSON.stringify(expected.data));
  });

  it.each([
    ['a leaf serialised to null', '{ evens { odd } }'],
    ['a value its type says is not one of it', '{ strangers { name } }'],
    ['a null where the type forbids it', '{ missing }'],
    ['a list that is not an array', '{ notAList }'],
    ['a rejected resolver', '{ greeting failing }'],
  ])('abandons %s, where execution writes an error', async (_name, source) => {
    const expected = await execute({ schema, document: parse(source) });
    expect(expected.errors?.length).toBeGreaterThan(0);
    await expect(Promise.resolve().then(() => answer(source))).rejects.toBeInstanceOf(DirectAbandoned);
  });

  it('coerces the variables on each run, as graphql-js does', async () => {
    const source =
      'query ($n: Int, $word: String = "hey") { items(first: $n) { name } changing(word: $word) }';
    const { program } = compile(source);
    for (const variables of [{ n: 1 }, { n: 2, word: 'yo' }, {}]) {
      const expected = await execute({ schema, document: parse(source), variableValues: variables });
      expect(JSON.stringify(await program!.run({}, variables))).toBe(JSON.stringify(expected.data));
    }
  });

  it('takes variables coerced already for the request instead of coercing them again', async () => {
    const { program } = compile('query ($n: Int) { items(first: $n) { name } }');
    // (what was sent is not looked at again: the limits coerced it before the program runs)
    expect(await program!.run({}, { n: 'sent' }, { n: 1 })).toEqual({ items: [{ name: 'a' }] });
  });

  it('abandons a variable that does not coerce', async () => {
    const source = 'query ($n: Int) { items(first: $n) { name } }';
    const expected = await execute({ schema, document: parse(source), variableValues: { n: 'two' } });
    expect(expected.errors?.length).toBeGreaterThan(0);
    await expect(Promise.resolve().then(() => answer(source, { n: 'two' }))).rejects.toBeInstanceOf(
      DirectAbandoned,
    );
  });

  it('leaves a resolver that changes its arguments to execution, each run with the same arguments', async () => {
    const { program } = compile('{ changing(word: "hi") }');
    for (let run = 0; run < 2; run++) {
      await expect(Promise.resolve().then(() => program!.run({}))).rejects.toBeInstanceOf(DirectAbandoned);
    }
    expect((await execute({ schema, document: parse('{ changing(word: "hi") }') })).data).toEqual({
      changing: 'hi!',
    });
  });

  it('takes no document of more than MAX_DIRECT_FIELDS field nodes', () => {
    const fields = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `g${i}: greeting`).join(' ')} }`;
    expect(compile(fields(MAX_DIRECT_FIELDS)).program).toBeDefined();
    expect(compile(fields(MAX_DIRECT_FIELDS + 1)).program).toBeUndefined();
  });

  it.each([
    ['fragments', '{ items { ...F name } } fragment F on Item { name size ...G } fragment G on Item { odd }'],
    ['an inline fragment', '{ items { ... on Item { name } } }'],
    ['a field twice under one key, merged', '{ greeting greeting items { name } items { size } }'],
    [
      'an interface',
      '{ named { __typename label ... on Cat { lives } ... on Dog { good friend { label } } } }',
    ],
    [
      'a union, nested fragments',
      '{ pets { ... on Named { label } ...P } } fragment P on Pet { ... on Dog { good friend { ... on Cat { lives } } } }',
    ],
  ])('answers %s as graphql-js does', async (_name, source) => {
    const expected = await execute({ schema, document: parse(source) });
    expect(expected.errors).toBeUndefined();
    const { program } = compile(source);
    expect(program).toBeDefined();
    // Twice: the second run meets the types laid out in the first.
    for (let run = 0; run < 2; run++) {
      expect(JSON.stringify(await program!.run({}))).toBe(JSON.stringify(expected.data));
    }
  });

  it.each([
    ['a type resolved to one no member of the union', '{ stray { ... on Cat { label } } }'],
    ['a type resolved asynchronously', '{ later { label } }'],
    ['a member missing a required field', '{ bad { ... on Dog { good } } }'],
  ])('abandons %s', async (_name, source) => {
    const expected = await execute({ schema, document: parse(source) });
    const { program } = compile(source);
    expect(program).toBeDefined();
    if (expected.errors === undefined) {
      // (graphql-js resolves the type asynchronously; the program leaves that to the executor)
      expect(expected.data).toEqual({ later: { label: 'Max' } });
    }
    await expect(Promise.resolve().then(() => program!.run({}))).rejects.toBeInstanceOf(DirectAbandoned);
  });

  it.each([
    ['a directive', '{ greeting @include(if: true) }'],
    ['a directive in a fragment', '{ items { ...F } } fragment F on Item { name @skip(if: false) }'],
    ['introspection', '{ __schema { queryType { name } } }'],
    ['a mutation', 'mutation { greeting }'],
    ['two operations', 'query A { greeting } query B { greeting }'],
  ])('takes no document with %s', (_name, source) => {
    expect(compile(source, source.startsWith('query A') ? 'A' : undefined).program).toBeUndefined();
  });
});
