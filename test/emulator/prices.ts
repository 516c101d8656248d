/** Prices the billing tests buy and subscribe to, each of a product of its own. */
import type Stripe from 'stripe';

/** A new monthly price of `amount` cents. */
export const monthlyPrice = (stripe: Stripe, amount: number) =>
  stripe.prices.create({
    currency: 'usd',
    unit_amount: amount,
    product_data: { name: `Monthly ${amount}` },
    recurring: { interval: 'month' },
  });

/** A new one-time price of `amount` cents. */
export const oneTimePrice = (stripe: Stripe, amount: number) =>
  stripe.prices.create({ currency: 'usd', unit_amount: amount, product_data: { name: `Once ${amount}` } });
