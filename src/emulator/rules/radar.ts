/**
 * Radar: the risk Stripe's test cards ask for (docs.stripe.com/radar/testing).
 *
 * - `riskLevelElevated` (`tok_riskLevelElevated`, `pm_card_riskLevelElevated`): the payment
 *   succeeds with `outcome.risk_level: elevated` and opens a review (`review.opened`) on the charge
 *   and its PaymentIntent;
 * - `riskLevelHighest`: Radar blocks the payment (`outcome.type: blocked`, `highest_risk_level`).
 * - `createIssuerFraudRecord`: the payment succeeds, then the issuer reports it as fraud: an
 *   early fraud warning (`radar.early_fraud_warning.created`), actionable while the charge is
 *   neither refunded nor disputed.
 * - `approve` closes an open review (`closed_reason: approved`, `review.closed`); a closed one
 *   cannot be approved again.
 * - A value list holds `string` items unless created with another item type; an item's value must
 *   be of its list's type (an IP address, an email address, a country code, a card BIN, a customer
 *   id); strings and fingerprints take anything.
 */
import { isIP } from 'node:net';
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import type { JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import type { Decline, TestCard } from '../money/tokens.ts';

/** `charge.outcome` fields for a test card's risk (and its decline, if any). */
export function riskOutcome(test: TestCard | undefined, decline: Decline | undefined): JsonObject {
  if (test?.risk === 'highest') {
    return {
      network_status: 'not_sent_to_network',
      reason: 'highest_risk_level',
      risk_level: 'highest',
      risk_score: 95,
      seller_message: 'Stripe blocked this payment as too risky.',
      type: 'blocked',
    };
  }
  if (test?.risk === 'elevated' && !decline) {
    return {
      network_status: 'approved_by_network',
      reason: 'elevated_risk_level',
      risk_level: 'elevated',
      risk_score: 74,
      seller_message:
        'Stripe evaluated this payment as having elevated risk, and placed it in your manual review queue.',
      type: 'manual_review',
    };
  }
  return {};
}

/** Opens a review on a charge Radar placed in review, and links it from the charge and its intent. */
export function openReview(ctx: Ctx, charge: Entry): Entry {
  const review = ctx.insert(
    'review',
    ctx.build('review', {
      billing_zip: null,
      charge: charge.id,
      closed_reason: null,
      ip_address: null,
      ip_address_location: null,
      open: true,
      opened_reason: 'rule',
      payment_intent: charge.data.payment_intent ?? null,
      reason: 'rule',
      session: null,
    }),
  );
  ctx.set(charge, { review: review.id });
  return review;
}

/** The issuer's early fraud warning on a charge, as a `createIssuerFraudRecord` card brings one. */
export function warnOfFraud(ctx: Ctx, charge: Entry): Entry {
  return ctx.insert(
    'radar.early_fraud_warning',
    ctx.build('radar.early_fraud_warning', {
      actionable: charge.data.refunded !== true && charge.data.disputed !== true,
      charge: charge.id,
      fraud_type: 'made_with_stolen_card',
      payment_intent: charge.data.payment_intent ?? null,
    }),
  );
}

/** What a value of each checked item type looks like. */
const ITEM_VALUES: Readonly<Record<string, { test(value: string): boolean; kind: string }>> = {
  ip_address: { test: (value) => isIP(value) !== 0, kind: 'an IP address' },
  email: { test: (value) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value), kind: 'an email address' },
  country: { test: (value) => /^[A-Z]{2}$/i.test(value), kind: 'a two-letter country code' },
  card_bin: { test: (value) => /^\d{6,8}$/.test(value), kind: 'a card BIN (6 to 8 digits)' },
  customer_id: { test: (value) => value.startsWith('cus_'), kind: 'a customer id' },
};

export const radarRules: RuleBook = {
  // A list made without an item type holds strings, the type Stripe keeps for unknown or mixed values.
  'radar.value_list': {
    beforeCreate(_ctx, draft, { params }) {
      if (params.item_type === undefined) draft.item_type = 'string';
    },
  },
  'radar.value_list_item': {
    beforeCreate(ctx, draft, { params }) {
      const list = ctx.require(String(params.value_list), ['radar.value_list'], 'value_list', 400);
      const type = String(list.data.item_type);
      const expected = ITEM_VALUES[type];
      const value = String(draft.value ?? '');
      if (expected && !expected.test(value))
        throw invalidRequest(`Value list ${list.id} holds ${type} items: ${value} is not ${expected.kind}.`, {
          param: 'value',
        });
    },
  },
  review: {
    actions: {
      approve(ctx, entry) {
        if (entry.data.open !== true)
          throw invalidRequest(`This review is already closed (${String(entry.data.closed_reason)}).`);
        return ctx.set(entry, { open: false, closed_reason: 'approved', reason: 'approved' });
      },
    },
  },
};
