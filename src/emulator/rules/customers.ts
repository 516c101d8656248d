/**
 * Customers: an invoice prefix, a source or payment method attached on create (and made the
 * invoices' default when `invoice_settings[default_payment_method]` names it; a saved card named
 * there is the default itself, as Stripe takes a card wherever a payment method goes), `source=` on update
 * replacing the default source, `default_source` limited to the customer's own sources, tax ids
 * (from `tax_id_data`, or owned by the customer through `/v1/tax_ids`) with their country, balance
 * transactions moving `balance` (an `initial` one for a balance given on create, an `adjustment`
 * for the difference when `balance` is set on update), and a delete that cancels the customer's
 * subscriptions and removes its sources.
 */

import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject, nullUnlessSet } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { discountFor } from '../money/discounts.ts';
import { validateTaxLocation } from '../money/stripe-tax.ts';
import { resolvePaymentInstrument, resolvePaymentMethod } from './payment-sources.ts';
import { attachSource, checkDefaultSource, SOURCE_RESOURCES, sourcesOf } from './sources.ts';

const SETTING = 'invoice_settings[default_payment_method]';

/**
 * A balance transaction of `customer`'s moving its balance by `amount` to what it is now: the
 * ledger whose sum is the balance, for a balance set on the customer itself.
 */
function recordBalanceChange(ctx: Ctx, customer: Entry, amount: number, type: string): void {
  ctx.insert(
    'customer_balance_transaction',
    ctx.build('customer_balance_transaction', {
      amount,
      credit_note: null,
      currency: customer.data.currency ?? 'usd',
      customer: customer.id,
      description: null,
      ending_balance: Number(customer.data.balance ?? 0),
      invoice: null,
      metadata: {},
      type,
    }),
    { parent: customer.id },
  );
}

/** The country a tax id is of: an EU VAT number's own prefix (Greece's is EL), else its type's (`us_ein`). */
function taxIdCountry(type: Json | undefined, value: Json | undefined): string | null {
  if (type === 'eu_vat' && typeof value === 'string' && /^[A-Za-z]{2}/.test(value)) {
    const prefix = value.slice(0, 2).toUpperCase();
    return prefix === 'EL' ? 'GR' : prefix;
  }
  const prefix = typeof type === 'string' ? /^([a-z]{2})_/.exec(type)?.[1] : undefined;
  return prefix && prefix !== 'eu' ? prefix.toUpperCase() : null;
}

/**
 * A new tax id's country, customer and owner, as Stripe fills them: the country its number is of,
 * and its customer named both ways (`customer`, and `owner` of type `customer`) whichever way it
 * was given (`/v1/customers/{c}/tax_ids`, or `owner[customer]` on `/v1/tax_ids`); one of no
 * customer is the account's own (`owner.type` self) unless the owner says otherwise.
 */
function taxIdFields(ctx: Ctx, draft: JsonObject): JsonObject {
  const given = isObject(draft.owner) ? draft.owner : {};
  const named = typeof draft.customer === 'string' ? draft.customer : undefined;
  const owned = given.type === 'customer' && typeof given.customer === 'string' ? given.customer : undefined;
  const customer = named ?? (owned ? ctx.require(owned, ['customer'], 'owner[customer]', 400).id : null);
  return {
    country: draft.country ?? taxIdCountry(draft.type, draft.value),
    customer,
    // The owner names only what it is: its customer, account or application (absent, not null).
    owner: ctx.sub('tax_i_ds_owner', {
      ...(typeof given.account === 'string' ? { account: given.account } : {}),
      ...(typeof given.application === 'string' ? { application: given.application } : {}),
      ...(customer ? { customer } : {}),
      type: customer ? 'customer' : (given.type ?? 'self'),
    }),
    verification: draft.verification ?? { status: 'pending', verified_address: null, verified_name: null },
  };
}

/** `method` (given as `given`) when it is attached to customer `customer`, else Stripe's 400. */
function attachedMethod(method: Entry, customer: string, given: string): Entry {
  if (method.data.customer === customer) return method;
  throw invalidRequest(
    `The customer does not have a payment method with the ID ${given}. The payment method must be attached to the customer.`,
    { param: SETTING },
  );
}

export const customerRules: RuleBook = {
  customer: {
    beforeCreate(ctx, draft, { params }) {
      validateTaxLocation(draft, params);
      const id = String(draft.id);
      if (typeof params.invoice_prefix !== 'string' || params.invoice_prefix === '')
        draft.invoice_prefix = ctx.random.upper(8);
      draft.invoice_settings = ctx.sub('invoice_setting_customer_setting', {
        custom_fields: null,
        default_payment_method: null,
        footer: null,
        rendering_options: null,
        ...(isObject(draft.invoice_settings) ? draft.invoice_settings : {}),
      });
      nullUnlessSet(draft, [
        'address',
        'currency',
        'default_source',
        'description',
        'discount',
        'email',
        'name',
        'phone',
        'shipping',
        'test_clock',
      ]);
      if (params.source !== undefined && params.source !== '') {
        draft.default_source = attachSource(ctx, id, params.source, 'source').id;
      }
      const discount = discountFor(ctx, params, { customer: id });
      if (discount !== undefined) draft.discount = discount;
      const attached =
        typeof params.payment_method === 'string'
          ? ctx.set(resolvePaymentMethod(ctx, params.payment_method, 'payment_method'), { customer: id })
          : undefined;
      const settings = isObject(params.invoice_settings) ? params.invoice_settings : undefined;
      if (typeof settings?.default_payment_method === 'string' && settings.default_payment_method !== '') {
        // Naming the `payment_method` just attached (a test alias like `pm_card_visa` included)
        // makes that one the default, as Stripe does.
        const given = settings.default_payment_method;
        (draft.invoice_settings as JsonObject).default_payment_method = attachedMethod(
          given === params.payment_method && attached
            ? attached
            : resolvePaymentInstrument(ctx, given, SETTING),
          id,
          given,
        ).id;
      }
      if (Array.isArray(params.tax_id_data)) {
        for (const item of params.tax_id_data) {
          if (!isObject(item)) continue;
          const taxId = ctx.build('tax_id', {
            customer: id,
            type: item.type ?? 'unknown',
            value: item.value ?? '',
          });
          ctx.insert('tax_id', { ...taxId, ...taxIdFields(ctx, taxId) });
        }
      }
    },
    // A balance given on create is the customer's first balance transaction, of type `initial`.
    afterCreate(ctx, entry) {
      const balance = Number(entry.data.balance ?? 0);
      if (balance !== 0) recordBalanceChange(ctx, entry, balance, 'initial');
    },
    // A balance set on update moves it by the difference, an `adjustment` in its ledger.
    afterUpdate(ctx, entry, params, before) {
      if (params.balance === undefined) return;
      const change = Number(entry.data.balance ?? 0) - Number(before.data.balance ?? 0);
      if (change !== 0) recordBalanceChange(ctx, entry, change, 'adjustment');
    },
    beforeUpdate(ctx, draft, params, entry) {
      validateTaxLocation(draft, params);
      const discount = discountFor(ctx, params, { customer: entry.id });
      if (discount !== undefined) draft.discount = discount;
      if (params.source !== undefined && params.source !== '') {
        const previous = entry.data.default_source;
        const source = attachSource(ctx, entry.id, params.source, 'source');
        draft.default_source = source.id;
        if (typeof previous === 'string') {
          const old = ctx.find(previous, SOURCE_RESOURCES);
          if (old && old.id !== source.id) ctx.remove(old);
        }
      } else if (params.default_source !== undefined) {
        checkDefaultSource(ctx, entry.id, params.default_source);
      }
      const settings = isObject(params.invoice_settings) ? params.invoice_settings : undefined;
      if (
        settings &&
        typeof settings.default_payment_method === 'string' &&
        settings.default_payment_method !== ''
      ) {
        const given = settings.default_payment_method;
        (draft.invoice_settings as JsonObject).default_payment_method = attachedMethod(
          resolvePaymentInstrument(ctx, given, SETTING),
          entry.id,
          given,
        ).id;
      }
    },
    beforeDelete(ctx, entry) {
      for (const source of sourcesOf(ctx, entry)) ctx.remove(source);
      for (const subscription of ctx.children(entry, ['subscription'])) {
        if (subscription.data.status !== 'canceled') {
          ctx.set(subscription, { status: 'canceled', canceled_at: ctx.now, ended_at: ctx.now });
        }
      }
    },
  },
  customer_balance_transaction: {
    beforeCreate(ctx, draft, { parent }) {
      if (!parent) return;
      const balance = Number(parent.data.balance ?? 0) + Number(draft.amount ?? 0);
      draft.ending_balance = balance;
      draft.type = 'adjustment';
      draft.credit_note = null;
      draft.invoice = null;
      draft.description ??= null;
      ctx.set(parent, { balance });
    },
  },
  tax_id: {
    beforeCreate(ctx, draft) {
      Object.assign(draft, taxIdFields(ctx, draft));
    },
    // `GET /v1/tax_ids` lists the account's own unless `owner` names another (its default is
    // `owner[type]=self`); a customer's list is its own.
    defaultListFilter(params, nested) {
      if (nested || params.owner !== undefined) return undefined;
      return (entry) => isObject(entry.data.owner) && entry.data.owner.type === 'self';
    },
  },
};
