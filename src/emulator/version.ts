/**
 * Where the model and API 2024-04-10 (the version the emulator serves) disagree on which properties
 * an object carries. The model comes from a spec published a little after 2024-04-10: it dropped
 * some deprecated properties that version still sends and added some it does not send yet. Checked
 * against stripe-node 15.3.0's declarations (test/emulator/shapes.test.ts).
 */
import type { Ctx } from './context.ts';
import type { Json, JsonObject } from './json.ts';
import { planOfPrice } from './plans.ts';

/** A value, or how to derive it from the rest of the rendered object. */
export type Derived = Json | ((rendered: JsonObject, ctx: Ctx) => Json);

/** An item's price (embedded, or by id) in its plan form. */
const planOfItem = (item: JsonObject, ctx: Ctx): Json =>
  planOfPrice(typeof item.price === 'string' ? ctx.find(item.price, ['price'])?.data : item.price);

/** Properties 2024-04-10 always sends that the model lacks, with the value they have when unset
 * (the plan form of an item's price, where Stripe shows it). */
export const VERSION_EXTRA: Readonly<Record<string, Readonly<Record<string, Derived>>>> = {
  charge: { source: null },
  invoiceitem: { plan: planOfItem },
  line_item: { plan: planOfItem },
  payment_intent: { source: null },
  product: { type: 'service' },
  recurring: { trial_period_days: null },
  subscription_item: { plan: planOfItem },
  subscription_schedule_configuration_item: { plan: planOfItem },
};

/** Properties of the model that 2024-04-10 does not send: rendered only when something set them. */
export const VERSION_ABSENT: Readonly<Record<string, readonly string[]>> = {
  application_fee: ['fee_source'],
  payment_method_card: ['generated_from'],
  payout: ['application_fee', 'application_fee_amount'],
  'tax.calculation': ['ship_from_details'],
  'tax.transaction': ['ship_from_details'],
  'treasury.outbound_payment': ['tracking_details'],
  'treasury.outbound_transfer': ['tracking_details'],
};
