/** Stripe's currency facts: which it supports, which have no minor unit, minimum charges, symbols. */

/** Currencies Stripe supports (its list of settlement and presentment currencies). */
export const SUPPORTED_CURRENCIES: ReadonlySet<string> = new Set(
  (
    'usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd bwp byn bzd ' +
    'cad cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd ' +
    'hkd hnl htg huf idr ils inr isk jmd jod jpy kes kgs khr kmf krw kwd kyd kzt lak lbp lkr lrd lsl mad ' +
    'mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd omr pab pen pgk php pkr pln ' +
    'pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd std szl thb tjs tnd top try ttd twd tzs ' +
    'uah ugx uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw'
  ).split(' '),
);

/** Currencies without a minor unit: amounts are whole units. */
const ZERO_DECIMAL = new Set('bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf'.split(' '));

/** Stripe's minimum charge amount per currency, in the minor unit; 50 (cents) elsewhere. */
const MINIMUM_CHARGE: Readonly<Record<string, number>> = {
  aed: 200,
  bgn: 100,
  czk: 1500,
  dkk: 250,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  pln: 200,
  ron: 200,
  sek: 300,
  thb: 1000,
};

const SYMBOLS: Readonly<Record<string, string>> = {
  usd: '$',
  eur: '€',
  gbp: '£',
  jpy: '¥',
  cad: '$',
  aud: '$',
};

/** `$0.50`, `¥50`: an amount in the minor unit, written in the major one with its symbol. */
export function formatMoney(amount: number, currency: string): string {
  const value = ZERO_DECIMAL.has(currency) ? String(amount) : (amount / 100).toFixed(2);
  return `${SYMBOLS[currency] ?? ''}${value}`;
}

/** `$0.50 usd`, `¥50 jpy`: how Stripe's messages write an amount. */
export function formatAmount(amount: number, currency: string): string {
  return `${formatMoney(amount, currency)} ${currency}`;
}

/** The smallest amount Stripe charges in `currency`, in its minor unit. */
export function minimumCharge(currency: string): number {
  return MINIMUM_CHARGE[currency] ?? (ZERO_DECIMAL.has(currency) ? 1 : 50);
}
