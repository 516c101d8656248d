/**
 * Where the model and API 2024-04-10 (the version the emulator serves) disagree on which properties
 * an object carries. The model comes from a spec published a little after 2024-04-10: it dropped
 * some deprecated properties that version still sends and added some it does not send yet. Checked
 * against stripe-node 15.3.0's declarations (test/emulator/shapes.test.ts).
 */
import type { Ctx } from '../engine/context.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import { findPrice, planOfPrice } from '../money/plans.ts';

/** A value, or how to derive it from the rest of the rendered object. */
export type Derived = Json | ((rendered: JsonObject, ctx: Ctx) => Json);

/** An item's price (embedded, or by id) in its plan form. */
const planOfItem = (item: JsonObject, ctx: Ctx): Json =>
  planOfPrice(typeof item.price === 'string' ? findPrice(ctx, item.price)?.data : item.price);

/** The id of an item's plan form (a schedule phase's item names its plan, expandable). */
const planIdOfItem = (item: JsonObject, ctx: Ctx): Json => {
  const plan = planOfItem(item, ctx);
  return isObject(plan) ? (plan.id ?? null) : null;
};

/** Properties 2024-04-10 always sends that the model lacks, with the value they have when unset
 * (the plan form of an item's price, or its id, where Stripe shows it). */
export const VERSION_EXTRA: Readonly<Record<string, Readonly<Record<string, Derived>>>> = {
  charge: { source: null },
  invoiceitem: { plan: planOfItem },
  line_item: { plan: planOfItem },
  payment_intent: { source: null },
  product: { type: 'service' },
  recurring: { trial_period_days: null },
  subscription_item: { plan: planOfItem },
  subscription_schedule_configuration_item: { plan: planIdOfItem },
};

/** Properties of the model that 2024-04-10 does not send: rendered only when something set them. */
export const VERSION_ABSENT: Readonly<Record<string, readonly string[]>> = {
  application_fee: ['fee_source'],
  // The mark of the Issuing balance's funding (money/ledger.ts), sent from later versions only.
  balance_transaction: ['balance_type'],
  payment_method_card: ['generated_from'],
  payout: ['application_fee', 'application_fee_amount'],
  'tax.calculation': ['ship_from_details'],
  'tax.transaction': ['ship_from_details'],
  'treasury.outbound_payment': ['tracking_details'],
  'treasury.outbound_transfer': ['tracking_details'],
};

/**
 * Stripe's API versions before the named releases (each date a version was published); from
 * 2024-09-30 versions carry their release's name (`2024-09-30.acacia`).
 */
const DATED_VERSIONS = new Set(
  (
    '2017-01-27 2017-02-14 2017-04-06 2017-05-25 2017-06-05 2017-08-15 2017-12-14 2018-01-23 ' +
    '2018-02-05 2018-02-06 2018-02-28 2018-05-21 2018-07-27 2018-08-23 2018-09-06 2018-09-24 ' +
    '2018-10-31 2018-11-08 2019-02-11 2019-02-19 2019-03-14 2019-05-16 2019-08-14 2019-09-09 ' +
    '2019-10-08 2019-10-17 2019-11-05 2019-12-03 2020-03-02 2020-08-27 2022-08-01 2022-11-15 ' +
    '2023-08-16 2023-10-16 2024-04-10 2024-06-20'
  ).split(' '),
);

const NAMED_VERSION = /^(\d{4})-(\d{2})-(\d{2})\.[a-z]+$/;

/**
 * Why a `Stripe-Version` header is refused, or undefined for the version served (2024-04-10):
 * a version Stripe does not have is refused with Stripe's message, one Stripe has (older, or a
 * later named release) clearly, since the emulator serves one version.
 */
export function refusedVersion(
  version: string,
  served: string,
): { message: string; code?: string } | undefined {
  const requested = version.split(';')[0]!.trim();
  if (requested === served) return undefined;
  const named = NAMED_VERSION.exec(requested);
  const known =
    DATED_VERSIONS.has(requested) ||
    (named !== null &&
      Number(named[2]) <= 12 &&
      Number(named[3]) <= 31 &&
      `${named[1]}-${named[2]}` >= '2024-09');
  if (!known) return { message: `Invalid Stripe API version: ${version}` };
  return {
    message: `The emulator serves Stripe API version ${served} only, and this request asked for ${requested}. Send Stripe-Version: ${served}, or no Stripe-Version header.`,
    code: 'api_version_unsupported',
  };
}
