/**
 * Parameters that stripe-node 15.3.0 (the SDK of API 2024-04-10) declares wider than the spec it was
 * made from, and that Stripe takes as the SDK sends them. Each is written here in the spec's own
 * shape (the hashes the SDK declares: field names, required-ness, enums) and joined to the spec's
 * type as `anyOf` before the model is built (src/spec/source.ts), so every interpreter (the
 * emulator's validator, the GraphQL inputs) treats it like any other union the spec declares.
 *
 * Only the type widens: a parameter keeps its spec's required-ness and description. A widening
 * whose parameter is gone, or already a union, stops codegen: Stripe changed it, and the entry
 * should go. Likewise the parameters the SDK declares and the spec lacks, where taking them needs no
 * rule of the emulator's (they are optional, and the object stores them or they change nothing it
 * shows) or the rule it already has, are added, and one the spec now has stops codegen.
 */

type SpecObject = Record<string, unknown>;

const text = (): SpecObject => ({ type: 'string', maxLength: 5000 });
const oneOf = (...values: string[]): SpecObject => ({ type: 'string', enum: values, maxLength: 5000 });
const hash = (required: string[], properties: Record<string, SpecObject>): SpecObject => ({
  type: 'object',
  properties,
  required,
});
const metadata = (): SpecObject => ({ type: 'object', additionalProperties: { type: 'string' } });

/**
 * A bank account's details (`AccountUpdateParams.BankAccount`); on account create
 * (`AccountCreateParams.ExternalAccount`) its `object` is any string and its currency is required.
 */
const bankAccount = (object: SpecObject, required: string[] = []): SpecObject =>
  hash(['account_number', 'country', 'object', ...required].sort(), {
    account_holder_name: text(),
    account_holder_type: oneOf('company', 'individual'),
    account_number: text(),
    country: text(),
    currency: text(),
    object,
    routing_number: text(),
  });

/** A debit card's details (`AccountCreateExternalAccountParams.Card`), with what an operation adds. */
const card = (extra: Record<string, SpecObject> = {}): SpecObject =>
  hash(['exp_month', 'exp_year', 'number', 'object'], {
    ...Object.fromEntries(
      ['city', 'country', 'line1', 'line2', 'state', 'zip'].map((part) => [`address_${part}`, text()]),
    ),
    currency: text(),
    cvc: text(),
    exp_month: { type: 'integer' },
    exp_year: { type: 'integer' },
    metadata: metadata(),
    name: text(),
    number: text(),
    object: oneOf('card'),
    ...extra,
  });

/** A card token given as a hash, with the currency the card pays out in (`…Params.CardToken`). */
const cardToken = (): SpecObject =>
  hash(['object', 'token'], { currency: text(), object: oneOf('card'), token: text() });

/**
 * The widenings, by operation id and body parameter: the alternatives joined to the spec's type.
 * `external_account` of an account's create and update and of an external account's create is a
 * token or an id in the spec; stripe-node also sends the bank account or the card to add.
 */
export const PARAMETER_WIDENINGS: Readonly<Record<string, Readonly<Record<string, readonly SpecObject[]>>>> =
  {
    PostAccounts: { external_account: [bankAccount(text(), ['currency'])] },
    PostAccountsAccount: {
      external_account: [
        bankAccount(oneOf('bank_account')),
        card({ default_for_currency: { type: 'boolean' } }),
        cardToken(),
      ],
    },
    PostAccountsAccountExternalAccounts: {
      external_account: [bankAccount(oneOf('bank_account')), card(), cardToken()],
    },
  };

/**
 * The parameters added, by operation id and path (`options.email` under the body's `options`; a
 * GET's under its query parameter's hash). The SDK declares them optional, and so are they here.
 */
export const PARAMETER_ADDITIONS: Readonly<Record<string, Readonly<Record<string, SpecObject>>>> = {
  // `CustomerCreateParams.validate` and its update's and source create's: whether Stripe checks the
  // source given; the emulator checks none.
  PostCustomers: { validate: { type: 'boolean' } },
  PostCustomersCustomer: { validate: { type: 'boolean' } },
  PostCustomersCustomerSources: { validate: { type: 'boolean' } },
  // `VerificationSessionCreateParams.Options.Email`, `.Phone` (and the update's): the session's
  // `options.email` and `options.phone`, which the spec's object has.
  PostIdentityVerificationSessions: verificationOptions(),
  PostIdentityVerificationSessionsSession: verificationOptions(),
  // `SubscriptionCreateParams.Item.plan` (and the update's), `SubscriptionItemCreateParams.plan`
  // (and the update's): the plan, which is the price of the same id, of an item; the emulator's
  // subscription rules take it where `price` is not given. The customer's subscription routes (which
  // the SDK lacks) share the spec's item hashes and the rules: they take it too, and the one input.
  PostSubscriptions: { 'items.plan': text() },
  PostSubscriptionsSubscriptionExposedId: { 'items.plan': text() },
  PostCustomersCustomerSubscriptions: { 'items.plan': text() },
  PostCustomersCustomerSubscriptionsSubscriptionExposedId: { 'items.plan': text() },
  PostSubscriptionItems: { plan: text() },
  PostSubscriptionItemsItem: { plan: text() },
  // `SubscriptionScheduleCreateParams.Phase.Item.plan` (and the update's), and the invoice
  // previews' items (`InvoiceRetrieveUpcomingParams.SubscriptionItem.plan`, `.SubscriptionDetails
  // .Item.plan`, `.ScheduleDetails.Phase.Item.plan`, and the lines' and create preview's): the
  // same alias, which the schedule and preview rules take where `price` is not given. Every
  // operation sharing an item hash takes it, so their GraphQL inputs stay one.
  PostSubscriptionSchedules: { 'phases.items.plan': text() },
  PostSubscriptionSchedulesSchedule: { 'phases.items.plan': text() },
  GetInvoicesUpcoming: previewItemPlans(true),
  GetInvoicesUpcomingLines: previewItemPlans(true),
  PostInvoicesCreatePreview: previewItemPlans(false),
};

/** `plan` on an invoice preview's items; the query's deprecated `subscription_items` too. */
function previewItemPlans(deprecatedItems: boolean): Record<string, SpecObject> {
  return {
    'schedule_details.phases.items.plan': text(),
    'subscription_details.items.plan': text(),
    ...(deprecatedItems ? { 'subscription_items.plan': text() } : {}),
  };
}

function verificationOptions(): Record<string, SpecObject> {
  const check = (): SpecObject => ({
    anyOf: [hash([], { require_verification: { type: 'boolean' } }), { type: 'string', enum: [''] }],
  });
  return { 'options.email': check(), 'options.phone': check() };
}

const FORM = 'application/x-www-form-urlencoded';

/**
 * A spec document with the widenings joined in and the additions added (a new document; the input
 * is not changed): a widened parameter's schema becomes `anyOf` of its own (less its description,
 * kept on the union) and the widening's alternatives, sent as a deep object like the spec's other
 * hashes.
 */
export function widenParameters(
  spec: SpecObject,
  widenings: typeof PARAMETER_WIDENINGS = PARAMETER_WIDENINGS,
  additions: typeof PARAMETER_ADDITIONS = PARAMETER_ADDITIONS,
): SpecObject {
  const paths = { ...(spec.paths as Record<string, Record<string, SpecObject>>) };
  const pending = new Set([...Object.keys(widenings), ...Object.keys(additions)]);
  for (const [path, item] of Object.entries(paths))
    for (const [method, op] of Object.entries(item)) {
      const id = op?.operationId as string;
      if (!pending.delete(id)) continue;
      const changed = changeOperation(op, widenings[id] ?? {}, additions[id] ?? {});
      paths[path] = { ...paths[path], [method]: changed };
    }
  if (pending.size > 0)
    throw new Error(`the widenings name operations the spec lacks: ${[...pending].join(', ')}`);
  return { ...spec, paths };
}

function changeOperation(
  op: SpecObject,
  widened: Readonly<Record<string, readonly SpecObject[]>>,
  added: Readonly<Record<string, SpecObject>>,
): SpecObject {
  const body = op.requestBody as { content?: Record<string, SpecObject> } | undefined;
  const form = body?.content?.[FORM] as
    | { schema: { properties?: Record<string, SpecObject> }; encoding?: Record<string, SpecObject> }
    | undefined;
  const properties = { ...form?.schema?.properties };
  const encoding = { ...form?.encoding };
  for (const [name, alternatives] of Object.entries(widened)) {
    const where = `the widening of ${op.operationId} ${name}`;
    const own = properties[name];
    if (!own) throw new Error(`${where}: the spec has no such body parameter`);
    if (own.anyOf) throw new Error(`${where}: the spec now declares a union (drop the widening)`);
    const { description, ...type } = own;
    properties[name] = {
      anyOf: [type, ...structuredClone(alternatives)],
      ...(description === undefined ? {} : { description }),
    };
    encoding[name] = { explode: true, style: 'deepObject' };
  }
  // A GET (its body's form is empty) takes its additions under its query parameters' hashes.
  const query = op.parameters && Object.keys(properties).length === 0 ? queryParameters(op) : undefined;
  for (const [path, schema] of Object.entries(added))
    addAt(query ?? properties, path.split('.'), schema, `the addition of ${op.operationId} ${path}`);
  if (query) return { ...op, parameters: withQuery(op, query) };
  const changed = { ...form, schema: { ...form?.schema, properties }, encoding };
  return { ...op, requestBody: { ...body, content: { ...body?.content, [FORM]: changed } } };
}

/** An operation's query parameters' schemas, by name. */
function queryParameters(op: SpecObject): Record<string, SpecObject> {
  const params = (op.parameters as SpecObject[] | undefined) ?? [];
  return Object.fromEntries(
    params.filter((p) => p.in === 'query').map((p) => [p.name, p.schema as SpecObject]),
  );
}

/** The operation's parameters with the query's schemas changed; a new query parameter is not taken. */
function withQuery(op: SpecObject, query: Record<string, SpecObject>): SpecObject[] {
  const params = (op.parameters as SpecObject[] | undefined) ?? [];
  const known = new Set(params.filter((p) => p.in === 'query').map((p) => p.name));
  const added = Object.keys(query).filter((name) => !known.has(name));
  if (added.length > 0)
    throw new Error(`${op.operationId} has no query parameter ${added.join(', ')} to add to`);
  return params.map((p) => (p.in === 'query' ? { ...p, schema: query[p.name as string] } : p));
}

/**
 * Adds `schema` at `path` under `properties`, copying the hashes on the way; a list's name stands
 * for each of its hashes (`items.plan`).
 */
function addAt(properties: Record<string, SpecObject>, path: string[], schema: SpecObject, where: string) {
  const [name, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) {
    if (name in properties) throw new Error(`${where}: the spec now has it (drop the addition)`);
    properties[name] = structuredClone(schema);
    return;
  }
  type Parent = { properties?: Record<string, SpecObject>; items?: Parent };
  const parent = properties[name] as Parent | undefined;
  const hash = parent?.items ?? parent;
  if (!parent || !hash?.properties) throw new Error(`${where}: the spec has no hash ${name} to add to`);
  const inner = { ...hash.properties };
  addAt(inner, rest, schema, where);
  const changed = { ...hash, properties: inner };
  properties[name] = parent.items ? { ...parent, items: changed } : changed;
}
