/**
 * Queries and mutations run through graphql-jit (`@envelop/graphql-jit`): each document is
 * compiled once into a function (kept as long as the parsed document is, i.e. by Yoga's bounded
 * document cache) and executes with a fraction of graphql-js's CPU. Three kinds of document stay
 * with graphql-js, where graphql-jit would answer differently or take too long:
 *
 * - subscriptions (graphql-jit's subscribe misses events of a filtered stream);
 * - documents with an object literal in an argument: graphql-jit parses a scalar's literal without
 *   the operation's variables, so a `JSON` literal holding a variable (`metadata: { plan: $plan }`)
 *   would lose it (and it complains on stderr about every such literal);
 * - documents whose selections, fragments spread out, hold more than MAX_COMPILED_FIELDS fields:
 *   graphql-jit inlines every spread, so fragments that spread each other twice over (2^n copies,
 *   see test/net/abuse.ts) would take it exponential time; graphql-js visits each fragment once.
 *
 * graphql-jit itself is pinned to 0.8.9 (package.json `overrides`): the 0.8.7 that
 * `@envelop/graphql-jit` asks for wrote a selection set's own fields before its fragments' and its
 * fragments last one first (`{ ...F email }` answered `email` first from the second run on), where
 * the spec's CollectFields, graphql-js and 0.8.9 keep the document's order (test/server/jit.test.ts).
 *
 * Deciding takes two walks over the document (its literals; its fields, each fragment counted
 * once). A document is compiled when it runs a second time, i.e. when Yoga's document cache handed
 * out the same AST again: a one-off document (or one too long to be cached) never pays for a
 * compilation.
 */
import { useGraphQlJit } from '@envelop/graphql-jit';
import {
  BREAK,
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  visit,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Most fields, fragments spread out, in a document that is compiled. */
export const MAX_COMPILED_FIELDS = 2_000;

function hasObjectLiteral(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    ObjectValue() {
      found = true;
      return BREAK;
    },
  });
  return found;
}

/** Fields in the document with every fragment spread out, counted up to `limit` + 1. */
function expandedFields(document: DocumentNode, limit: number): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const sizes = new Map<string, number>();
  const sizeOf = (set: SelectionSetNode | undefined, active: Set<string>): number => {
    let total = 0;
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) total += 1 + sizeOf(selection.selectionSet, active);
      else if (selection.kind === Kind.INLINE_FRAGMENT) total += sizeOf(selection.selectionSet, active);
      else {
        const name = selection.name.value;
        let size = sizes.get(name);
        if (size === undefined) {
          const fragment = fragments.get(name);
          // An unknown or cyclic spread: validation refuses the document before it executes.
          if (!fragment || active.has(name)) return limit + 1;
          active.add(name);
          size = sizeOf(fragment.selectionSet, active);
          active.delete(name);
          sizes.set(name, size);
        }
        total += size;
      }
      if (total > limit) return limit + 1;
    }
    return total;
  };
  let total = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) total += sizeOf(definition.selectionSet, new Set());
    if (total > limit) return limit + 1;
  }
  return total;
}

function compilable(document: DocumentNode): boolean {
  return !hasObjectLiteral(document) && expandedFields(document, MAX_COMPILED_FIELDS) <= MAX_COMPILED_FIELDS;
}

export function useCompiledExecution(): Plugin {
  // 'once' after its first run (by graphql-js); then whether it is compiled.
  const decided = new WeakMap<DocumentNode, boolean | 'once'>();
  const jit = useGraphQlJit(
    {},
    {
      enableIf({ document }) {
        const state = decided.get(document);
        if (state === undefined) {
          decided.set(document, 'once');
          return false;
        }
        if (state !== 'once') return state;
        const yes = compilable(document);
        decided.set(document, yes);
        return yes;
      },
    },
  );
  const compile = jit.onExecute;
  if (!compile) return {};
  // Only onExecute: subscriptions keep graphql-js's subscribe.
  return {
    onExecute(payload) {
      // (synchronous: enableIf above returns a boolean)
      compile(payload);
      const document = payload.args.document;
      if (decided.get(document) !== true) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (!('errors' in result) || !result.errors?.length) return;
          setResult({ ...result, errors: result.errors.map((error) => anchored(error, document)) });
        },
      };
    },
  };
}

/**
 * graphql-jit's errors carry `locations` but neither the AST nodes nor the source they come from,
 * and Yoga rebuilds every error from those when it writes the answer: the second run of a document
 * would answer without `locations`. The error is rebuilt on the document's source, at the offsets
 * of its locations, so that both runs answer alike.
 */
function anchored(error: GraphQLError, document: DocumentNode): GraphQLError {
  const source = document.loc?.source;
  if (error.nodes || error.source || !error.locations?.length || !source) return error;
  const starts = [0];
  for (const match of source.body.matchAll(/\r\n|[\n\r]/g)) starts.push(match.index + match[0].length);
  const positions = error.locations.map(({ line, column }) => (starts[line - 1] ?? 0) + column - 1);
  return new GraphQLError(error.message, {
    source,
    positions,
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    ...(error.extensions ? { extensions: error.extensions } : {}),
  });
}
