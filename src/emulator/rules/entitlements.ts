/**
 * Entitlements: a customer's active entitlements are the features attached to the products of their
 * live subscriptions (`POST /v1/products/{product}/features`). They are kept in step as
 * subscriptions start, change and end (rules/subscriptions.ts calls `syncEntitlements`), stored
 * under the customer and listed by `GET /v1/entitlements/active_entitlements?customer=`. A change
 * sends `entitlements.active_entitlement_summary.updated` with the customer's entitlements.
 */
import type { Ctx } from '../engine/context.ts';
import { emitEvent } from '../engine/events.ts';
import { isObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';

const ACTIVE = 'entitlements.active_entitlement';
/** Subscription statuses that entitle their customer. */
const LIVE = new Set(['active', 'trialing', 'past_due']);

/** Brings the customer's active entitlements in line with their live subscriptions' products. */
export function syncEntitlements(ctx: Ctx, customerId: string): void {
  const customer = ctx.find(customerId, ['customer']);
  if (!customer) return;
  const features = new Map<string, string>();
  for (const subscription of ctx.scope.referencing(customerId)) {
    if (subscription.resource !== 'subscription' || !LIVE.has(String(subscription.data.status))) continue;
    for (const item of ctx.children(subscription, ['subscription_item'])) {
      const product = isObject(item.data.price) ? item.data.price.product : undefined;
      const entry = typeof product === 'string' ? ctx.find(product, ['product']) : undefined;
      if (!entry) continue;
      for (const attached of ctx.children(entry, ['product_feature'])) {
        const feature = attached.data.entitlement_feature;
        if (isObject(feature) && typeof feature.id === 'string')
          features.set(feature.id, String(feature.lookup_key ?? ''));
      }
    }
  }
  const held = ctx.children(customer, [ACTIVE]);
  let changed = false;
  for (const entitlement of held) {
    if (features.has(String(entitlement.data.feature))) continue;
    ctx.ops.deleteEntry(ctx, entitlement);
    changed = true;
  }
  const kept = new Set(held.map((e) => String(e.data.feature)));
  for (const [feature, lookupKey] of features) {
    if (kept.has(feature)) continue;
    ctx.insert(ACTIVE, ctx.build(ACTIVE, { feature, lookup_key: lookupKey }), { parent: customer.id });
    changed = true;
  }
  if (!changed) return;
  // The summary object is not in the API version's spec; its shape is Stripe's.
  emitEvent(ctx, 'entitlements.active_entitlement_summary.updated', {
    object: 'entitlements.active_entitlement_summary',
    customer: customer.id,
    entitlements: {
      object: 'list',
      data: ctx.children(customer, [ACTIVE]).map((e) => e.data),
      has_more: false,
      url: `/v1/customer/${customer.id}/entitlements`,
    },
    livemode: false,
  });
}

/** A feature attached to or removed from a product: its subscribers' entitlements follow. */
function productChanged(ctx: Ctx, product: string | undefined): void {
  if (!product) return;
  const customers = new Set<string>();
  for (const item of ctx.scope.all('subscription_item'))
    if (isObject(item.data.price) && item.data.price.product === product)
      customers.add(String(ctx.find(String(item.data.subscription), ['subscription'])?.data.customer));
  for (const customer of customers) syncEntitlements(ctx, customer);
}

export const entitlementRules: RuleBook = {
  product_feature: {
    afterCreate: (ctx, entry) => productChanged(ctx, entry.parent),
    afterDelete: (ctx, entry) => productChanged(ctx, entry.parent),
  },
  [ACTIVE]: {
    listFilter(name, value) {
      return name === 'customer' && typeof value === 'string' ? (e) => e.parent === value : undefined;
    },
  },
};
