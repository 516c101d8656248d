/**
 * `CryptoOnrampSession.quote`: the current quote for the conversion a session describes. Stripe's
 * session object names no quote; the quotes endpoint (GET /v1/crypto/onramp/quotes) takes the same
 * facts as parameters (source currency and amount, destination currency and network), so the
 * relation is the quote for the session's own transaction details. Both are preview resources
 * (src/spec/overlay.ts); without them (STRIPE_PREVIEW_RESOURCES=off) the field is not added.
 */
import type { StripeObject } from '../loaders/requests.ts';
import type { Builder, StripeObjectRef } from './builder.ts';
import { sessionOf } from './context.ts';
import { planExtensions } from './plans.ts';
import { previewMark } from './preview.ts';
import type { TypeRegistry } from './registry.ts';

const SESSION = 'crypto.onramp_session';
const QUOTE = 'crypto.onramp_quote';

/** The quote request's parameters from a session's transaction details. */
export function quoteParams(session: StripeObject): Record<string, unknown> {
  const details = (session.transaction_details ?? {}) as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  if (typeof details.source_currency === 'string') params.source_currency = details.source_currency;
  if (typeof details.source_amount === 'string') params.source_amount = details.source_amount;
  else if (typeof details.destination_amount === 'string')
    params.destination_amount = details.destination_amount;
  if (typeof details.destination_currency === 'string')
    params.destination_currencies = [details.destination_currency];
  if (typeof details.destination_network === 'string')
    params.destination_networks = [details.destination_network];
  return params;
}

export function addOnrampSessionQuote(builder: Builder, registry: TypeRegistry): void {
  const session: StripeObjectRef | undefined = registry.objects.get(SESSION);
  const quote: StripeObjectRef | undefined = registry.objects.get(QUOTE);
  const op = registry.model.operations.find((o) => o.resource === QUOTE && o.kind === 'retrieve');
  if (!session || !quote || !op) return;
  builder.objectField(session, 'quote', (t) =>
    t.field({
      type: quote,
      nullable: true,
      ...previewMark(true, undefined, planExtensions({ operation: op.id, shape: 'object' })),
      resolve: (parent, _args, ctx) =>
        sessionOf(ctx, parent).get<StripeObject>({ path: op.path, params: quoteParams(parent) }),
    }),
  );
}
