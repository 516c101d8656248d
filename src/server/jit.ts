/**
 * Queries and mutations run through graphql-jit (`@envelop/graphql-jit`): each document is
 * compiled once into a function (kept as long as the parsed document is, i.e. by Yoga's bounded
 * document cache) and executes with a fraction of graphql-js's CPU. Two kinds of document stay with
 * graphql-js, where graphql-jit would answer differently:
 *
 * - subscriptions (graphql-jit's subscribe misses events of a filtered stream), and
 * - documents with an object literal in an argument: graphql-jit parses a scalar's literal without
 *   the operation's variables, so a `JSON` literal holding a variable (`metadata: { plan: $plan }`)
 *   would lose it (and it complains on stderr about every such literal).
 */
import { useGraphQlJit } from '@envelop/graphql-jit';
import { BREAK, type DocumentNode, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';

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

export function useCompiledExecution(): Plugin {
  const compilable = new WeakMap<DocumentNode, boolean>();
  const jit = useGraphQlJit(
    {},
    {
      enableIf({ document }) {
        let yes = compilable.get(document);
        if (yes === undefined) {
          yes = !hasObjectLiteral(document);
          compilable.set(document, yes);
        }
        return yes;
      },
    },
  );
  // Only onExecute: subscriptions keep graphql-js's subscribe.
  return jit.onExecute ? { onExecute: jit.onExecute } : {};
}
