/**
 * Smaller families' lifecycles, as Stripe documents their test mode:
 *
 * - Connect: login links exist only for Express accounts.
 * - Terminal: a configuration made through the API is not the account's default.
 * - Financial Connections: `refresh` (`features[]=balance|ownership|transactions`) fills the
 *   account's balance, its owners or its transactions and marks the refresh `succeeded`;
 *   `subscribe`/`unsubscribe` change its `subscriptions` (a transactions subscription refreshes
 *   them at once); `disconnect` disconnects it.
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import type { Json, JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import type { Entry } from '../engine/store.ts';
import { dashboardOf } from '../hosted/account-controller.ts';
import { withLinks } from '../hosted/index.ts';

const FC_ACCOUNT = 'financial_connections.account';

const features = (params: JsonObject): string[] =>
  (Array.isArray(params.features) ? params.features : [params.features]).filter(
    (f): f is string => typeof f === 'string',
  );

const refreshed = (ctx: Ctx): JsonObject => ({
  last_attempted_at: ctx.now,
  next_refresh_available_at: ctx.now + 3600,
  status: 'succeeded',
});

/** A checking account's test data: a balance, two owners, a few transactions. */
function refresh(ctx: Ctx, account: Entry, what: readonly string[]): Entry {
  const fields: JsonObject = {};
  if (what.includes('balance')) {
    fields.balance = {
      as_of: ctx.now,
      cash: { available: { usd: 1_025_000 } },
      current: { usd: 1_042_500 },
      type: 'cash',
    };
    fields.balance_refresh = refreshed(ctx);
  }
  if (what.includes('ownership')) {
    // Owners are listed under the account (`/owners?ownership=`); the ownership (expandable on the
    // account) names the refresh and holds them.
    const ownership = { id: `fcaowns_${ctx.random.string(24)}` };
    const owners: JsonObject[] = [];
    for (const [name, email] of [
      ['Jenny Rosen', 'jenny.rosen@example.com'],
      ['Barbara Liskov', 'barbara.liskov@example.com'],
    ] as const)
      owners.unshift(
        ctx.insert(
          'financial_connections.account_owner',
          ctx.build('financial_connections.account_owner', {
            email,
            name,
            ownership: ownership.id,
            phone: null,
            raw_address: '510 Townsend St, San Francisco, CA 94103',
            refreshed_at: ctx.now,
          }),
          { parent: account.id },
        ).data,
      );
    ctx.insert('financial_connections.account_ownership', {
      // Not a resource of its own (no endpoint): the refresh gives its id.
      id: ownership.id,
      ...ctx.build('financial_connections.account_ownership', {
        owners: {
          data: owners,
          has_more: false,
          object: 'list',
          url: `/v1/financial_connections/accounts/${account.id}/owners?ownership=${ownership.id}`,
        },
      }),
    });
    fields.ownership = ownership.id;
    fields.ownership_refresh = refreshed(ctx);
  }
  if (what.includes('transactions')) {
    const refreshId = `fctxnref_${ctx.random.string(24)}`;
    for (const [description, amount, days] of [
      ['Payroll', 250_000, 14],
      ['Rent', -180_000, 10],
      ['Coffee', -450, 2],
    ] as const)
      ctx.insert(
        'financial_connections.transaction',
        ctx.build('financial_connections.transaction', {
          account: account.id,
          amount,
          currency: 'usd',
          description,
          status: 'posted',
          status_transitions: { posted_at: ctx.now - days * 86_400, void_at: null },
          transacted_at: ctx.now - days * 86_400,
          transaction_refresh: refreshId,
          updated: ctx.now,
        }),
      );
    fields.transaction_refresh = { ...refreshed(ctx), id: refreshId };
  }
  return ctx.set(account, fields);
}

function subscriptions(account: Entry): string[] {
  return Array.isArray(account.data.subscriptions)
    ? account.data.subscriptions.filter((s): s is string => typeof s === 'string')
    : [];
}

export const familyRules: RuleBook = {
  login_link: {
    // Its url comes with every hosted flow's link (src/emulator/hosted/index.ts).
    beforeCreate(ctx, draft, { parent, params }) {
      if (parent && dashboardOf(parent) !== 'express') {
        throw invalidRequest(
          `Cannot create a login link for an account of type ${String(parent.data.type)}: only accounts with the Express dashboard have one.`,
          { param: 'account' },
        );
      }
      // Its dashboard opens once its owner has onboarded (the hosted onboarding page).
      if (parent && parent.data.details_submitted !== true)
        throw invalidRequest('Cannot create a login link for an account that has not completed onboarding.');
      withLinks(ctx, 'login_link', draft, { ...params, account: parent?.id ?? null });
    },
  },
  'terminal.configuration': {
    beforeCreate(_ctx, draft) {
      draft.is_account_default = false;
    },
  },
  [FC_ACCOUNT]: {
    actions: {
      refresh(ctx, entry, params) {
        const what = features(params);
        if (what.length === 0)
          throw invalidRequest('Missing required param: features.', { param: 'features' });
        return refresh(ctx, entry, what);
      },
      subscribe(ctx, entry, params) {
        const added = features(params);
        const next = [...new Set([...subscriptions(entry), ...added])] as Json[];
        const updated = ctx.set(entry, { subscriptions: next });
        return added.includes('transactions') ? refresh(ctx, updated, ['transactions']) : updated;
      },
      unsubscribe(ctx, entry, params) {
        const removed = features(params);
        return ctx.set(entry, { subscriptions: subscriptions(entry).filter((s) => !removed.includes(s)) });
      },
      disconnect(ctx, entry) {
        return ctx.set(entry, { status: 'disconnected' });
      },
    },
  },
};
