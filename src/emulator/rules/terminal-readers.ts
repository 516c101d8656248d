/**
 * Terminal readers and the server-driven integration, as Stripe's simulated readers run it.
 *
 * - A reader registered with a simulated code (`simulated-wpe`, `simulated-s700`, `simulated-m2`…)
 *   is that simulated device, `online`, with a serial number; any other code is refused (no
 *   physical reader can show the emulator one), and nothing is registered.
 * - `process_payment_intent` (of a PaymentIntent that takes `card_present`), `process_setup_intent`
 *   and `refund_payment` hand the reader an action `in_progress` (a busy reader refuses another,
 *   `terminal_reader_busy`); `set_reader_display` shows its cart at once (`succeeded`);
 *   `cancel_action` clears the action.
 * - The test helper `present_payment_method` is the customer's card on the reader (a test card
 *   number in `card_present[number]`, Visa by default): it confirms the PaymentIntent with a
 *   `card_present` payment method (held with manual capture, else succeeded), confirms the
 *   SetupIntent (its `generated_card` the card to reuse), or makes the refund. The action then
 *   `succeeded`, or `failed` with the decline's code and message.
 */
import type { Ctx } from '../engine/context.ts';
import { ErrorReply, invalidRequest } from '../engine/errors.ts';
import { isObject, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { cardForNumber } from '../money/tokens.ts';
import { createCardPaymentMethod } from './payment-sources.ts';

const READER = 'terminal.reader';

const SIMULATED: Readonly<Record<string, string>> = {
  'simulated-wpe': 'bbpos_wisepos_e',
  'simulated-s700': 'stripe_s700',
  'simulated-m2': 'stripe_m2',
  'simulated-wp3': 'bbpos_wisepad3',
};

/** The action a reader is busy with, if any. */
function inProgress(reader: Entry): JsonObject | undefined {
  const action = reader.data.action;
  return isObject(action) && action.status === 'in_progress' ? action : undefined;
}

/** Gives the reader a new action of `type`, unless it is busy with another. */
function startAction(
  ctx: Ctx,
  reader: Entry,
  type: string,
  details: JsonObject,
  status = 'in_progress',
): Entry {
  if (inProgress(reader))
    throw invalidRequest(
      `Reader ${reader.id} is busy processing another action. Cancel it (cancel_action) or wait for it to finish.`,
      { code: 'terminal_reader_busy' },
    );
  return ctx.set(reader, {
    action: { failure_code: null, failure_message: null, [type]: details, status, type },
  });
}

/** `process_config`, when given. */
const config = (params: JsonObject): JsonObject =>
  isObject(params.process_config) ? { process_config: params.process_config } : {};

/**
 * The card the customer presents, as Stripe stores a payment method for it (its test card
 * decides declines); refuses a number that is no test card.
 */
function presentedCard(ctx: Ctx, params: JsonObject): Entry {
  const given = isObject(params.card_present) ? params.card_present : {};
  const number = typeof given.number === 'string' ? given.number : '4242424242424242';
  const test = cardForNumber(number);
  if (!test) throw invalidRequest(`${number} is not a test card number.`, { param: 'card_present[number]' });
  // A card_present payment method already, as the PaymentIntent takes; its card's fields are read
  // to charge it until `asCardPresent` shapes them.
  return createCardPaymentMethod(ctx, test, { type: 'card_present' });
}

/** A card's fields as its `card_present` details show them. */
function presentFields(card: JsonObject): JsonObject {
  return {
    brand: card.brand ?? null,
    cardholder_name: null,
    country: card.country ?? null,
    exp_month: card.exp_month ?? 12,
    exp_year: card.exp_year ?? 2030,
    fingerprint: card.fingerprint ?? null,
    funding: card.funding ?? null,
    last4: card.last4 ?? null,
    read_method: 'contact_emv',
  };
}

/** The presented card as the `card_present` payment method it is, and its charge's details so. */
function asCardPresent(ctx: Ctx, method: Entry, charge: Entry | undefined): void {
  const { card, ...rest } = ctx.current(method).data;
  const fields = presentFields(isObject(card) ? card : {});
  ctx.scope.replace(ctx.current(method), {
    ...rest,
    card_present: ctx.sub('payment_method_card_present', {
      ...fields,
      networks: { available: [String(fields.brand)], preferred: null },
    }),
    type: 'card_present',
  });
  const details = charge && ctx.current(charge).data.payment_method_details;
  if (charge && isObject(details) && isObject(details.card))
    ctx.set(charge, {
      payment_method_details: {
        card_present: ctx.sub('payment_method_details_card_present', {
          ...fields,
          amount_authorized: ctx.current(charge).data.amount ?? null,
          network: details.card.network ?? fields.brand ?? null,
        }),
        type: 'card_present',
      },
    });
}

/** Runs a step of the action; a decline (Stripe's card error) fails the action rather than the request. */
function attempt(run: () => void): JsonObject {
  try {
    run();
    return { failure_code: null, failure_message: null, status: 'succeeded' };
  } catch (error) {
    if (!(error instanceof ErrorReply) || error.type !== 'card_error') throw error;
    return {
      failure_code: String(error.fields.code ?? 'card_declined'),
      failure_message: error.message,
      status: 'failed',
    };
  }
}

/** What presenting the card does for each kind of action. */
const PRESENT: Readonly<Record<string, (ctx: Ctx, action: JsonObject, params: JsonObject) => JsonObject>> = {
  process_payment_intent(ctx, action, params) {
    const details = isObject(action.process_payment_intent) ? action.process_payment_intent : {};
    const intent = ctx.require(String(details.payment_intent), ['payment_intent']);
    const method = presentedCard(ctx, params);
    const tip = typeof params.amount_tip === 'number' ? params.amount_tip : 0;
    if (tip > 0) ctx.set(intent, { amount: Number(intent.data.amount) + tip });
    const outcome = attempt(() => ctx.ops.runAction(ctx, intent, 'confirm', { payment_method: method.id }));
    const after = ctx.current(intent);
    const charge =
      typeof after.data.latest_charge === 'string'
        ? ctx.find(after.data.latest_charge, ['charge'])
        : undefined;
    asCardPresent(ctx, method, charge);
    return outcome;
  },
  process_setup_intent(ctx, action, params) {
    const details = isObject(action.process_setup_intent) ? action.process_setup_intent : {};
    const intent = ctx.require(String(details.setup_intent), ['setup_intent']);
    // The card saved from a card present is a `card` payment method: the generated card.
    const method = presentedCard(ctx, params);
    const outcome = attempt(() => ctx.ops.runAction(ctx, intent, 'confirm', { payment_method: method.id }));
    return outcome.status === 'succeeded'
      ? { ...outcome, process_setup_intent: { ...details, generated_card: method.id } }
      : outcome;
  },
  refund_payment(ctx, action) {
    const details = isObject(action.refund_payment) ? action.refund_payment : {};
    const params: JsonObject = {};
    for (const key of ['payment_intent', 'charge', 'amount', 'reason', 'metadata'])
      if (details[key] !== undefined) params[key] = details[key];
    const refund = ctx.ops.createResource(ctx, 'refund', params);
    return {
      failure_code: null,
      failure_message: null,
      refund_payment: { ...details, refund: refund.id },
      status: 'succeeded',
    };
  },
};

export const terminalReaderRules: RuleBook = {
  [READER]: {
    beforeCreate(ctx, draft, { params }) {
      const code = typeof params.registration_code === 'string' ? params.registration_code : '';
      const simulated = SIMULATED[code];
      if (!simulated)
        throw invalidRequest(
          `The registration code ${code} is not valid. In test mode, register a simulated reader with one of ${Object.keys(SIMULATED).join(', ')}.`,
          { param: 'registration_code' },
        );
      Object.assign(draft, {
        action: null,
        device_sw_version: '2.37.2.0',
        device_type: simulated,
        ip_address: '192.168.2.2',
        serial_number: `${simulated.toUpperCase().replaceAll('_', '-')}-SIMULATED-${ctx.random.string(6).toUpperCase()}`,
        status: 'online',
      });
    },
    actions: {
      process_payment_intent(ctx, reader, params) {
        const intent = ctx.require(String(params.payment_intent), ['payment_intent'], 'payment_intent', 400);
        const open = ['requires_payment_method', 'requires_confirmation'];
        if (!open.includes(String(intent.data.status)))
          throw invalidRequest(
            `PaymentIntent ${intent.id} has a status of ${String(intent.data.status)}: a reader processes only one in ${open.join(' or ')}.`,
            { code: 'payment_intent_unexpected_state', param: 'payment_intent' },
          );
        const types = Array.isArray(intent.data.payment_method_types) ? intent.data.payment_method_types : [];
        if (!types.some((type) => type === 'card_present' || type === 'interac_present'))
          throw invalidRequest(
            `PaymentIntent ${intent.id} cannot be processed on a reader: its payment_method_types must include card_present.`,
            { param: 'payment_intent' },
          );
        return startAction(ctx, reader, 'process_payment_intent', {
          payment_intent: intent.id,
          ...config(params),
        });
      },
      process_setup_intent(ctx, reader, params) {
        const intent = ctx.require(String(params.setup_intent), ['setup_intent'], 'setup_intent', 400);
        return startAction(ctx, reader, 'process_setup_intent', {
          setup_intent: intent.id,
          ...config(params),
        });
      },
      refund_payment(ctx, reader, params) {
        const details: JsonObject = {};
        for (const key of ['payment_intent', 'charge', 'amount', 'reason', 'metadata'])
          if (params[key] !== undefined) details[key] = params[key];
        if (details.payment_intent === undefined && details.charge === undefined)
          throw invalidRequest('Pass payment_intent or charge: the payment to refund.', {
            param: 'payment_intent',
          });
        return startAction(ctx, reader, 'refund_payment', details);
      },
      set_reader_display(ctx, reader, params) {
        const cart = isObject(params.cart) ? { tax: null, ...params.cart } : null;
        return startAction(ctx, reader, 'set_reader_display', { cart, type: 'cart' }, 'succeeded');
      },
      cancel_action(ctx, reader) {
        return ctx.set(reader, { action: null });
      },
      present_payment_method(ctx, reader, params) {
        const action = inProgress(reader);
        const present = action && PRESENT[String(action.type)];
        if (!action || !present)
          throw invalidRequest(
            `Reader ${reader.id} has no action waiting for a payment method: process a PaymentIntent, a SetupIntent or a refund first.`,
          );
        return ctx.set(reader, { action: { ...action, ...present(ctx, action, params) } });
      },
    },
  },
};
