/**
 * Events (`evt_…`) recorded for every change, as Stripe does: `<object>.created`, `.updated` (with
 * `previous_attributes`), `.deleted`, and the specific ones rules emit (`invoice.paid`). Listed at
 * `/v1/events` and, once the request commits, delivered to webhook endpoints (webhooks.ts).
 * `data.object` shares the stored (immutable) data.
 */
import type { Ctx } from './context.ts';
import type { Json, JsonObject } from './json.ts';

/** Changed top-level fields, with their values before the change. */
export function previousAttributes(before: JsonObject, after: JsonObject): JsonObject | undefined {
  const previous: JsonObject = {};
  let changed = false;
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const old = before[key];
    if (old !== after[key] && JSON.stringify(old) !== JSON.stringify(after[key])) {
      previous[key] = old === undefined ? null : (old as Json);
      changed = true;
    }
  }
  return changed ? previous : undefined;
}

export function emitEvent(ctx: Ctx, type: string, object: JsonObject, previous?: JsonObject): void {
  if (object.object === 'event') return;
  const data: JsonObject = { object };
  if (previous) data.previous_attributes = previous;
  const fields: JsonObject = {
    api_version: ctx.apiVersion,
    data,
    pending_webhooks: 0,
    request: { id: ctx.request?.id ?? null, idempotency_key: ctx.request?.idempotencyKey ?? null },
    type,
  };
  if (ctx.scope.account) fields.account = ctx.scope.account;
  ctx.events.push(ctx.insert('event', ctx.build('event', fields)).data);
}
