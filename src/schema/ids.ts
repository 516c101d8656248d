/**
 * Cache identity: no two different objects share a `(typename, id)`. Stripe's generated ids are
 * global, but a merchant may choose the id of a coupon, a plan or a product (their create takes
 * `id`), so the platform's `SUMMER25` and a connected account's `SUMMER25` are two objects: read as
 * a connected account, such an object's `id` is qualified by the account (`acct_1…/SUMMER25`), and
 * Stripe's own value stays in `stripeId`. `node(id:)` and `_entities` take the qualified form (and
 * read as its account); the other arguments take Stripe's id (`stripeId`), as Stripe does.
 */
import { type PrefixMatch, resourceForId } from '../spec/prefixes.ts';
import type { Model } from '../spec/types.ts';
import { ACCOUNT_ID } from './connect.ts';

const merchantChosen = new WeakMap<Model, ReadonlySet<string>>();

/** Resources whose create operation takes `id` (the merchant may choose it). */
export function isMerchantChosen(model: Model, schemaName: string): boolean {
  let names = merchantChosen.get(model);
  if (!names) {
    names = new Set(
      model.operations
        .filter((op) => op.kind === 'create' && op.resource && op.body.some((p) => p.name === 'id'))
        .map((op) => op.resource!),
    );
    merchantChosen.set(model, names);
  }
  return names.has(schemaName);
}

/** `acct_1…/SUMMER25` read as a connected account; Stripe's id as the platform. */
export function qualifyId(account: string | undefined, id: string): string {
  return account ? `${account}/${id}` : id;
}

/** The account and Stripe id of a qualified id; the id alone when it is not qualified. */
export function unqualifyId(id: string): { account?: string; id: string } {
  const slash = id.indexOf('/');
  if (slash < 0) return { id };
  const account = id.slice(0, slash);
  return ACCOUNT_ID.test(account) ? { account, id: id.slice(slash + 1) } : { id };
}

const capabilityNames = new WeakMap<Model, ReadonlySet<string>>();

/**
 * The resource an id names, for `node(id:)` and the per-object subscriptions (`customerUpdated`): by
 * its prefix, save a capability's. A capability's id is its name (`card_payments`, `link_payments`,
 * `tax_reporting_us_1099_k`), not a minted id, and some names begin with another resource's prefix
 * (`card_`, `link_`, `tax_`): such an id names a capability (the names are the keys of the
 * account's `capabilities` hash), never a card.
 */
export function resourceOfId(model: Model, id: string): PrefixMatch {
  let names = capabilityNames.get(model);
  if (!names) {
    const hash = model.objects.account?.props.find((p) => p.name === 'capabilities')?.type;
    const keys = hash?.k === 'object' ? model.objects[hash.name]?.props.map((p) => p.name) : undefined;
    names = new Set(keys ?? []);
    capabilityNames.set(model, names);
  }
  return names.has(id) && model.objects.capability
    ? { kind: 'match', resource: 'capability' }
    : resourceForId(id);
}
