/**
 * No request stops the process, and nothing expected is INTERNAL_SERVER_ERROR: a generated walk
 * (test/schema/walk.ts) sends every root field, every relation two levels deep under the list
 * fields, and every mutation (minimal valid input from its input types) to the gateway over the
 * emulator's demo data. Each document runs twice, by graphql-js and then compiled by graphql-jit
 * (src/server/jit.ts), and `/healthz` must answer after each. An error thrown where the compiled
 * code has no catch (a type resolver) would be an unhandled rejection, which vitest reports as a
 * failure, and would leave the request unanswered.
 */
import type { GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import { type GraphQLResponse, type Harness, startHarness } from '../server/harness.ts';
import {
  type IdBook,
  MISSING_ID,
  mutationDocuments,
  recordIds,
  relationDocuments,
  rootDocuments,
  type WalkDocument,
} from './walk.ts';

let h: Harness;
const book: IdBook = new Map();

beforeAll(async () => {
  // The walk's documents select much; the cost limit is not what it tests.
  h = await startHarness({
    LOG_LEVEL: 'error',
    QUERY_MAX_COST: '100000',
    QUERY_MAX_TOKENS: '1000000',
    QUERY_MAX_ALIASES: '100000',
    QUERY_MAX_DEPTH: '100',
    HTTP_MAX_BODY_BYTES: '5000000',
  });
});
afterAll(() => h.close());

interface Internal {
  label: string;
  path: unknown;
  logged: unknown;
}

/**
 * Sends a document twice (interpreted, then compiled), or once; records its INTERNAL errors and
 * checks health after each.
 */
async function twice(doc: WalkDocument, internals: Internal[], runs = 2): Promise<GraphQLResponse[]> {
  const answers: GraphQLResponse[] = [];
  for (let run = 0; run < runs; run++) {
    const logsBefore = h.logs.length;
    const answer = await h.query(doc.query, { variables: doc.variables });
    answers.push(answer);
    recordIds(book, answer.body.data);
    for (const error of answer.body.errors ?? []) {
      if (error.extensions?.code !== 'INTERNAL_SERVER_ERROR') continue;
      const reference = error.extensions.reference;
      const logged = h.logs.slice(logsBefore).find((l) => JSON.stringify(l).includes(String(reference)));
      internals.push({
        label: `${doc.label} (run ${run + 1})`,
        path: error.path,
        logged: logged?.error ?? logged,
      });
    }
    const health = await h.fetch('/healthz');
    expect(health.status, `/healthz after ${doc.label}`).toBe(200);
  }
  return answers;
}

/**
 * The documents expected to answer no data, by reason; every other document must answer. Besides
 * these, a document naming an id of a type the demo data has none of (`MISSING_ID`) is expected
 * to fail (NOT_FOUND, or Stripe's "No such …"). A document that starts answering leaves its list.
 */
const REASONS = {
  required: 'Stripe requires a parameter the spec marks optional; the minimal input leaves it out',
  search: "the walk's placeholder string is no search query",
  placeholder:
    "the walk's minimal values (the number 1, the placeholder string) are below Stripe's minimum amount, or no email address or reader registration code",
  state: 'Stripe refuses the object in the state the demo data or an earlier document left it',
  otherType: 'the id argument names a card, and the first card the walk read is not an issuing card',
  upload: 'the walk sends no file',
  notFound:
    'the first id the walk read for the type is not found where the document looks: a `py_` charge, an id read under another parent',
  tooLarge: 'two levels of Account under a page of invoices or intents exceeds the answer-size limit',
};
type Reason = keyof typeof REASONS;
const REFUSED: Record<'root' | 'relations' | 'mutations', Partial<Record<Reason, string[]>>> = {
  root: {
    notFound: ['charge', 'discount', 'transferReversal'],
    required: ['upcomingInvoice', 'invoicesUpcomingLines', 'appsSecret', 'appsSecrets'],
    search: [
      'searchCharges',
      'searchCustomers',
      'searchInvoices',
      'searchPaymentIntents',
      'searchPrices',
      'searchProducts',
      'searchSubscriptions',
    ],
  },
  relations: {
    tooLarge: [
      'invoices.account',
      'invoices.onBehalfOf',
      'paymentIntents.onBehalfOf',
      'setupIntents.onBehalfOf',
    ],
    required: [
      'discount',
      'discounts',
      'invoice',
      'invoiceItem',
      'product',
      'meter',
      'subscriptions',
      'subscription',
      'subscriptionItem',
      'taxRate',
    ].map((relation) => `invoicesUpcomingLines.${relation}`),
  },
  mutations: {
    notFound: [
      'updateCharge',
      'captureCharge',
      'updateChargeDispute',
      'closeChargeDispute',
      'refundCharge',
      'createChargeRefund',
      'updateChargeRefund',
      'deleteCustomerDiscount',
      'updateCustomerSubscription',
      'cancelCustomerSubscription',
      'updateInvoiceLine',
      'cancelSubscription',
      'deliverIssuingCardShipping',
      'failIssuingCardShipping',
      'returnIssuingCardShipping',
      'shipIssuingCardShipping',
      'updateTransferReversal',
      // The first payment method the walk reads is a customer's card (its renewal paid with it).
      'createForwardingRequest',
    ],
    required: [
      'createPlan',
      'createPrice',
      'createAccountSession',
      'createAccountBankAccount',
      'createAccountExternalAccount',
      'createBillingMeterEvent',
      'createBillingPortalConfiguration',
      'createCharge',
      'createCoupon',
      'createCustomerSession',
      'createCustomerBankAccount',
      'createCustomerCard',
      'createCustomerSource',
      'createCustomerSubscription',
      'createInvoiceitem',
      'createInvoice',
      'createPreviewInvoice',
      'createPaymentMethod',
      'createRefund',
      'createSubscription',
      'createTaxRegistration',
      // A reader refunds a payment it is told of (payment_intent or charge).
      'refundPaymentTerminalReader',
      // A tax calculation needs the customer's address.
      'createTaxCalculation',
      'rejectIssuingPersonalizationDesign',
      'createToken',
    ],
    state: [
      'createAccountLoginLink',
      'refundApplicationFee',
      'createApplicationFeeRefund',
      'createClimateOrder',
      'cancelClimateOrder',
      // The first Checkout Session the walk reads is the demo's completed one: only an open one expires.
      'expireCheckoutSession',
      'createCreditNote',
      'voidCreditNote',
      // Its first run closes (loses) the demo's dispute; the second finds it closed.
      'closeDispute',
      'cancelIdentityVerificationSession',
      'finalizeInvoice',
      'markUncollectibleInvoice',
      'payInvoice',
      'sendInvoice',
      'voidInvoice',
      'declineIssuingAuthorization',
      'submitIssuingDispute',
      'cancelPaymentIntent',
      'capturePaymentIntent',
      'confirmPaymentIntent',
      // Only a held (requires_capture) intent's authorization can be raised.
      'incrementAuthorizationPaymentIntent',
      // Only an intent whose bank account awaits its microdeposits can verify them.
      'verifyMicrodepositsPaymentIntent',
      'verifyMicrodepositsSetupIntent',
      'cancelPayout',
      'acceptQuote',
      'cancelQuote',
      'finalizeQuote',
      'cancelRefund',
      'approveReview',
      'cancelSetupIntent',
      'confirmSetupIntent',
      'cancelSubscriptionSchedule',
      'releaseSubscriptionSchedule',
      'resumeSubscription',
      'cancelTerminalHardwareOrder',
      'captureIssuingAuthorization',
      'expireIssuingAuthorization',
      'reverseIssuingAuthorization',
      // Only a pending authorization is raised, and the first the walk reads is captured.
      'incrementIssuingAuthorization',
      'deliverTerminalHardwareOrder',
      'markReadyToShipTerminalHardwareOrder',
      'markUndeliverableTerminalHardwareOrder',
      'shipTerminalHardwareOrder',
      // The demo's PaymentIntent has succeeded, and a reader given an action is busy with it until a
      // card is presented (the walk's presents it for a SetupIntent it already confirmed).
      'processPaymentIntentTerminalReader',
      'processSetupIntentTerminalReader',
      'setReaderDisplayTerminalReader',
      'presentPaymentMethodTerminalReader',
      // The demo's top-up has succeeded: only a pending one can be canceled.
      'cancelTopup',
      'advanceTestClock',
      'failTreasuryInboundTransfer',
      'succeedTreasuryInboundTransfer',
      // Its first run returns the demo's inbound transfer; the second finds it returned.
      'returnTreasuryInboundTransfer',
      'failTreasuryOutboundPayment',
      'postTreasuryOutboundPayment',
      'returnTreasuryOutboundPayment',
      'failTreasuryOutboundTransfer',
      'postTreasuryOutboundTransfer',
      'returnTreasuryOutboundTransfer',
      'createTransferReversal',
      'cancelTreasuryInboundTransfer',
      'cancelTreasuryOutboundPayment',
      'cancelTreasuryOutboundTransfer',
    ],
    placeholder: [
      'createPaymentIntent',
      'createTerminalHardwareOrder',
      'createTerminalReader',
      'createTransfer',
    ],
    upload: ['createFile'],
    otherType: [
      'createIssuingAuthorization',
      'createForceCaptureIssuingTransaction',
      'createUnlinkedRefundIssuingTransaction',
    ],
  },
};

/**
 * The documents whose answer differs from the expectation: a refusal not listed in `refused` (nor
 * naming a missing id), or a listed one that now answers data.
 */
function surprises(
  docs: WalkDocument[],
  answers: GraphQLResponse[][],
  refused: Partial<Record<Reason, string[]>>,
  name = (label: string) => label,
): { refused: string[]; answered: string[] } {
  const listed = new Set(Object.values(refused).flat());
  const out = { refused: [] as string[], answered: [] as string[] };
  docs.forEach((doc, i) => {
    const body = answers[i]?.at(-1)?.body;
    const answered = Object.values(body?.data ?? {}).some((v) => v != null);
    const expected = !listed.has(name(doc.label)) && !JSON.stringify(doc.variables).includes(MISSING_ID);
    if (answered && listed.has(name(doc.label))) out.answered.push(doc.label);
    if (!answered && expected) {
      const errors = (body?.errors ?? []).map((e) => `${String(e.extensions?.code)}: ${e.message}`);
      out.refused.push(`${doc.label} (${errors.join('; ')})`);
    }
  });
  return out;
}

/** A root type's field names, sorted, without the federation fields (`_entities`, `_service`). */
function fieldsOf(root: GraphQLObjectType): string[] {
  return Object.keys(root.getFields())
    .filter((f) => !f.startsWith('_'))
    .sort();
}

function report(internals: Internal[]): string {
  return internals.map((i) => `${i.label} ${JSON.stringify(i.path)}: ${JSON.stringify(i.logged)}`).join('\n');
}

describe('a union member Stripe answers with on delete', () => {
  // Stripe answers a detached Source with the Source itself (`consumed`), not a deleted stub.
  it('detaching a Source, three times with one document (later ones compiled), answers the consumed Source', async () => {
    const detach = `mutation ($customer: ID!, $id: ID!) {
      deleteCustomerSource(customer: $customer, id: $id) { __typename ... on Source { id status } }
    }`;
    for (let run = 0; run < 3; run++) {
      const source = await h.admin.request<{ id: string }>({
        method: 'POST',
        path: '/v1/sources',
        params: { type: 'card', token: 'tok_visa' },
      });
      await h.admin.request({
        method: 'POST',
        path: `/v1/customers/${SEED.alan.customer}/sources`,
        params: { source: source.id },
      });
      const { body } = await h.query(detach, { variables: { customer: SEED.alan.customer, id: source.id } });
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({
        deleteCustomerSource: { __typename: 'Source', id: source.id, status: 'consumed' },
      });
      expect((await h.fetch('/healthz')).status).toBe(200);
    }
  });
});

describe('generated walk', () => {
  it('every root field, twice each: no INTERNAL_SERVER_ERROR, the process keeps serving', {
    timeout: 600_000,
  }, async () => {
    const internals: Internal[] = [];
    // The fields without required arguments first: the by-id fields then read ids they listed.
    const schema = h.gateway.schema.schema;
    const free = rootDocuments(schema, book).filter((d) =>
      Object.keys(d.variables).every((v) => d.query.includes(`$${v}: Int`)),
    );
    const answers: GraphQLResponse[][] = [];
    for (const doc of free) answers.push(await twice(doc, internals));
    const labels = new Set(free.map((d) => d.label));
    const docs = [...free, ...rootDocuments(schema, book).filter((d) => !labels.has(d.label))];
    for (const doc of docs.slice(free.length)) answers.push(await twice(doc, internals));
    // One document per root field.
    expect(docs.map((d) => d.label).sort()).toEqual(fieldsOf(schema.getQueryType()!));
    expect(surprises(docs, answers, REFUSED.root)).toEqual({ refused: [], answered: [] });
    expect(report(internals)).toBe('');
  });

  it('every relation two levels deep under the list fields: no INTERNAL_SERVER_ERROR', {
    timeout: 600_000,
  }, async () => {
    const internals: Internal[] = [];
    const docs = relationDocuments(h.gateway.schema.schema, book);
    // One document per relation under each list field.
    expect(new Set(docs.map((d) => d.label)).size).toBe(docs.length);
    const answers: GraphQLResponse[][] = [];
    // Once each: these documents are mostly past what is compiled (src/server/jit.ts), and the
    // root fields above already run their abstract types compiled.
    for (const doc of docs) answers.push(await twice(doc, internals, 1));
    expect(surprises(docs, answers, REFUSED.relations)).toEqual({ refused: [], answered: [] });
    expect(report(internals)).toBe('');
  });

  it('every mutation, minimal input, twice each: no INTERNAL_SERVER_ERROR, the process keeps serving', {
    timeout: 600_000,
  }, async () => {
    const internals: Internal[] = [];
    const docs = mutationDocuments(h.gateway.schema.schema, book);
    expect(docs.map((d) => d.label).sort()).toEqual(
      fieldsOf(h.gateway.schema.schema.getMutationType()!).map((f) => `mutation ${f}`),
    );
    const answers: GraphQLResponse[][] = [];
    for (const doc of docs) answers.push(await twice(doc, internals));
    // A minimal input meets Stripe's state rules (a dispute already submitted, a transfer already
    // posted, a login link for a Custom account) and gets Stripe's typed refusal, as it should.
    const name = (label: string) => label.replace(/^mutation /, '');
    expect(surprises(docs, answers, REFUSED.mutations, name)).toEqual({ refused: [], answered: [] });
    expect(report(internals)).toBe('');
  });
});
