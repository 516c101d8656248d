/**
 * Stripe Tax's answer for one sale: where the customer is taxed, whether the account collects
 * there, and at what rate. Tax calculations (rules/tax.ts), automatic tax on invoices and their
 * previews (money/invoice-lines.ts, upcoming-invoice.ts), Checkout (rules/checkout.ts) and quotes
 * (rules/quotes.ts), and a customer's `tax` (handlers/render.ts) all ask here.
 *
 * - A location is recognised as Stripe documents it (docs.stripe.com/tax/customer-locations): a
 *   two-letter country; a US address also needs a 5-digit ZIP code (ZIP+4 allowed), a Canadian one
 *   a province or a postal code. A US customer is taxed in the address's `state`.
 * - Tax is collected only where the account has an active registration (`/v1/tax/registrations`):
 *   the customer's country (and US state), or any EU member state under a one-stop-shop (`oss_*`)
 *   registration. Elsewhere the answer is `not_collecting`, at 0%.
 * - An exempt customer (`tax_exempt: exempt`, or `taxability_override: customer_exempt`) answers
 *   `customer_exempt`; a reverse-charge one (`tax_exempt: reverse`, the `reverse_charge` override,
 *   or a business with an EU VAT id buying in the EU, the account being established in the US)
 *   answers `reverse_charge`, both at 0%.
 * - `RATES` is a small table of standard rates, facts as published by the taxing authorities:
 *   US states' state-level sales tax (county and city taxes are left out), EU member states' and
 *   the UK's standard VAT rates (the European Commission's "VAT rates applied in the Member States"),
 *   Australia's GST. A registered jurisdiction outside the table answers `not_collecting` too.
 * - Automatic tax on an invoice files each line's tax under a `tax_rate` Stripe Tax makes for the
 *   jurisdiction and rate (`automaticTaxAmount`); enabling it needs a customer whose address
 *   places them (`automaticTaxParam`).
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { Entry } from '../engine/store.ts';

export interface TaxLocation {
  country: string;
  /** The US state, for a US customer. */
  state: string | null;
}

type TaxType = 'gst' | 'sales_tax' | 'vat';

interface Rate {
  percentage: number;
  tax_type: TaxType;
}

const EU = new Set(
  'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '),
);

const vat = (percentage: number): Rate => ({ percentage, tax_type: 'vat' });
const salesTax = (percentage: number): Rate => ({ percentage, tax_type: 'sales_tax' });

/** Standard rates by country, and by US state (keyed `US-XX`); see the header for sources. */
const RATES: Readonly<Record<string, Rate>> = {
  'US-CA': salesTax(7.25),
  'US-FL': salesTax(6),
  'US-IL': salesTax(6.25),
  'US-MA': salesTax(6.25),
  'US-NJ': salesTax(6.625),
  'US-NY': salesTax(4),
  'US-PA': salesTax(6),
  'US-TX': salesTax(6.25),
  'US-WA': salesTax(6.5),
  AT: vat(20),
  BE: vat(21),
  DE: vat(19),
  ES: vat(21),
  FR: vat(20),
  GB: vat(20),
  IE: vat(23),
  IT: vat(22),
  NL: vat(21),
  PL: vat(23),
  SE: vat(25),
  AU: { percentage: 10, tax_type: 'gst' },
};

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

const TAX_TYPE_NAMES: Readonly<Record<string, string>> = { gst: 'GST', sales_tax: 'Sales Tax', vat: 'VAT' };

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

/** Where an address places its customer for tax, or null when Stripe could not tell. */
export function taxLocation(address: Json | undefined): TaxLocation | null {
  if (!isObject(address) || typeof address.country !== 'string') return null;
  const country = address.country.toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) return null;
  const postal = typeof address.postal_code === 'string' ? address.postal_code.trim() : '';
  const state =
    typeof address.state === 'string' && address.state !== '' ? address.state.toUpperCase() : null;
  if (country === 'US') return /^\d{5}(-\d{4})?$/.test(postal) ? { country, state } : null;
  if (country === 'CA' && !state && postal === '') return null;
  return { country, state: null };
}

/** The jurisdiction's name: the US state's, else the country's. */
export function jurisdictionName({ country, state }: TaxLocation): string {
  if (state) return US_STATES[state] ?? state;
  try {
    return countryNames.of(country) ?? country;
  } catch {
    return country;
  }
}

/** What the customer owes tax as: their `tax_exempt`, and whether they hold an EU VAT id. */
export interface Buyer {
  exempt: 'exempt' | 'none' | 'reverse';
  euVatId: boolean;
}

/** A customer's `tax_exempt` and tax ids, as a `Buyer`. */
export function buyerOf(ctx: Ctx, customer: string | null | undefined): Buyer {
  const entry = customer ? ctx.find(customer, ['customer']) : undefined;
  const exempt = entry?.data.tax_exempt;
  return {
    exempt: exempt === 'exempt' || exempt === 'reverse' ? exempt : 'none',
    euVatId: taxIdsOf(ctx, entry?.id).some((id) => id.type === 'eu_vat'),
  };
}

/** A customer's tax ids, as an invoice shows them (`customer_tax_ids`): type and value. */
export function taxIdsOf(ctx: Ctx, customer: string | undefined): JsonObject[] {
  if (!customer) return [];
  return [...ctx.scope.all('tax_id')]
    .filter((id) => id.data.customer === customer)
    .map((id) => ({ type: id.data.type ?? 'unknown', value: id.data.value ?? null }));
}

/** Stripe Tax's verdict for one jurisdiction: why, and at what rate. */
export interface Taxability {
  reason: 'customer_exempt' | 'not_collecting' | 'reverse_charge' | 'standard_rated';
  percentage: number;
  tax_type: string;
  /** The tax type's display name (`Sales Tax`, `VAT`). */
  display_name: string;
}

/**
 * A registration's `status` by the clock: `scheduled` before its `active_from`, `expired` from its
 * `expires_at`, `active` between.
 */
export function registrationStatus(ctx: Ctx, registration: JsonObject): 'active' | 'expired' | 'scheduled' {
  if (Number(registration.active_from ?? 0) > ctx.now) return 'scheduled';
  if (typeof registration.expires_at === 'number' && registration.expires_at <= ctx.now) return 'expired';
  return 'active';
}

/** Whether an active registration of the account covers `where`. */
export function isRegistered(ctx: Ctx, where: TaxLocation): boolean {
  return [...ctx.scope.all('tax.registration')].some(({ data }) => {
    if (registrationStatus(ctx, data) !== 'active') return false;
    const options = isObject(data.country_options)
      ? Object.values(data.country_options).filter(isObject)
      : [];
    if (EU.has(where.country) && options.some((o) => String(o.type).startsWith('oss_'))) return true;
    if (data.country !== where.country) return false;
    if (where.country !== 'US') return true;
    return options.some((o) => o.state === where.state);
  });
}

/** The taxability of a sale to `buyer` at `where` (see the header). */
export function taxabilityAt(ctx: Ctx, where: TaxLocation, buyer: Buyer): Taxability {
  const rate = RATES[where.state ? `${where.country}-${where.state}` : where.country];
  const tax_type = rate?.tax_type ?? TAX_TYPES[where.country] ?? 'vat';
  const verdict = (reason: Taxability['reason'], percentage = 0): Taxability => ({
    reason,
    percentage,
    tax_type,
    display_name: TAX_TYPE_NAMES[tax_type] ?? tax_type.toUpperCase(),
  });
  if (!rate || !isRegistered(ctx, where)) return verdict('not_collecting');
  if (buyer.exempt === 'exempt') return verdict('customer_exempt');
  if (buyer.exempt === 'reverse' || (EU.has(where.country) && buyer.euVatId))
    return verdict('reverse_charge');
  return verdict('standard_rated', rate.percentage);
}

/**
 * The tax on `amount` at `percentage`: on top of it (`exclusive`), or inside it (`inclusive`, the
 * taxable amount being what is left without the tax). No tax has no taxable amount.
 */
export function taxOn(
  amount: number,
  percentage: number,
  inclusive: boolean,
): { tax: number; taxable_amount: number } {
  if (percentage === 0) return { tax: 0, taxable_amount: 0 };
  const taxable = inclusive ? Math.round(amount / (1 + percentage / 100)) : amount;
  return {
    tax: inclusive ? amount - taxable : Math.round((amount * percentage) / 100),
    taxable_amount: taxable,
  };
}

/** `7.25` → `'7.25'`, `0` → `'0.0'`: a percentage as Stripe writes `percentage_decimal`. */
export const percentageDecimal = (percentage: number): string =>
  Number.isInteger(percentage) ? percentage.toFixed(1) : String(percentage);

/** The address Stripe Tax places a customer by: their shipping address, else their billing one. */
function taxAddress(customer: JsonObject | undefined): { address: Json | undefined; shipping: boolean } {
  const shipping = isObject(customer?.shipping) ? customer.shipping.address : undefined;
  return isObject(shipping)
    ? { address: shipping, shipping: true }
    : { address: customer?.address, shipping: false };
}

/** Where a customer is taxed (`taxAddress`), or null when their address cannot say. */
export function customerLocation(customer: Entry | undefined): TaxLocation | null {
  return taxLocation(taxAddress(customer?.data).address);
}

/**
 * A customer's `tax` (rendered when expanded): where Stripe Tax places them and from which
 * address, and whether it can tax them there (`supported`), is not registered to
 * (`not_collecting`), or cannot place them (`unrecognized_location`).
 */
export function customerTax(ctx: Ctx, customer: JsonObject): JsonObject {
  const { address, shipping } = taxAddress(customer);
  const where = taxLocation(address);
  const given = isObject(customer.tax) ? customer.tax : {};
  return {
    automatic_tax: !where
      ? 'unrecognized_location'
      : isRegistered(ctx, where)
        ? 'supported'
        : 'not_collecting',
    ip_address: typeof given.ip_address === 'string' ? given.ip_address : null,
    location: where
      ? {
          country: where.country,
          source: shipping ? 'shipping_destination' : 'billing_address',
          state: where.state,
        }
      : null,
  };
}

/**
 * Refuses a customer's address Stripe Tax cannot place when asked to check it now
 * (`tax[validate_location]=immediately`), with Stripe's code for it.
 */
export function validateTaxLocation(customer: JsonObject, params: JsonObject): void {
  const asked = isObject(params.tax) ? params.tax.validate_location : undefined;
  if (asked !== 'immediately' || taxLocation(taxAddress(customer).address)) return;
  throw invalidRequest(
    'Stripe Tax cannot place this customer: their address needs a country (and a postal code in the US).',
    { code: 'customer_tax_location_invalid', param: 'address' },
  );
}

/**
 * The tax rate Stripe Tax files an automatic tax under: one per jurisdiction, rate and
 * inclusiveness, made the first time it is needed (marked apart from the account's own rates by
 * its `jurisdiction_level`, which those do not have).
 */
function automaticRate(ctx: Ctx, where: TaxLocation, verdict: Taxability, inclusive: boolean): string {
  const fields = {
    country: where.country,
    display_name: verdict.display_name,
    inclusive,
    jurisdiction: where.state ?? where.country,
    jurisdiction_level: where.state ? 'state' : 'country',
    percentage: verdict.percentage,
    state: where.state,
    tax_type: verdict.tax_type,
  };
  const same = [...ctx.scope.all('tax_rate')].find((rate) =>
    Object.entries(fields).every(([key, value]) => rate.data[key] === value),
  );
  if (same) return same.id;
  const rate = ctx.build('tax_rate', {
    active: true,
    description: null,
    effective_percentage: verdict.percentage,
    metadata: {},
    ...fields,
  });
  return ctx.insert('tax_rate', rate).id;
}

/** A `tax_amounts` entry of Stripe Tax's. */
export type AutomaticTaxAmount = {
  amount: number;
  inclusive: boolean;
  tax_rate: string;
  taxability_reason: Taxability['reason'];
  taxable_amount: number;
};

/**
 * The `tax_amounts` entry Stripe Tax gives `amount` (after discounts) billed at `where`: the
 * verdict's tax, filed under its automatic rate.
 */
export function automaticTaxAmount(
  ctx: Ctx,
  where: TaxLocation,
  verdict: Taxability,
  amount: number,
  inclusive: boolean,
): AutomaticTaxAmount {
  const owed = taxOn(amount, verdict.percentage, inclusive);
  return {
    amount: owed.tax,
    inclusive,
    tax_rate: automaticRate(ctx, where, verdict, inclusive),
    taxability_reason: verdict.reason,
    taxable_amount: owed.taxable_amount,
  };
}

/**
 * The `automatic_tax` a subscription (or a Checkout Session of a customer) takes from its
 * parameter: enabled only for a customer their address places, else Stripe's
 * `customer_tax_location_invalid`. Undefined when the parameter is absent.
 */
export function automaticTaxParam(
  ctx: Ctx,
  value: Json | undefined,
  customer: string | null | undefined,
): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  const enabled = value.enabled === true || value.enabled === 'true';
  if (enabled && !customerLocation(customer ? ctx.find(customer, ['customer']) : undefined))
    throw invalidRequest(
      "Automatic tax cannot be calculated: the customer's address does not say where they are taxed (a country, and a postal code in the US). Give the customer such an address first.",
      { code: 'customer_tax_location_invalid', param: 'automatic_tax[enabled]' },
    );
  return {
    enabled,
    liability: enabled ? (isObject(value.liability) ? value.liability : { type: 'self' }) : null,
  };
}
