/**
 * Parameters that stripe-node 15.3.0 (the SDK of API 2024-04-10) declares wider than the spec it was
 * made from, and that Stripe takes as the SDK sends them. Each is written here in the spec's own
 * shape (the hashes the SDK declares: field names, required-ness, enums) and joined to the spec's
 * type as `anyOf` before the model is built (src/spec/source.ts), so every interpreter (the
 * emulator's validator, the GraphQL inputs) treats it like any other union the spec declares.
 *
 * Only the type widens: a parameter keeps its spec's required-ness and description. A widening
 * whose parameter is gone, or already a union, stops codegen: Stripe changed it, and the entry
 * should go.
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

const FORM = 'application/x-www-form-urlencoded';

/**
 * A spec document with the widenings joined in (a new document; the input is not changed): each
 * parameter's schema becomes `anyOf` of its own (less its description, kept on the union) and the
 * widening's alternatives, sent as a deep object like the spec's other hashes.
 */
export function widenParameters(
  spec: SpecObject,
  widenings: typeof PARAMETER_WIDENINGS = PARAMETER_WIDENINGS,
): SpecObject {
  const paths = { ...(spec.paths as Record<string, Record<string, SpecObject>>) };
  const pending = new Set(Object.keys(widenings));
  for (const [path, item] of Object.entries(paths))
    for (const [method, op] of Object.entries(item)) {
      const params = widenings[op?.operationId as string];
      if (!params) continue;
      pending.delete(op.operationId as string);
      paths[path] = { ...paths[path], [method]: widenOperation(op, params) };
    }
  if (pending.size > 0)
    throw new Error(`the widenings name operations the spec lacks: ${[...pending].join(', ')}`);
  return { ...spec, paths };
}

function widenOperation(op: SpecObject, params: Readonly<Record<string, readonly SpecObject[]>>): SpecObject {
  const body = op.requestBody as { content?: Record<string, SpecObject> } | undefined;
  const form = body?.content?.[FORM] as
    | { schema: { properties?: Record<string, SpecObject> }; encoding?: Record<string, SpecObject> }
    | undefined;
  const properties = { ...form?.schema?.properties };
  const encoding = { ...form?.encoding };
  for (const [name, alternatives] of Object.entries(params)) {
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
  const widened = { ...form, schema: { ...form!.schema, properties }, encoding };
  return { ...op, requestBody: { ...body, content: { ...body!.content, [FORM]: widened } } };
}
