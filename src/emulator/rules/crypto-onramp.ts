/**
 * Crypto Onramp (a preview API, src/spec/overlay.ts).
 *
 * - `GET /v1/crypto/onramp/quotes` computes quotes from the parameters: for each network (all, or
 *   `destination_networks`), each currency it carries (all, or `destination_currencies`), the
 *   amount bought for `source_amount` (default 100.00), or the fiat needed for `destination_amount`
 *   (which needs exactly one currency and one network), with a network fee and a transaction fee.
 * - Sessions list by status, and by destination currency or network (in their transaction details).
 * - A new session gets a client secret, status `initialized`, the currencies and networks it
 *   offers (all unless locked), its defaults checked against them, and, when it names a source
 *   amount, currency and network, the destination amount and fees from the same quote.
 *
 * Rates and fees are the emulator's fixed demo numbers, not market data.
 */
import { createHash } from 'node:crypto';
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';

/** Demo price of one unit in USD, and the decimals amounts are written with. */
const CURRENCIES: Readonly<Record<string, { usd: number; decimals: number }>> = {
  avax: { usd: 35, decimals: 8 },
  btc: { usd: 62_500, decimals: 8 },
  eth: { usd: 3_400, decimals: 8 },
  matic: { usd: 0.7, decimals: 8 },
  sol: { usd: 150, decimals: 9 },
  usdc: { usd: 1, decimals: 6 },
  xlm: { usd: 0.11, decimals: 7 },
};
/** Demo networks: the currencies each carries and its network fee in USD. */
const NETWORKS: Readonly<Record<string, { currencies: readonly string[]; fee: number }>> = {
  avalanche: { currencies: ['avax', 'usdc'], fee: 0.03 },
  base: { currencies: ['eth', 'usdc'], fee: 0.07 },
  bitcoin: { currencies: ['btc'], fee: 2.5 },
  ethereum: { currencies: ['eth', 'usdc'], fee: 1.25 },
  optimism: { currencies: ['eth', 'usdc'], fee: 0.05 },
  polygon: { currencies: ['matic', 'usdc'], fee: 0.01 },
  solana: { currencies: ['sol', 'usdc'], fee: 0.01 },
  stellar: { currencies: ['xlm', 'usdc'], fee: 0.01 },
  worldchain: { currencies: ['eth', 'usdc'], fee: 0.02 },
};
/** Demo fiat rates against USD. */
const FIAT_PER_USD: Readonly<Record<string, number>> = { usd: 1, eur: 0.92 };
/** Transaction fee: a share of the fiat amount. */
const TRANSACTION_FEE = 0.04;
const DEFAULT_SOURCE_AMOUNT = '100.00';

/** The key of a network in per-network maps (`base` is spelled `base_network` there). */
const networkKey = (network: string) => (network === 'base' ? 'base_network' : network);
const cents = (value: number) => (Math.round(value * 100) / 100).toFixed(2);
const strings = (value: Json | undefined): string[] | undefined =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : undefined;
const hash = (...parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

interface QuoteRequest {
  sourceCurrency: string;
  sourceAmount?: string;
  destinationAmount?: string;
  currencies?: string[];
  networks?: string[];
}

interface NetworkQuote {
  destination_amount: string;
  destination_currency: string;
  destination_network: string;
  fees: { network_fee_monetary: string; transaction_fee_monetary: string };
  source_total_amount: string;
}

/** One quote: what `sourceAmount` (fiat) buys of `currency` on `network`, or what `destinationAmount` costs. */
function quoteFor(
  request: QuoteRequest,
  currency: string,
  network: string,
): NetworkQuote & { source: string } {
  const fiat = FIAT_PER_USD[request.sourceCurrency] ?? 1;
  const { usd, decimals } = CURRENCIES[currency]!;
  let source: number;
  let destination: number;
  if (request.destinationAmount !== undefined) {
    destination = Number(request.destinationAmount);
    source = destination * usd * fiat;
  } else {
    source = Number(request.sourceAmount ?? DEFAULT_SOURCE_AMOUNT);
    destination = source / fiat / usd;
  }
  const networkFee = NETWORKS[network]!.fee * fiat;
  const transactionFee = source * TRANSACTION_FEE;
  return {
    source: cents(source),
    destination_amount: destination.toFixed(decimals),
    destination_currency: currency,
    destination_network: network,
    fees: { network_fee_monetary: cents(networkFee), transaction_fee_monetary: cents(transactionFee) },
    source_total_amount: cents(source + networkFee + transactionFee),
  };
}

function checkAmounts(request: QuoteRequest): void {
  if (request.sourceAmount !== undefined && request.destinationAmount !== undefined) {
    throw invalidRequest('Set source_amount or destination_amount, not both.', {
      param: 'destination_amount',
    });
  }
  for (const [param, value] of [
    ['source_amount', request.sourceAmount],
    ['destination_amount', request.destinationAmount],
  ] as const) {
    if (value !== undefined && !(Number(value) > 0)) {
      throw invalidRequest(`${param} must be a positive decimal amount.`, { param });
    }
  }
}

/** The quotes object for a request (GET /v1/crypto/onramp/quotes). */
export function onrampQuote(ctx: Ctx, request: QuoteRequest): JsonObject {
  checkAmounts(request);
  if (
    request.destinationAmount !== undefined &&
    (request.currencies?.length !== 1 || request.networks?.length !== 1)
  ) {
    throw invalidRequest(
      'destination_amount needs exactly one destination currency and one destination network.',
      {
        param: 'destination_amount',
      },
    );
  }
  const networks: JsonObject = {};
  let source = cents(Number(request.sourceAmount ?? DEFAULT_SOURCE_AMOUNT));
  for (const network of Object.keys(NETWORKS)) {
    const wanted = request.networks === undefined || request.networks.includes(network);
    const currencies = NETWORKS[network]!.currencies.filter((c) => request.currencies?.includes(c) ?? true);
    if (!wanted || currencies.length === 0) {
      networks[networkKey(network)] = null;
      continue;
    }
    networks[networkKey(network)] = currencies.map((currency) => {
      const { source: fiat, ...quote } = quoteFor(request, currency, network);
      source = fiat;
      return { id: hash(ctx.now, network, currency, request), ...quote };
    });
  }
  return {
    id: hash(ctx.now, request),
    object: 'crypto.onramp.quotes',
    destination_network_quotes: networks,
    livemode: false,
    rate_fetched_at: ctx.now,
    source_amount: source,
    source_currency: request.sourceCurrency,
  };
}

/** Checks that a session's default `value` is among the ones it offers. */
function offered(value: Json | undefined, offers: readonly string[], param: string): string | null {
  if (value === undefined || value === null) return null;
  if (!offers.includes(String(value))) {
    throw invalidRequest(`${param} must be one of ${offers.join(', ')}.`, { param });
  }
  return String(value);
}

export const cryptoOnrampRules: RuleBook = {
  'crypto.onramp_quote': {
    singleton(ctx, route, _parents, params) {
      if (route.op.path !== '/v1/crypto/onramp/quotes') return undefined;
      const request: QuoteRequest = { sourceCurrency: String(params.source_currency ?? 'usd') };
      if (params.source_amount !== undefined) request.sourceAmount = String(params.source_amount);
      if (params.destination_amount !== undefined)
        request.destinationAmount = String(params.destination_amount);
      const currencies = strings(params.destination_currencies);
      const networks = strings(params.destination_networks);
      if (currencies) request.currencies = currencies;
      if (networks) request.networks = networks;
      return onrampQuote(ctx, request);
    },
  },
  'crypto.onramp_session': {
    /** The list's `destination_currency` and `destination_network` filter on the transaction details. */
    listFilter(name, value) {
      if (name !== 'destination_currency' && name !== 'destination_network') return undefined;
      return (entry) =>
        isObject(entry.data.transaction_details) && entry.data.transaction_details[name] === value;
    },
    beforeCreate(ctx, draft, { params }) {
      const currencies = strings(params.destination_currencies) ?? Object.keys(CURRENCIES);
      const networks = strings(params.destination_networks) ?? Object.keys(NETWORKS);
      const currency = offered(params.destination_currency, currencies, 'destination_currency');
      const network = offered(params.destination_network, networks, 'destination_network');
      const request: QuoteRequest = { sourceCurrency: String(params.source_currency ?? 'usd') };
      if (params.source_amount !== undefined) request.sourceAmount = String(params.source_amount);
      if (params.destination_amount !== undefined)
        request.destinationAmount = String(params.destination_amount);
      checkAmounts(request);
      if (request.destinationAmount !== undefined && (!currency || !network)) {
        throw invalidRequest('destination_amount needs destination_currency and destination_network.', {
          param: 'destination_amount',
        });
      }
      const wallets = isObject(params.wallet_addresses) ? params.wallet_addresses : null;
      const amounts =
        currency && network && (request.sourceAmount ?? request.destinationAmount) !== undefined
          ? quoteFor(request, currency, network)
          : undefined;
      const wallet = network && wallets ? wallets[networkKey(network)] : undefined;
      Object.assign(draft, {
        client_secret: `${String(draft.id)}_secret_${ctx.random.string(32)}`,
        kyc_details_provided: isObject(params.kyc_details),
        metadata: draft.metadata ?? {},
        redirect_url: null,
        status: 'initialized',
        transaction_details: {
          destination_amount: amounts?.destination_amount ?? null,
          destination_currencies: currencies,
          destination_currency: currency,
          destination_network: network,
          destination_networks: networks,
          fees: amounts
            ? {
                network_fee_amount: amounts.fees.network_fee_monetary,
                transaction_fee_amount: amounts.fees.transaction_fee_monetary,
              }
            : null,
          lock_wallet_address: params.lock_wallet_address === true,
          source_amount: amounts?.source ?? request.sourceAmount ?? null,
          source_currency: params.source_currency === undefined ? null : request.sourceCurrency,
          transaction_id: null,
          wallet_address: typeof wallet === 'string' ? wallet : null,
          wallet_addresses: wallets ? ctx.sub('crypto_onramp_wallet_addresses', wallets) : null,
        },
      });
    },
  },
};
