/**
 * Stripe's test cards, tokens and payment methods (docs.stripe.com/testing): numbers with their
 * brand, funding and country, the magic tokens (`tok_visa`) and payment methods (`pm_card_visa`)
 * that stand for them, and the documented declines with their error codes and messages.
 */
import { createHash } from 'node:crypto';

export interface Decline {
  /** the error's `code` */
  code: string;
  decline_code: string;
  message: string;
  /** the parameter Stripe blames, where it does */
  param?: string;
}

export interface TestCard {
  number: string;
  /** as the `card` object says it (`Visa`, `American Express`) */
  brand: string;
  /** as payment methods and charges say it (`visa`, `amex`) */
  network: string;
  funding: 'credit' | 'debit' | 'prepaid' | 'unknown';
  country: string;
  /** charging it fails with this */
  decline?: Decline;
  /** attaching it to a customer succeeds even though charges fail (`tok_chargeCustomerFail`) */
  attachable?: boolean;
  /** a successful charge is disputed at once (`tok_createDispute`): a chargeback, or an inquiry */
  dispute?: { reason: 'fraudulent' | 'product_not_received'; inquiry?: boolean };
  /** a successful charge gets the issuer's early fraud warning (`createIssuerFraudRecord`) */
  earlyFraudWarning?: boolean;
  /** a payment needs 3D Secure authentication first (`requires_action`) */
  threeDS?: boolean;
  /** needs 3D Secure only until it is set up (`authenticationRequiredOnSetup`): later payments do not */
  authenticatedBySetup?: boolean;
  /** Radar's risk evaluation: `elevated` opens a review, `highest` blocks the payment */
  risk?: 'elevated' | 'highest';
  /** a payment's funds are available at once, not pending (`bypassPending`) */
  bypassPending?: boolean;
  /** the issuer's address and CVC checks, where not the usual (CVC passes, no address to check) */
  checks?: Partial<CardChecks>;
}

type Check = 'pass' | 'fail' | 'unavailable' | 'unchecked' | null;

/** A card's verification checks, as payment methods and charges name them. */
export interface CardChecks {
  address_line1_check: Check;
  address_postal_code_check: Check;
  cvc_check: Check;
}

/** The checks of a card (a test card's own, else CVC passed and no address checked). */
export function cardChecks(test: TestCard | undefined): CardChecks {
  return { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass', ...test?.checks };
}

const declined = (decline_code: string, message = 'Your card was declined.'): Decline => ({
  code: 'card_declined',
  decline_code,
  message,
});

/** Declines whose `code` is the reason itself: a card past its expiry (a test card's, or any card's). */
export const EXPIRED: Decline = {
  code: 'expired_card',
  decline_code: 'expired_card',
  message: 'Your card has expired.',
  param: 'exp_month',
};
const INCORRECT_CVC: Decline = {
  code: 'incorrect_cvc',
  decline_code: 'incorrect_cvc',
  message: "Your card's security code is incorrect.",
  param: 'cvc',
};
const PROCESSING: Decline = {
  code: 'processing_error',
  decline_code: 'processing_error',
  message: 'An error occurred while processing your card. Try again in a little bit.',
};

const card = (
  number: string,
  brand: string,
  network: string,
  funding: TestCard['funding'],
  country = 'US',
  extra: Partial<TestCard> = {},
): TestCard => ({ number, brand, network, funding, country, ...extra });

/**
 * Declining cards that go by two names: the docs' `pm_card_visa_chargeDeclined…` and the older
 * `tok_chargeDeclined…` / `pm_card_chargeDeclined…`.
 */
const GENERIC_DECLINE = card('4000000000000002', 'Visa', 'visa', 'credit', 'US', {
  decline: declined('generic_decline'),
});
const INSUFFICIENT_FUNDS = card('4000000000009995', 'Visa', 'visa', 'credit', 'US', {
  decline: declined('insufficient_funds', 'Your card has insufficient funds.'),
});
const LOST_CARD = card('4000000000009987', 'Visa', 'visa', 'credit', 'US', {
  decline: declined('lost_card'),
});
const STOLEN_CARD = card('4000000000009979', 'Visa', 'visa', 'credit', 'US', {
  decline: declined('stolen_card'),
});
const VELOCITY_LIMIT = card('4000000000006975', 'Visa', 'visa', 'credit', 'US', {
  decline: declined('card_velocity_exceeded'),
});
/**
 * 4100000000000019, the "fraudulent" decline and Radar's "always blocked" card: Radar blocks it
 * at the highest risk level before the network sees it; the error says `fraudulent`.
 */
const RADAR_BLOCK = card('4100000000000019', 'Visa', 'visa', 'credit', 'US', {
  risk: 'highest',
  decline: declined('fraudulent'),
});

/** Test cards by magic-token suffix: `tok_<name>` and `pm_card_<name>`. */
export const TEST_CARDS: Readonly<Record<string, TestCard>> = {
  visa: card('4242424242424242', 'Visa', 'visa', 'credit'),
  visa_debit: card('4000056655665556', 'Visa', 'visa', 'debit'),
  mastercard: card('5555555555554444', 'MasterCard', 'mastercard', 'credit'),
  mastercard_debit: card('5200828282828210', 'MasterCard', 'mastercard', 'debit'),
  mastercard_prepaid: card('5105105105105100', 'MasterCard', 'mastercard', 'prepaid'),
  amex: card('371449635398431', 'American Express', 'amex', 'credit'),
  discover: card('6011111111111117', 'Discover', 'discover', 'credit'),
  diners: card('3056930009020004', 'Diners Club', 'diners', 'credit'),
  jcb: card('3566002020360505', 'JCB', 'jcb', 'credit', 'JP'),
  unionpay: card('6200000000000005', 'UnionPay', 'unionpay', 'credit', 'CN'),
  br: card('4000000760000002', 'Visa', 'visa', 'credit', 'BR'),
  ca: card('4000001240000000', 'Visa', 'visa', 'credit', 'CA'),
  de: card('4000002760000016', 'Visa', 'visa', 'credit', 'DE'),
  fr: card('4000002500000003', 'Visa', 'visa', 'credit', 'FR'),
  gb: card('4000008260000000', 'Visa', 'visa', 'credit', 'GB'),
  jp: card('4000003920000003', 'Visa', 'visa', 'credit', 'JP'),
  chargeDeclined: GENERIC_DECLINE,
  visa_chargeDeclined: GENERIC_DECLINE,
  chargeDeclinedInsufficientFunds: INSUFFICIENT_FUNDS,
  visa_chargeDeclinedInsufficientFunds: INSUFFICIENT_FUNDS,
  chargeDeclinedLostCard: LOST_CARD,
  visa_chargeDeclinedLostCard: LOST_CARD,
  chargeDeclinedStolenCard: STOLEN_CARD,
  visa_chargeDeclinedStolenCard: STOLEN_CARD,
  chargeDeclinedFraudulent: RADAR_BLOCK,
  chargeDeclinedExpiredCard: card('4000000000000069', 'Visa', 'visa', 'credit', 'US', { decline: EXPIRED }),
  chargeDeclinedIncorrectCvc: card('4000000000000127', 'Visa', 'visa', 'credit', 'US', {
    decline: INCORRECT_CVC,
  }),
  chargeDeclinedProcessingError: card('4000000000000119', 'Visa', 'visa', 'credit', 'US', {
    decline: PROCESSING,
  }),
  chargeDeclinedVelocityLimitExceeded: VELOCITY_LIMIT,
  visa_chargeDeclinedVelocityLimitExceeded: VELOCITY_LIMIT,
  chargeCustomerFail: card('4000000000000341', 'Visa', 'visa', 'credit', 'US', {
    decline: declined('generic_decline'),
    attachable: true,
  }),
  createDispute: card('4000000000000259', 'Visa', 'visa', 'credit', 'US', {
    dispute: { reason: 'fraudulent' },
  }),
  createDisputeProductNotReceived: card('4000000000002685', 'Visa', 'visa', 'credit', 'US', {
    dispute: { reason: 'product_not_received' },
  }),
  createDisputeInquiry: card('4000000000001976', 'Visa', 'visa', 'credit', 'US', {
    dispute: { reason: 'fraudulent', inquiry: true },
  }),
  createIssuerFraudRecord: card('4000000000005423', 'Visa', 'visa', 'credit', 'US', {
    earlyFraudWarning: true,
  }),
  threeDSecure2Required: card('4000000000003220', 'Visa', 'visa', 'credit', 'US', { threeDS: true }),
  threeDSecureRequired: card('4000000000003063', 'Visa', 'visa', 'credit', 'US', { threeDS: true }),
  authenticationRequired: card('4000002760003184', 'Visa', 'visa', 'credit', 'DE', { threeDS: true }),
  authenticationRequiredOnSetup: card('4000002500003155', 'Visa', 'visa', 'credit', 'FR', {
    threeDS: true,
    authenticatedBySetup: true,
  }),
  riskLevelElevated: card('4000000000009235', 'Visa', 'visa', 'credit', 'US', { risk: 'elevated' }),
  riskLevelHighest: card('4000000000004954', 'Visa', 'visa', 'credit', 'US', {
    risk: 'highest',
    decline: declined('fraudulent'),
  }),
  radarBlock: RADAR_BLOCK,
  bypassPending: card('4000000000000077', 'Visa', 'visa', 'credit', 'US', { bypassPending: true }),
  bypassPendingInternational: card('4000003720000278', 'Visa', 'visa', 'credit', 'IE', {
    bypassPending: true,
  }),
  // Radar's checks: with the default rules the payment still succeeds.
  cvcCheckFail: card('4000000000000101', 'Visa', 'visa', 'credit', 'US', { checks: { cvc_check: 'fail' } }),
  avsFail: card('4000000000000010', 'Visa', 'visa', 'credit', 'US', {
    checks: { address_line1_check: 'fail', address_postal_code_check: 'fail' },
  }),
  avsLine1Fail: card('4000000000000028', 'Visa', 'visa', 'credit', 'US', {
    checks: { address_line1_check: 'fail', address_postal_code_check: 'pass' },
  }),
  avsZipFail: card('4000000000000036', 'Visa', 'visa', 'credit', 'US', {
    checks: { address_line1_check: 'pass', address_postal_code_check: 'fail' },
  }),
  avsUnchecked: card('4000000000000044', 'Visa', 'visa', 'credit', 'US', {
    checks: { address_line1_check: 'unavailable', address_postal_code_check: 'unavailable' },
  }),
};

const BY_NUMBER = new Map<string, TestCard>();
for (const test of Object.values(TEST_CARDS))
  if (!BY_NUMBER.has(test.number)) BY_NUMBER.set(test.number, test);

export const INCORRECT_NUMBER: Decline = {
  code: 'incorrect_number',
  decline_code: 'incorrect_number',
  message: 'Your card number is incorrect.',
  param: 'number',
};

/** The fingerprint of a card number: stable, 16 characters, unique per number (as Stripe's are). */
export function fingerprintOf(number: string): string {
  return createHash('sha256')
    .update(`emulator:${number}`)
    .digest('base64url')
    .replace(/[-_]/g, '')
    .slice(0, 16);
}

const BY_FINGERPRINT = new Map<string, TestCard>();
for (const test of BY_NUMBER.values()) BY_FINGERPRINT.set(fingerprintOf(test.number), test);

/** The test card a stored card or payment method came from, by fingerprint. */
export function testCardByFingerprint(fingerprint: unknown): TestCard | undefined {
  return typeof fingerprint === 'string' ? BY_FINGERPRINT.get(fingerprint) : undefined;
}

/** Whether a card number passes the Luhn check. */
export function luhn(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** A card number's test card; any other valid number gets a brand from its prefix. Undefined when invalid. */
export function cardForNumber(raw: string): TestCard | undefined {
  const number = raw.replace(/[\s-]/g, '');
  const known = BY_NUMBER.get(number);
  if (known) return known;
  if (!/^\d{12,19}$/.test(number) || !luhn(number)) return undefined;
  if (number.startsWith('4')) return card(number, 'Visa', 'visa', 'credit');
  if (/^(5[1-5]|2[2-7])/.test(number)) return card(number, 'MasterCard', 'mastercard', 'credit');
  if (/^3[47]/.test(number)) return card(number, 'American Express', 'amex', 'credit');
  if (/^6(011|5)/.test(number)) return card(number, 'Discover', 'discover', 'credit');
  if (/^3(0|6|8)/.test(number)) return card(number, 'Diners Club', 'diners', 'credit');
  if (/^35/.test(number)) return card(number, 'JCB', 'jcb', 'credit');
  if (/^62/.test(number)) return card(number, 'UnionPay', 'unionpay', 'credit');
  return card(number, 'Unknown', 'unknown', 'unknown');
}

/** `tok_visa` → the Visa test card; undefined for other ids. */
export function cardForToken(id: string): TestCard | undefined {
  return id.startsWith('tok_') ? TEST_CARDS[id.slice(4)] : undefined;
}

/** `pm_card_visa` → the Visa test card; undefined for other ids. */
export function cardForPaymentMethod(id: string): TestCard | undefined {
  return id.startsWith('pm_card_') ? TEST_CARDS[id.slice(8)] : undefined;
}

export interface TestBankAccount {
  routing_number: string;
  last4: string;
  status: 'new' | 'verified';
  country: string;
  currency: string;
}

/** Magic bank-account tokens. */
export const TEST_BANK_TOKENS: Readonly<Record<string, TestBankAccount>> = {
  btok_us: { routing_number: '110000000', last4: '6789', status: 'new', country: 'US', currency: 'usd' },
  btok_us_verified: {
    routing_number: '110000000',
    last4: '6789',
    status: 'verified',
    country: 'US',
    currency: 'usd',
  },
};
