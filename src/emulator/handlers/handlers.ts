/**
 * The generic handlers: one per kind of operation as the model classifies it (see `reads.ts` and
 * `writes.ts`); business rules plug in through the rule book's hooks.
 */
import type { OperationKind } from '../../spec/types.ts';
import type { Api } from '../engine/api.ts';
import type { Ctx } from '../engine/context.ts';
import type { JsonObject } from '../engine/json.ts';
import type { Result } from '../engine/result.ts';
import type { Match } from '../engine/router.ts';
import type { Route } from '../engine/routes.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import { upcomingInvoice } from '../money/upcoming-invoice.ts';
import { Locator } from './locate.ts';
import { Reads } from './reads.ts';
import { Writes } from './writes.ts';

/** POST operations that answer a computed object without storing it. */
const PREVIEWS: Readonly<
  Record<string, { schema: string; compute: (ctx: Ctx, params: JsonObject) => JsonObject }>
> = {
  '/v1/invoices/create_preview': { schema: 'invoice', compute: upcomingInvoice },
};

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

  /** Runs the operation with the handler the model's classification picks (see `handlerOf`). */
  execute(ctx: Ctx, match: Match, params: JsonObject, path: string): Result {
    const { route, values } = match;
    switch (handlerOf(route)) {
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
      case 'make': {
        // Previews compute the object a write would make, and store nothing.
        const preview = PREVIEWS[route.op.path];
        if (preview) return { kind: 'object', data: preview.compute(ctx, params), schema: preview.schema };
        return { kind: 'entry', entry: this.writes.create(ctx, route, values, params) };
      }
      case 'create':
        return { kind: 'entry', entry: this.writes.create(ctx, route, values, params) };
      case 'update':
        return this.writes.update(ctx, route, values, params);
      case 'delete':
        return this.writes.delete(ctx, route, values);
      case 'cancel':
        return this.writes.cancel(ctx, route, values, params);
      case 'act':
        return this.writes.action(ctx, route, values, params);
    }
  }
}

/** The generic handlers, each serving exactly one kind of the model's operations. */
export const HANDLER_KINDS = {
  retrieve: 'retrieve',
  /** a path-addressed object (`GET /v1/balance`) */
  singleton: 'retrieve',
  list: 'list',
  search: 'search',
  create: 'create',
  update: 'update',
  delete: 'delete',
  /** a DELETE that answers with the live object (`DELETE /v1/subscriptions/{id}` cancels) */
  cancel: 'action',
  /** an action on its subject (`POST /v1/invoices/{invoice}/pay`) */
  act: 'action',
  /** an action without a subject makes a new object (`POST /v1/accounts/{account}/login_links`) */
  make: 'action',
} as const satisfies Record<string, OperationKind>;

export type HandlerName = keyof typeof HANDLER_KINDS;

/** The handler for a route: the model's kind, refined only by the model's `singleton` and `subject`. */
export function handlerOf(route: Route): HandlerName {
  const { op } = route;
  switch (op.kind) {
    case 'retrieve':
      return op.singleton ? 'singleton' : 'retrieve';
    case 'action':
      if (op.method === 'delete') return 'cancel';
      return op.subject ? 'act' : 'make';
    default:
      return op.kind;
  }
}
