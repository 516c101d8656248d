/**
 * The generic handlers: one per route kind, interpreting the model (see `reads.ts` and
 * `writes.ts`); business rules plug in through the rule book's hooks.
 */
import type { Api } from './api.ts';
import type { Ctx } from './context.ts';
import type { JsonObject } from './json.ts';
import { Locator } from './locate.ts';
import { Reads } from './reads.ts';
import type { Result } from './result.ts';
import type { Match } from './router.ts';
import type { RuleBook } from './rules/types.ts';
import { Writes } from './writes.ts';

export class Handlers {
  /** the generic writes, for rules that create or change other objects (`ctx.ops`) */
  readonly writes: Writes;
  private readonly reads: Reads;
  private readonly locate: Locator;

  constructor(api: Api, rules: RuleBook) {
    this.locate = new Locator(rules);
    this.reads = new Reads(api, rules, this.locate);
    this.writes = new Writes(api, this.locate);
  }

  execute(ctx: Ctx, match: Match, params: JsonObject, path: string): Result {
    const { route, values } = match;
    switch (route.kind) {
      case 'retrieve':
        return this.reads.retrieve(ctx, route, values);
      case 'singleton': {
        const result = this.locate.singleton(
          ctx,
          route,
          this.locate.parents(ctx, route, values),
          params,
          true,
        );
        // A preview (`/v1/credit_notes/preview?invoice=`) refers to objects like the write it previews.
        if (result.kind === 'object') this.writes.checkReferences(ctx, result.schema, result.data, params);
        return result;
      }
      case 'list':
        return this.reads.list(ctx, route, values, params, path);
      case 'search':
        return this.reads.search(ctx, route, params, path);
      case 'create':
        return { kind: 'entry', entry: this.writes.create(ctx, route, values, params) };
      case 'update':
        return this.writes.update(ctx, route, values, params);
      case 'delete':
        return this.writes.delete(ctx, route, values, params);
      case 'action':
        return this.writes.action(ctx, route, values, params);
    }
  }
}
