/**
 * An object of any resource for tests that look at every resource: created through the API
 * (parameters built generically from the operation's required parameters, with a small table where
 * values must mean something), or taken from the seed, or stored with the emulator's defaults.
 */
import { loadApi } from '../../src/emulator/engine/api.ts';
import type { JsonObject } from '../../src/emulator/engine/json.ts';
import type { Route } from '../../src/emulator/engine/routes.ts';
import type { Entry } from '../../src/emulator/engine/store.ts';
import { SEED_PREVIEW } from '../../src/emulator/seed/preview.ts';
import { SEED } from '../../src/emulator/seed/seed.ts';
import type { InParam, InType } from '../../src/spec/types.ts';
import type { EmulatorHarness } from './helpers.ts';

export const api = loadApi();
const registry = api.registry;
let h: EmulatorHarness;

/** Points the functions below at a started harness. */
export function useHarness(harness: EmulatorHarness): void {
  h = harness;
}

const service = () => h.emulator.service;

/** A financial account that holds money (the demo data's). */
function seededFinancialAccount(): string {
  for (const entry of h.emulator.store.platform.all('treasury.financial_account')) {
    const account = service().call('GET', `/v1/treasury/financial_accounts/${entry.id}`);
    const cash = (account.balance as JsonObject).cash as JsonObject;
    if (Number(cash.usd ?? 0) >= 100) return entry.id;
  }
  throw new Error('no financial account with money in the demo data');
}

/** A new received credit or debit (test helper) into the demo data's financial account. */
function receivedFlow(kind: string): string {
  const made = service().call('POST', `/v1/test_helpers/treasury/${kind}`, {
    financial_account: seededFinancialAccount(),
    amount: 100,
    currency: 'usd',
    network: 'ach',
  });
  return String(made.id);
}

/** A tax calculation's parameters: a line for a New York address. */
export const TAX_CALCULATION: JsonObject = {
  currency: 'usd',
  line_items: [{ amount: 1000, reference: 'L1' }],
  customer_details: {
    address: { country: 'US', state: 'NY', postal_code: '10001' },
    address_source: 'shipping',
  },
};

/** The response of the last create `obtain` made, by resource. */
export const createdResponses = new Map<string, JsonObject>();

/** Create parameters that must name real things or hold meaningful values. */
export const CREATE_PARAMS: Readonly<Record<string, () => JsonObject>> = {
  customer: () => ({ email: 'spec@example.com', source: 'tok_visa' }),
  bank_account: () => ({ external_account: 'btok_us_verified' }),
  charge: () => ({ amount: 2000, currency: 'usd', source: 'tok_visa' }),
  refund: () => ({ charge: SEED.grace.charge, amount: 100 }),
  // The Dashboard's payment methods (the default), some redirecting: a return_url to come back to.
  payment_intent: () => ({
    amount: 1000,
    currency: 'usd',
    payment_method: 'pm_card_visa',
    confirm: true,
    return_url: 'https://example.com/return',
  }),
  subscription: () => ({ customer: SEED.dennis.customer, items: [{ price: SEED.prices.proMonthly }] }),
  subscription_item: () => ({ subscription: SEED.jenny.subscription, price: SEED.prices.proMonthly }),
  invoice: () => ({ customer: SEED.linus.customer }),
  invoiceitem: () => ({ customer: SEED.linus.customer, amount: 500, currency: 'usd' }),
  credit_note: () => ({ invoice: SEED.jenny.invoice, amount: 100 }),
  // A received credit or debit is reversed once: each reversal gets a new one.
  'treasury.credit_reversal': () => ({ received_credit: receivedFlow('received_credits') }),
  'treasury.debit_reversal': () => ({ received_debit: receivedFlow('received_debits') }),
  price: () => ({ currency: 'usd', unit_amount: 100, product: SEED.products.basic }),
  plan: () => ({ currency: 'usd', interval: 'month', amount: 100, product: SEED.products.basic }),
  coupon: () => ({ percent_off: 5, duration: 'once' }),
  promotion_code: () => ({ coupon: SEED.coupons.welcome }),
  transfer: () => ({ amount: 100, currency: 'usd', destination: SEED.connected.account }),
  token: () => ({ card: { number: '4242424242424242', exp_month: '12', exp_year: '2030', cvc: '123' } }),
  payment_method: () => ({
    type: 'card',
    card: { number: '4242424242424242', exp_month: 12, exp_year: 2030 },
  }),
  // Forwarding needs a card's details: the seed's latest payment method is a bank account.
  'forwarding.request': () => ({
    payment_method: [...h.emulator.store.platform.all('payment_method')].find(
      (pm) => pm.data.type === 'card',
    )!.id,
  }),
  payment_link: () => ({ line_items: [{ price: SEED.prices.tshirt, quantity: 1 }] }),
  'checkout.session': () => ({
    mode: 'payment',
    success_url: 'https://example.com/ok',
    line_items: [{ price: SEED.prices.tshirt, quantity: 1 }],
  }),
  source: () => ({ type: 'ach_credit_transfer', currency: 'usd' }),
  file: () => ({ purpose: 'dispute_evidence', file: 'hello' }),
  'climate.order': () => ({ product: SEED.climate.product, metric_tons: '1' }),
  // Outbound flows take only what the account holds: the seeded account, which has money.
  'treasury.outbound_transfer': () => ({ financial_account: seededFinancialAccount(), amount: 100 }),
  'treasury.outbound_payment': () => ({ financial_account: seededFinancialAccount(), amount: 100 }),
  file_link: () => ({}),
  // Stripe Tax calculates for an address; a transaction records a calculation, under a new reference.
  'tax.calculation': () => TAX_CALCULATION,
  'tax.transaction': () => {
    const calculation = String(service().call('POST', '/v1/tax/calculations', TAX_CALCULATION).id);
    return { calculation, reference: `obtained-${calculation}` };
  },
  // Test mode registers a simulated reader only.
  'terminal.reader': () => ({ registration_code: 'simulated-wpe' }),
  'terminal.hardware_order': () => ({
    hardware_order_items: [{ terminal_hardware_sku: SEED_PREVIEW.skus.wisePosEUs, quantity: 1 }],
    payment_type: 'monthly_invoice',
    shipping: {
      name: 'Spec Test',
      email: 'spec@example.com',
      phone: '4155550100',
      address: { line1: '1 Main St', postal_code: '94111', country: 'US' },
    },
    shipping_method: SEED_PREVIEW.shippingMethods.usStandard,
  }),
};

/** Any stored object of `resource` (the newest). */
export function stored(resource: string): Entry | undefined {
  let last: Entry | undefined;
  for (const entry of h.emulator.store.platform.all(resource)) last = entry;
  return last;
}

/** A value for a required parameter: an id where the name says which resource, else by type. */
function valueFor(param: InParam, resource: string, depth: number): unknown {
  const prop = registry.prop(resource, param.name);
  const named = [param.name, `treasury.${param.name}`, `issuing.${param.name}`, `radar.${param.name}`].find(
    (n) => registry.resources.has(n),
  );
  // A resource embedded whole (`product_feature.entitlement_feature`) is given by id too.
  const embedded =
    prop?.type.k === 'object' && registry.resources.has(prop.type.name) ? prop.type.name : undefined;
  const target = prop?.type.k === 'ref' ? registry.resourcesOf(prop.type)[0] : (embedded ?? named);
  if (target && param.type.k === 'string' && target !== resource && depth < 3)
    return obtain(target, depth + 1)?.id;
  return sample(param.name, param.type, depth);
}

function sample(name: string, type: InType, depth: number): unknown {
  switch (type.k) {
    case 'string':
      if (name === 'currency' || name.endsWith('currencies')) return 'usd';
      if (name === 'country') return 'US';
      if (name.includes('url')) return 'https://example.com';
      if (name === 'domain_name') return 'example.com';
      if (name.includes('email')) return 'spec@example.com';
      return 'test';
    case 'int':
      return 1000;
    case 'time':
      return 1_900_000_000;
    case 'float':
      return 1;
    case 'bool':
      return false;
    case 'enum':
      return type.values.find((v) => v !== '') ?? '';
    case 'json':
      return {};
    case 'array':
      return [sample(name, type.of, depth)];
    case 'anyOf':
      return sample(
        name,
        type.of.find((t) => !(t.k === 'enum' && t.values.every((v) => v === ''))) ?? type.of[0]!,
        depth,
      );
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const p of type.props) if (p.required) out[p.name] = sample(p.name, p.type, depth);
      return out;
    }
  }
}

/** Values for the required parameters among `params` (an operation's body or query), about `resource`. */
export function requiredValues(params: readonly InParam[], resource: string, depth = 0): JsonObject {
  const out: JsonObject = {};
  for (const param of params) {
    if (param.required) out[param.name] = valueFor(param, resource, depth) as JsonObject[string];
  }
  return out;
}

const creating = new Set<string>();

/** An object of `resource`: created through the API, else seeded, else stored with defaults. */
export function obtain(resource: string, depth = 0): Entry | undefined {
  const existing = stored(resource);
  if (existing && (depth > 0 || !createRoute(resource))) return existing;
  if (creating.has(resource)) return existing;
  creating.add(resource);
  try {
    const route = createRoute(resource);
    if (route) {
      const params = requiredValues(route.op.body, resource, depth);
      Object.assign(params, CREATE_PARAMS[resource]?.());
      const path = route.op.path.replace(/\{[^}]+\}/g, () => {
        const parent = route.parents.at(-1)!;
        return obtain(parent.resources[0]!, depth + 1)!.id;
      });
      const created = service().call('POST', path, params);
      createdResponses.set(resource, created);
      return h.emulator.store.platform.find(String(created.id)) ?? stored(resource);
    }
    return existing ?? storeDefault(resource, depth);
  } finally {
    creating.delete(resource);
  }
}

/** The first create route of a resource whose ancestors can be obtained. */
export function createRoute(resource: string): Route | undefined {
  return api.routes
    .filter(
      (r) =>
        r.op.kind === 'create' &&
        r.resources[0] === resource &&
        r.parents.length <= 1 &&
        !r.op.path.includes('/test_helpers/'),
    )
    .sort((a, b) => a.parents.length - b.parents.length)[0];
}

/** Stores an object built from the model's defaults, under an obtained parent where the route needs one. */
function storeDefault(resource: string, depth: number): Entry {
  const route = retrieveRoutes(resource)[0];
  const parent = route?.parents.at(-1);
  const parentEntry = parent?.resources[0] ? obtain(parent.resources[0], depth + 1) : undefined;
  return service().transaction((ctx) => {
    const fields: JsonObject = {};
    const prop = parentEntry ? registry.parentProp(resource, parentEntry.resource) : undefined;
    if (parentEntry && prop) fields[prop] = parentEntry.id;
    return ctx.insert(
      resource,
      ctx.build(resource, fields),
      parentEntry && !prop ? { parent: parentEntry.id } : {},
    );
  });
}

export function retrieveRoutes(resource: string): Route[] {
  return api.routes.filter(
    (r) => r.op.kind === 'retrieve' && !r.op.singleton && r.resources.includes(resource),
  );
}

/** The path of `route` for `entry`, filling ancestors from the object's links. */
export function pathFor(route: Route, entry: Entry): string | undefined {
  const values: string[] = [];
  for (const [index] of route.params.entries()) {
    if (index === route.target) values.push(entry.id);
    else {
      const parent = route.parents.find((p) => p.index === index);
      const prop = parent?.resources[0]
        ? registry.parentProp(entry.resource, parent.resources[0])
        : undefined;
      const id = (prop ? entry.data[prop] : undefined) ?? entry.parent;
      if (typeof id !== 'string') return undefined;
      values.push(id);
    }
  }
  let i = 0;
  return route.op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(values[i++]!));
}
