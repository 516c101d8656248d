/**
 * Stripe Tax: calculations, and the transactions recorded from them.
 *
 * - A calculation prices its line items (and its shipping) for the customer's address, given in
 *   `customer_details` or taken from the `customer` (its shipping address, else its billing one).
 *   Stripe collects tax only where the account is registered; the emulator has no tax rates of
 *   its own, so every jurisdiction is `not_collecting`: no tax, the total is what the lines and
 *   the shipping cost, and each jurisdiction shows in `tax_breakdown` at 0%.
 * - Its line items are listed under it (`/v1/tax/calculations/{id}/line_items`), in the order given.
 * - `create_from_calculation` records a calculation as a `transaction` with a copy of its line
 *   items; `create_reversal` records a `reversal` of one: `full` negates every line and the
 *   shipping, `partial` the lines (or the `flat_amount`) given. A reference is used once.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';

const CALCULATION = 'tax.calculation';
const CALCULATION_LINE = 'tax.calculation_line_item';
const TRANSACTION = 'tax.transaction';
const TRANSACTION_LINE = 'tax.transaction_line_item';

/** Stripe's preset tax codes, used when neither the line nor the product names one. */
const DEFAULT_TAX_CODE = 'txcd_10000000';
const SHIPPING_TAX_CODE = 'txcd_92010001';

/** The kind of tax a country levies, where it is not a VAT. */
const TAX_TYPES: Readonly<Record<string, string>> = {
  AU: 'gst',
  CA: 'gst',
  IN: 'gst',
  JP: 'jct',
  NZ: 'gst',
  SG: 'gst',
  US: 'sales_tax',
};

const US_STATES: Readonly<Record<string, string>> = Object.fromEntries(
  (
    'AL Alabama,AK Alaska,AZ Arizona,AR Arkansas,CA California,CO Colorado,CT Connecticut,DE Delaware,' +
    'DC District of Columbia,FL Florida,GA Georgia,HI Hawaii,ID Idaho,IL Illinois,IN Indiana,IA Iowa,' +
    'KS Kansas,KY Kentucky,LA Louisiana,ME Maine,MD Maryland,MA Massachusetts,MI Michigan,MN Minnesota,' +
    'MS Mississippi,MO Missouri,MT Montana,NE Nebraska,NV Nevada,NH New Hampshire,NJ New Jersey,' +
    'NM New Mexico,NY New York,NC North Carolina,ND North Dakota,OH Ohio,OK Oklahoma,OR Oregon,' +
    'PA Pennsylvania,PR Puerto Rico,RI Rhode Island,SC South Carolina,SD South Dakota,TN Tennessee,' +
    'TX Texas,UT Utah,VT Vermont,VA Virginia,WA Washington,WV West Virginia,WI Wisconsin,WY Wyoming'
  )
    .split(',')
    .map((pair) => [pair.slice(0, 2), pair.slice(3)]),
);

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

interface Jurisdiction {
  country: string;
  state: string | null;
}

/** Where the customer is taxed: a US state, else the country. */
function jurisdictionOf(address: JsonObject): Jurisdiction {
  const country = String(address.country ?? '').toUpperCase();
  const state = country === 'US' && typeof address.state === 'string' ? address.state.toUpperCase() : null;
  return { country, state };
}

function displayName({ country, state }: Jurisdiction): string {
  if (state) return US_STATES[state] ?? state;
  try {
    return countryNames.of(country) ?? country;
  } catch {
    return country;
  }
}

/** A line's (or the shipping's) `tax_breakdown`: the jurisdiction, where no tax is collected. */
function lineBreakdown(where: Jurisdiction): JsonObject[] {
  return [
    {
      amount: 0,
      jurisdiction: {
        country: where.country,
        display_name: displayName(where),
        level: where.state ? 'state' : 'country',
        state: where.state,
      },
      sourcing: 'destination',
      tax_rate_details: null,
      taxability_reason: 'not_collecting',
      taxable_amount: 0,
    },
  ];
}

/** The calculation's `tax_breakdown`: the jurisdiction at 0%, as Stripe shows one it does not collect in. */
function calculationBreakdown(where: Jurisdiction): JsonObject[] {
  return [
    {
      amount: 0,
      inclusive: false,
      tax_rate_details: {
        country: where.country,
        percentage_decimal: '0.0',
        state: where.state,
        tax_type: TAX_TYPES[where.country] ?? 'vat',
      },
      taxability_reason: 'not_collecting',
      taxable_amount: 0,
    },
  ];
}

/** `customer_details` as given, or read from the customer's address (shipping first). */
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
  if (isObject(given.address) || typeof params.customer !== 'string') return details;
  const customer = ctx.require(params.customer, ['customer'], 'customer', 400);
  const shipping = isObject(customer.data.shipping) ? customer.data.shipping.address : null;
  if (isObject(shipping)) return { ...details, address: shipping, address_source: 'shipping' };
  if (isObject(customer.data.address))
    return { ...details, address: customer.data.address, address_source: 'billing' };
  return details;
}

function requireAddress(details: JsonObject): JsonObject {
  if (isObject(details.address) && typeof details.address.country === 'string') return details.address;
  throw invalidRequest(
    'A tax calculation needs an address: pass customer_details[address], or a customer with an address.',
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

/** The calculation's lines, stored under it in the order given. */
function storeLines(ctx: Ctx, calculation: JsonObject, lines: Json | undefined, where: Jurisdiction): number {
  if (!Array.isArray(lines) || lines.length === 0)
    throw invalidRequest('Missing required param: line_items.', {
      code: 'parameter_missing',
      param: 'line_items',
    });
  let total = 0;
  for (const line of lines.filter(isObject)) {
    const amount = Number(line.amount ?? 0);
    total += amount;
    ctx.insert(
      CALCULATION_LINE,
      ctx.build(CALCULATION_LINE, {
        amount,
        amount_tax: 0,
        product: typeof line.product === 'string' ? line.product : null,
        quantity: typeof line.quantity === 'number' ? line.quantity : 1,
        reference: typeof line.reference === 'string' ? line.reference : null,
        tax_behavior: line.tax_behavior === 'inclusive' ? 'inclusive' : 'exclusive',
        tax_breakdown: lineBreakdown(where),
        tax_code: taxCode(ctx, line),
      }),
      { parent: String(calculation.id) },
    );
  }
  return total;
}

function shippingCost(ctx: Ctx, params: JsonObject, where: Jurisdiction): JsonObject | null {
  if (!isObject(params.shipping_cost)) return null;
  const given = params.shipping_cost;
  const rate =
    typeof given.shipping_rate === 'string'
      ? ctx.require(given.shipping_rate, ['shipping_rate'], 'shipping_cost[shipping_rate]', 400)
      : undefined;
  const fixed = isObject(rate?.data.fixed_amount) ? rate.data.fixed_amount : {};
  return {
    amount: Number(rate ? (fixed.amount ?? 0) : (given.amount ?? 0)),
    amount_tax: 0,
    ...(rate ? { shipping_rate: rate.id } : {}),
    tax_behavior: (rate?.data.tax_behavior ?? given.tax_behavior) === 'inclusive' ? 'inclusive' : 'exclusive',
    tax_breakdown: lineBreakdown(where),
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
    return reversal(line, Number(item.amount), Number(item.amount_tax), {
      metadata: isObject(item.metadata) ? item.metadata : {},
      quantity: typeof item.quantity === 'number' ? item.quantity : (line.data.quantity ?? 1),
      reference: typeof item.reference === 'string' ? item.reference : (line.data.reference ?? line.id),
    });
  });
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

export const taxRules: RuleBook = {
  [CALCULATION]: {
    beforeCreate(ctx, draft, { params }) {
      const details = customerDetails(ctx, params);
      const where = jurisdictionOf(requireAddress(details));
      const total = storeLines(ctx, draft, params.line_items, where);
      const shipping = shippingCost(ctx, params, where);
      Object.assign(draft, {
        amount_total: total + Number(shipping?.amount ?? 0),
        customer: typeof params.customer === 'string' ? params.customer : null,
        customer_details: details,
        line_items: null,
        shipping_cost: shipping,
        tax_amount_exclusive: 0,
        tax_amount_inclusive: 0,
        tax_breakdown: calculationBreakdown(where),
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
