/**
 * Stripe Tax: calculations, and the transactions recorded from them.
 *
 * - A calculation prices its line items (and its shipping) for the customer's address, given in
 *   `customer_details` or taken from the `customer` (its shipping address, else its billing one).
 *   What is owed there, and why, is money/stripe-tax.ts's answer: tax at the jurisdiction's rate
 *   where the account is registered, else none (`not_collecting`, exempt or reverse-charged
 *   customers likewise at 0%). Each line and the shipping show their jurisdiction in
 *   `tax_breakdown`; the calculation's `tax_breakdown` sums them by inclusiveness.
 * - Its line items are listed under it (`/v1/tax/calculations/{id}/line_items`), in the order given.
 * - Tax settings are `pending` until their head office is set, then `active`. A registration is
 *   `scheduled`, `active` or `expired` by the clock, as shown and as listed by `status`.
 * - `create_from_calculation` records a calculation (until it `expires_at`, 90 days on) as a
 *   `transaction` with a copy of its line items; `create_reversal` records a `reversal` of one: `full` negates every line and the
 *   shipping, `partial` the lines (or the `flat_amount`) given, their amounts negative; no line is
 *   reversed beyond what it recorded. A reference is used once.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import {
  type Buyer,
  buyerOf,
  jurisdictionName,
  percentageDecimal,
  registrationStatus,
  type Taxability,
  type TaxLocation,
  taxabilityAt,
  taxIdsOf,
  taxLocation,
  taxOn,
} from '../money/stripe-tax.ts';

const CALCULATION = 'tax.calculation';
const CALCULATION_LINE = 'tax.calculation_line_item';
const TRANSACTION = 'tax.transaction';
const TRANSACTION_LINE = 'tax.transaction_line_item';

/** How long a calculation can be recorded as a transaction: Stripe's 90 days. */
const CALCULATION_LIFETIME = 90 * 86_400;

/** Stripe's preset tax codes, used when neither the line nor the product names one. */
const DEFAULT_TAX_CODE = 'txcd_10000000';
const SHIPPING_TAX_CODE = 'txcd_92010001';

/** A line's (or the shipping's) `tax_breakdown`: its one jurisdiction, and what it owes there. */
function lineBreakdown(
  where: TaxLocation,
  verdict: Taxability,
  owed: { tax: number; taxable_amount: number },
): JsonObject[] {
  return [
    {
      amount: owed.tax,
      jurisdiction: {
        country: where.country,
        display_name: jurisdictionName(where),
        level: where.state ? 'state' : 'country',
        state: where.state,
      },
      sourcing: 'destination',
      tax_rate_details:
        verdict.percentage === 0
          ? null
          : {
              display_name: verdict.display_name,
              percentage_decimal: percentageDecimal(verdict.percentage),
              tax_type: verdict.tax_type,
            },
      taxability_reason: verdict.reason,
      taxable_amount: owed.taxable_amount,
    },
  ];
}

/**
 * The calculation's `tax_breakdown`: what its lines and shipping owe, summed by inclusiveness
 * (one entry when nothing is owed, at the jurisdiction's 0%).
 */
function calculationBreakdown(
  where: TaxLocation,
  verdict: Taxability,
  taxed: readonly JsonObject[],
): JsonObject[] {
  const entry = (inclusive: boolean, of: readonly JsonObject[]): JsonObject => ({
    amount: of.reduce((sum, p) => sum + Number(p.amount_tax), 0),
    inclusive,
    tax_rate_details: {
      country: where.country,
      percentage_decimal: percentageDecimal(verdict.percentage),
      state: where.state,
      tax_type: verdict.tax_type,
    },
    taxability_reason: verdict.reason,
    taxable_amount: of.reduce((sum, p) => sum + taxableOf(p), 0),
  });
  if (verdict.percentage === 0) return [entry(false, [])];
  return [false, true]
    .map(
      (inclusive) =>
        [inclusive, taxed.filter((p) => (p.tax_behavior === 'inclusive') === inclusive)] as const,
    )
    .filter(([, of]) => of.length > 0)
    .map(([inclusive, of]) => entry(inclusive, of));
}

const taxableOf = (taxed: JsonObject): number => {
  const [first] = Array.isArray(taxed.tax_breakdown) ? taxed.tax_breakdown.filter(isObject) : [];
  return Number(first?.taxable_amount ?? 0);
};

/** The verdict's tax on an amount, and the fields of a line (or the shipping) it makes. */
function priced(
  where: TaxLocation,
  verdict: Taxability,
  amount: number,
  behavior: Json | undefined,
): JsonObject {
  const inclusive = behavior === 'inclusive';
  const owed = taxOn(amount, verdict.percentage, inclusive);
  return {
    amount,
    amount_tax: owed.tax,
    tax_behavior: inclusive ? 'inclusive' : 'exclusive',
    tax_breakdown: lineBreakdown(where, verdict, owed),
  };
}

/**
 * Who buys: the customer's exemption, or `taxability_override` when one is given, and whether an EU
 * VAT id is among `customer_details[tax_ids]` or the customer's.
 */
function buyerFrom(ctx: Ctx, params: JsonObject, details: JsonObject): Buyer {
  const buyer = buyerOf(ctx, typeof params.customer === 'string' ? params.customer : null);
  const override = details.taxability_override;
  const given = Array.isArray(details.tax_ids) ? details.tax_ids.filter(isObject) : [];
  return {
    exempt:
      override === 'customer_exempt' ? 'exempt' : override === 'reverse_charge' ? 'reverse' : buyer.exempt,
    euVatId: buyer.euVatId || given.some((id) => id.type === 'eu_vat'),
  };
}

/**
 * `customer_details` as given, or read from the `customer`: their address (shipping first) and
 * their tax ids.
 */
function customerDetails(ctx: Ctx, params: JsonObject): JsonObject {
  const given = isObject(params.customer_details) ? params.customer_details : {};
  const details: JsonObject = {
    address: null,
    address_source: null,
    ip_address: null,
    tax_ids: [],
    taxability_override: 'none',
    ...given,
    ...(isObject(given.address) ? { address: ctx.sub('address', given.address) } : {}),
  };
  if (typeof params.customer !== 'string') return details;
  const customer = ctx.require(params.customer, ['customer'], 'customer', 400);
  // The customer's tax ids are copied in, unless some are given.
  if (!Array.isArray(given.tax_ids)) details.tax_ids = taxIdsOf(ctx, customer.id);
  if (isObject(given.address)) return details;
  const shipping = isObject(customer.data.shipping) ? customer.data.shipping.address : null;
  if (isObject(shipping)) return { ...details, address: shipping, address_source: 'shipping' };
  if (isObject(customer.data.address))
    return { ...details, address: customer.data.address, address_source: 'billing' };
  return details;
}

/** Where the details' address places the customer; refused when it places them nowhere. */
function requireLocation(details: JsonObject): TaxLocation {
  const where = taxLocation(details.address);
  if (where) return where;
  throw invalidRequest(
    "The customer's address does not say where they are taxed: pass customer_details[address] with a country (and a postal code in the US), or a customer with such an address.",
    { code: 'customer_tax_location_invalid', param: 'customer_details[address]' },
  );
}

/** The tax code of a line: its own, else its product's, else Stripe's preset one. */
function taxCode(ctx: Ctx, line: JsonObject): string {
  if (typeof line.tax_code === 'string') return line.tax_code;
  if (typeof line.product === 'string') {
    const product = ctx.find(line.product, ['product']);
    if (typeof product?.data.tax_code === 'string') return product.data.tax_code;
  }
  return DEFAULT_TAX_CODE;
}

/** Prices the calculation's lines and stores them under it, in the order given. */
function storeLines(
  ctx: Ctx,
  calculation: JsonObject,
  lines: Json | undefined,
  price: (amount: number, behavior: Json | undefined) => JsonObject,
): JsonObject[] {
  if (!Array.isArray(lines) || lines.length === 0)
    throw invalidRequest('Missing required param: line_items.', {
      code: 'parameter_missing',
      param: 'line_items',
    });
  return lines.filter(isObject).map((line) => {
    const fields = price(Number(line.amount ?? 0), line.tax_behavior);
    ctx.insert(
      CALCULATION_LINE,
      ctx.build(CALCULATION_LINE, {
        ...fields,
        product: typeof line.product === 'string' ? line.product : null,
        quantity: typeof line.quantity === 'number' ? line.quantity : 1,
        reference: typeof line.reference === 'string' ? line.reference : null,
        tax_code: taxCode(ctx, line),
      }),
      { parent: String(calculation.id) },
    );
    return fields;
  });
}

function shippingCost(
  ctx: Ctx,
  params: JsonObject,
  price: (amount: number, behavior: Json | undefined) => JsonObject,
): JsonObject | null {
  if (!isObject(params.shipping_cost)) return null;
  const given = params.shipping_cost;
  const rate =
    typeof given.shipping_rate === 'string'
      ? ctx.require(given.shipping_rate, ['shipping_rate'], 'shipping_cost[shipping_rate]', 400)
      : undefined;
  const fixed = isObject(rate?.data.fixed_amount) ? rate.data.fixed_amount : {};
  return {
    ...price(
      Number(rate ? (fixed.amount ?? 0) : (given.amount ?? 0)),
      rate?.data.tax_behavior ?? given.tax_behavior,
    ),
    ...(rate ? { shipping_rate: rate.id } : {}),
    tax_code: String(rate?.data.tax_code ?? given.tax_code ?? SHIPPING_TAX_CODE),
  };
}

/** Refuses a transaction reference already used, as Stripe keeps them unique. */
function requireNewReference(ctx: Ctx, reference: Json | undefined): string {
  if (typeof reference !== 'string' || reference === '')
    throw invalidRequest('Missing required param: reference.', {
      code: 'parameter_missing',
      param: 'reference',
    });
  if ([...ctx.scope.all(TRANSACTION)].some((entry) => entry.data.reference === reference))
    throw invalidRequest(`A tax transaction with the reference ${reference} already exists.`, {
      param: 'reference',
    });
  return reference;
}

/** Stores a transaction's line items under it. */
function storeTransactionLines(ctx: Ctx, transaction: Entry, lines: readonly JsonObject[]): void {
  for (const line of lines)
    ctx.insert(
      TRANSACTION_LINE,
      ctx.build(TRANSACTION_LINE, {
        metadata: {},
        reversal: null,
        type: transaction.data.type ?? 'transaction',
        ...line,
      }),
      { parent: transaction.id },
    );
}

const lineItemsOf = (ctx: Ctx, owner: Entry, resource: string): Entry[] =>
  ctx.children(owner, [resource]).sort((a, b) => a.seq - b.seq);

/**
 * Stores a transaction (or reversal) about `source` (the calculation, or the transaction reversed)
 * under a new `reference`, with its line items.
 */
function recordTransaction(
  ctx: Ctx,
  source: Entry,
  params: JsonObject,
  fields: { type: 'transaction' | 'reversal'; reversal: JsonObject | null; shipping_cost: JsonObject | null },
  lines: readonly JsonObject[],
): Entry {
  const reference = requireNewReference(ctx, params.reference);
  const transaction = ctx.insert(
    TRANSACTION,
    ctx.build(TRANSACTION, {
      currency: source.data.currency ?? 'usd',
      customer: source.data.customer ?? null,
      customer_details: source.data.customer_details ?? null,
      line_items: null,
      metadata: isObject(params.metadata) ? params.metadata : {},
      reference,
      tax_date: source.data.tax_date ?? ctx.now,
      ...fields,
    }),
  );
  storeTransactionLines(ctx, transaction, lines);
  return transaction;
}

/** A transaction recording a calculation. */
function fromCalculation(ctx: Ctx, params: JsonObject): Entry {
  const calculation = ctx.require(String(params.calculation), [CALCULATION], 'calculation', 400);
  if (typeof calculation.data.expires_at === 'number' && calculation.data.expires_at <= ctx.now)
    throw invalidRequest(
      `Tax calculation ${calculation.id} has expired: a calculation can be recorded as a transaction for 90 days.`,
      { param: 'calculation' },
    );
  const shipping = isObject(calculation.data.shipping_cost) ? calculation.data.shipping_cost : null;
  const shippingCost = shipping
    ? {
        amount: shipping.amount ?? 0,
        amount_tax: shipping.amount_tax ?? 0,
        ...(shipping.shipping_rate ? { shipping_rate: shipping.shipping_rate } : {}),
        tax_behavior: shipping.tax_behavior ?? 'exclusive',
        tax_code: shipping.tax_code ?? SHIPPING_TAX_CODE,
      }
    : null;
  return recordTransaction(
    ctx,
    calculation,
    params,
    { type: 'transaction', reversal: null, shipping_cost: shippingCost },
    lineItemsOf(ctx, calculation, CALCULATION_LINE).map((line) => ({
      amount: line.data.amount ?? 0,
      amount_tax: line.data.amount_tax ?? 0,
      product: line.data.product ?? null,
      quantity: line.data.quantity ?? 1,
      reference: line.data.reference ?? line.id,
      tax_behavior: line.data.tax_behavior ?? 'exclusive',
      tax_code: line.data.tax_code ?? DEFAULT_TAX_CODE,
    })),
  );
}

/** The lines a reversal takes back: every line negated (`full`), or those given (`partial`). */
function reversedLines(ctx: Ctx, original: Entry, params: JsonObject): JsonObject[] {
  const lines = lineItemsOf(ctx, original, TRANSACTION_LINE);
  const reversal = (line: Entry, amount: number, tax: number, extra: JsonObject = {}): JsonObject => ({
    amount: -Math.abs(amount),
    amount_tax: -Math.abs(tax),
    product: line.data.product ?? null,
    quantity: line.data.quantity ?? 1,
    reference: line.data.reference ?? line.id,
    reversal: { original_line_item: line.id },
    tax_behavior: line.data.tax_behavior ?? 'exclusive',
    tax_code: line.data.tax_code ?? DEFAULT_TAX_CODE,
    ...extra,
  });
  if (params.mode === 'full')
    return lines.map((line) => reversal(line, Number(line.data.amount), Number(line.data.amount_tax)));
  if (typeof params.flat_amount === 'number') {
    requireNegative(params.flat_amount, 'flat_amount');
    // A flat amount (tax included) spread over the lines by what each cost.
    const whole = lines.reduce((sum, l) => sum + Number(l.data.amount) + Number(l.data.amount_tax), 0);
    return lines.map((line) => {
      const share = whole === 0 ? 0 : (Number(line.data.amount) + Number(line.data.amount_tax)) / whole;
      const part = Math.round(Math.abs(params.flat_amount as number) * share);
      const cost = Number(line.data.amount) + Number(line.data.amount_tax);
      const tax = cost === 0 ? 0 : Math.round((part * Number(line.data.amount_tax)) / cost);
      return reversal(line, part - tax, tax);
    });
  }
  const given = Array.isArray(params.line_items) ? params.line_items.filter(isObject) : [];
  return given.map((item, i) => {
    const line = lines.find((l) => l.id === item.original_line_item);
    if (!line)
      throw invalidRequest(
        `No such line item on transaction ${original.id}: '${String(item.original_line_item)}'.`,
        { param: `line_items[${i}][original_line_item]` },
      );
    requireNegative(item.amount, `line_items[${i}][amount]`);
    requireNegative(item.amount_tax, `line_items[${i}][amount_tax]`);
    return reversal(line, Number(item.amount), Number(item.amount_tax), {
      metadata: isObject(item.metadata) ? item.metadata : {},
      quantity: typeof item.quantity === 'number' ? item.quantity : (line.data.quantity ?? 1),
      reference: typeof item.reference === 'string' ? item.reference : (line.data.reference ?? line.id),
    });
  });
}

/** Refuses a positive amount to reverse: Stripe takes them negative. */
function requireNegative(amount: Json | undefined, param: string): void {
  if (Number(amount ?? 0) > 0)
    throw invalidRequest(`The amount to reverse (${param}) must be negative or zero.`, { param });
}

/**
 * Refuses reversal lines that would take back more of an original line (its amount or its tax)
 * than its earlier reversals left, as Stripe does: a line is reversed at most once in full.
 */
function requireUnreversed(ctx: Ctx, original: Entry, lines: readonly JsonObject[], param: string): void {
  const reversed = (lineId: string, field: 'amount' | 'amount_tax') =>
    [...ctx.scope.all(TRANSACTION_LINE)]
      .filter((l) => isObject(l.data.reversal) && l.data.reversal.original_line_item === lineId)
      .reduce((sum, l) => sum + Math.abs(Number(l.data[field] ?? 0)), 0);
  for (const line of lines) {
    const id = isObject(line.reversal) ? String(line.reversal.original_line_item) : '';
    const from = ctx.find(id, [TRANSACTION_LINE]);
    for (const field of ['amount', 'amount_tax'] as const)
      if (reversed(id, field) + Math.abs(Number(line[field])) > Math.abs(Number(from?.data[field] ?? 0)))
        throw invalidRequest(
          `The reversal takes back more of line item ${id} of transaction ${original.id} than is left to reverse.`,
          { param },
        );
  }
}

/** A reversal of a transaction, whole or in part. */
function reversalOf(ctx: Ctx, params: JsonObject): Entry {
  const original = ctx.require(
    String(params.original_transaction),
    [TRANSACTION],
    'original_transaction',
    400,
  );
  if (original.data.type !== 'transaction')
    throw invalidRequest(
      `Tax transaction ${original.id} is a reversal: only a transaction can be reversed.`,
      {
        param: 'original_transaction',
      },
    );
  const lines = reversedLines(ctx, original, params);
  requireUnreversed(
    ctx,
    original,
    lines,
    params.mode === 'full' ? 'mode' : typeof params.flat_amount === 'number' ? 'flat_amount' : 'line_items',
  );
  const shipped = isObject(original.data.shipping_cost) ? original.data.shipping_cost : null;
  const back = isObject(params.shipping_cost)
    ? params.shipping_cost
    : params.mode === 'full'
      ? shipped
      : null;
  const shippingCost =
    shipped && back
      ? {
          ...shipped,
          amount: -Math.abs(Number(back.amount ?? 0)),
          amount_tax: -Math.abs(Number(back.amount_tax ?? 0)),
        }
      : null;
  return recordTransaction(
    ctx,
    original,
    params,
    { type: 'reversal', reversal: { original_transaction: original.id }, shipping_cost: shippingCost },
    lines,
  );
}

/**
 * The settings' `status`: `pending` (its `status_details` naming `head_office` missing) until the
 * head office's address is set, then `active`, as Stripe's.
 */
function settingsStatus(settings: JsonObject): JsonObject {
  const office = isObject(settings.head_office) ? settings.head_office.address : undefined;
  return isObject(office) && typeof office.country === 'string'
    ? { status: 'active', status_details: { active: {} } }
    : { status: 'pending', status_details: { pending: { missing_fields: ['head_office'] } } };
}

export const taxRules: RuleBook = {
  // A registration's status is the clock's (money/stripe-tax.ts); `status=all` lists every one.
  'tax.registration': {
    listFilter(name, value, ctx) {
      if (name !== 'status') return undefined;
      return (entry) => value === 'all' || registrationStatus(ctx, entry.data) === value;
    },
  },
  'tax.settings': {
    beforeUpdate(_ctx, draft) {
      Object.assign(draft, settingsStatus(draft));
    },
  },
  [CALCULATION]: {
    beforeCreate(ctx, draft, { params }) {
      const details = customerDetails(ctx, params);
      const where = requireLocation(details);
      const verdict = taxabilityAt(ctx, where, buyerFrom(ctx, params, details));
      const price = (amount: number, behavior: Json | undefined) => priced(where, verdict, amount, behavior);
      const lines = storeLines(ctx, draft, params.line_items, price);
      const shipping = shippingCost(ctx, params, price);
      const all = shipping ? [...lines, shipping] : lines;
      const taxOf = (inclusive: boolean) =>
        all
          .filter((p) => (p.tax_behavior === 'inclusive') === inclusive)
          .reduce((sum, p) => sum + Number(p.amount_tax), 0);
      Object.assign(draft, {
        amount_total: all.reduce((sum, p) => sum + Number(p.amount), 0) + taxOf(false),
        customer: typeof params.customer === 'string' ? params.customer : null,
        customer_details: details,
        expires_at: ctx.now + CALCULATION_LIFETIME,
        line_items: null,
        shipping_cost: shipping,
        tax_amount_exclusive: taxOf(false),
        tax_amount_inclusive: taxOf(true),
        tax_breakdown: calculationBreakdown(where, verdict, all),
        tax_date: typeof params.tax_date === 'number' ? params.tax_date : ctx.now,
      });
    },
  },
  [CALCULATION_LINE]: { ascending: true },
  [TRANSACTION]: {
    create(ctx, { params, route }) {
      return route?.op.path.endsWith('create_reversal') === true
        ? reversalOf(ctx, params)
        : fromCalculation(ctx, params);
    },
  },
  [TRANSACTION_LINE]: { ascending: true },
};
