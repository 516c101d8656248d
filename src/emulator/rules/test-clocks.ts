/**
 * Test clocks: a clock starts `ready` at its `frozen_time`; customers created on it
 * (`test_clock=`) start their subscriptions at the clock's time, and `advance` moves the clock
 * forward (`advancing`, then `ready`: `test_helpers.test_clock.advancing` and `.ready`), renewing
 * the subscriptions of its customers through every period that ended, with their invoices.
 */
import { invalidRequest } from '../engine/errors.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { renewSubscription } from './subscriptions.ts';

const RESOURCE = 'test_helpers.test_clock';

export const testClockRules: RuleBook = {
  [RESOURCE]: {
    beforeCreate(ctx, draft) {
      const frozen = typeof draft.frozen_time === 'number' ? draft.frozen_time : ctx.now;
      Object.assign(draft, {
        deletes_after: frozen + 30 * 86_400,
        frozen_time: frozen,
        name: draft.name ?? null,
        status: 'ready',
      });
    },
    actions: {
      advance(ctx, entry, params) {
        const to = Number(params.frozen_time);
        const from = Number(entry.data.frozen_time);
        if (!(to > from)) {
          throw invalidRequest(
            `The frozen_time (${to}) must be after the clock's current frozen_time (${from}).`,
            { param: 'frozen_time' },
          );
        }
        ctx.set(entry, { status: 'advancing' });
        const customers: Entry[] = [];
        for (const customer of ctx.scope.all('customer'))
          if (customer.data.test_clock === entry.id) customers.push(customer);
        for (const customer of customers)
          for (const subscription of ctx.children(customer, ['subscription']).reverse())
            renewSubscription(ctx, subscription, to);
        return ctx.set(entry, { frozen_time: to, status: 'ready' });
      },
    },
  },
};
