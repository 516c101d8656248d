/**
 * Validation results kept per parsed document. Yoga's own validation cache (in
 * `useParserAndValidationCache`) keys its results by the names of every validation rule, joined
 * into one string of some 500 characters that it builds and hashes on each request: 2–4 % of a
 * small query's CPU under load (bench/NOTES.md). This gateway's rules are the same on every
 * request (graphql-js's specified rules and the query limits' three, src/server/limits.ts), so the
 * result is keyed by the parsed document alone (Yoga's document cache hands out one AST per source,
 * so an entry lives as long as the document is cached). The number of rules is kept with each
 * result as a guard: a request validated with other rules is validated, not answered from the cache.
 *
 * Placed after the plugins that add rules; validation hooks after it (the precheck's
 * variable-dependent estimate, Yoga's HTTP status for validation errors) still run on every request.
 */
import type { DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

interface Entry {
  rules: number;
  result: readonly Error[];
}

export function useValidationCache(): Plugin {
  const results = new WeakMap<DocumentNode, Entry>();
  return {
    onValidate({ params: { documentAST, rules }, setResult }) {
      const count = rules?.length ?? 0;
      const cached = results.get(documentAST);
      if (cached !== undefined && cached.rules === count) {
        setResult(cached.result);
        return;
      }
      return ({ result }) => {
        results.set(documentAST, { rules: count, result });
      };
    },
  };
}
