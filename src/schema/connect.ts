/**
 * Connect: one query can read several connected accounts. `connectedAccount(id:)` returns a
 * `ConnectedAccountScope` whose fields are the whole Query; the scope object belongs to that
 * account's upstream session, and every field resolves through the session of its parent
 * (src/schema/context.ts), so everything below it carries `Stripe-Account: acct_…` by construction,
 * whatever the field. (A `Stripe-Account` request header scopes a whole request instead; the server
 * handles that when it creates the request's session.)
 */
import type { UpstreamSession } from '../loaders/session.ts';
import type { Builder, StripeObjectRef } from './builder.ts';
import type { GatewayContext } from './context.ts';
import { userError } from './errors.ts';
import type { RootField } from './root.ts';

/** What `connectedAccount` resolves to: the account its fields act as. */
export interface ConnectedAccountMarker {
  stripeAccount: string;
}

/** A connected account id, as the `Stripe-Account` header and `connectedAccount(id:)` take it. */
export const ACCOUNT_ID = /^acct_[A-Za-z0-9]{1,250}$/;

/** The request's session acting as connected account `id`; `what` names the input in the error. */
export function sessionForAccount(context: GatewayContext, id: string, what: string): UpstreamSession {
  if (!ACCOUNT_ID.test(id)) {
    throw userError('BAD_USER_INPUT', `${what} takes a connected account id (acct_…)`, { id });
  }
  if (!context.sessionFor) {
    throw userError(
      'CONNECT_UNAVAILABLE',
      'This server cannot act as connected accounts (no sessionFor in context)',
    );
  }
  return context.sessionFor(id);
}

function enterScope(context: GatewayContext, id: string): ConnectedAccountMarker {
  return sessionForAccount(context, id, 'connectedAccount(id:)').adopt({ stripeAccount: id });
}

/**
 * Adds `ConnectedAccountScope` (every root field, read as one account), `Query.connectedAccount(id:)`
 * and `Account.asConnectedAccount`: what Stripe lists only as the account itself (its payouts, its
 * balance, its customers: no list filter names the account) is reached from the account.
 */
export function addConnectedAccountScope(
  builder: Builder,
  fields: readonly RootField[],
  account?: StripeObjectRef,
): void {
  const scope = builder.objectRef<ConnectedAccountMarker>('ConnectedAccountScope').implement({
    description:
      'Every query field, read as a connected account: Stripe calls below carry its Stripe-Account header.',
    fields: (t) => ({
      ...Object.fromEntries(fields.map((field) => [field.name, field.build(t)])),
      stripeAccount: t.field({
        type: 'ID',
        nullable: false,
        description: 'The connected account these fields act as.',
        resolve: (marker) => marker.stripeAccount,
      }),
    }),
  });
  builder.queryField('connectedAccount', (t) =>
    t.field({
      type: scope,
      nullable: true,
      description:
        'Reads the fields below as the connected account `id` (Stripe-Account), beside other accounts.',
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, args, context) => enterScope(context, String(args.id)),
    }),
  );
  if (!account) return;
  builder.objectField(account, 'asConnectedAccount', (t) =>
    t.field({
      type: scope,
      nullable: true,
      description:
        'Every query field read as this connected account (Stripe-Account): `asConnectedAccount { payouts { nodes { id } } balance { available { amount } } }`.',
      resolve: (parent, _args, context) =>
        typeof parent.id === 'string' ? enterScope(context, parent.id) : null,
    }),
  );
}
