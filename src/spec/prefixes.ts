/**
 * Stripe id prefixes by resource, as data: the one table the emulator mints ids from and `node(id)`
 * dispatches on. Each entry is a fact read from Stripe's fixtures, docs or API responses. Stripe does
 * not promise prefixes (it may add or change them), so `node(id)` refuses an unknown or shared prefix
 * instead of guessing. Plans share `price_` with prices (Stripe's fixtures show plan ids `price_…`),
 * and two tax line item types share `tax_li_`. The preview resources (src/spec/overlay.ts) are
 * listed too; Crypto Onramp quotes have no prefix (their ids are hashes) and are not read by id.
 */
export const ID_PREFIXES: Readonly<Record<string, string>> = {
  account: 'acct_',
  apple_pay_domain: 'apwc_',
  application: 'ca_',
  application_fee: 'fee_',
  'apps.secret': 'appsecret_',
  balance_transaction: 'txn_',
  bank_account: 'ba_',
  'billing.meter': 'mtr_',
  'billing.meter_event_adjustment': 'mtrea_',
  'billing_portal.configuration': 'bpc_',
  'billing_portal.session': 'bps_',
  card: 'card_',
  cash_balance: 'cb_',
  charge: 'ch_',
  'checkout.session': 'cs_',
  'climate.order': 'climorder_',
  'climate.product': 'climsku_',
  'climate.supplier': 'climsup_',
  confirmation_token: 'ctoken_',
  credit_note: 'cn_',
  'crypto.onramp_session': 'cos_',
  credit_note_line_item: 'cnli_',
  customer: 'cus_',
  customer_balance_transaction: 'cbtxn_',
  customer_cash_balance_transaction: 'ccsbtxn_',
  customer_session: 'cuss_',
  discount: 'di_',
  dispute: 'dp_',
  'entitlements.active_entitlement': 'ent_',
  'entitlements.feature': 'feat_',
  ephemeral_key: 'ephkey_',
  event: 'evt_',
  fee_refund: 'fr_',
  file: 'file_',
  file_link: 'link_',
  'financial_connections.account': 'fca_',
  'financial_connections.account_owner': 'fcaowner_',
  'financial_connections.account_ownership': 'fcaowns_',
  'financial_connections.session': 'fcsess_',
  'financial_connections.transaction': 'fctxn_',
  'forwarding.request': 'fwdreq_',
  'identity.verification_report': 'vr_',
  'identity.verification_session': 'vs_',
  invoice: 'in_',
  invoiceitem: 'ii_',
  'issuing.authorization': 'iauth_',
  'issuing.card': 'ic_',
  'issuing.cardholder': 'ich_',
  'issuing.dispute': 'idp_',
  'issuing.personalization_design': 'ipcd_',
  'issuing.physical_bundle': 'ics_',
  'issuing.settlement': 'ise_',
  'issuing.token': 'intok_',
  'issuing.transaction': 'ipi_',
  item: 'li_',
  line_item: 'il_',
  login_link: 'lael_',
  mandate: 'mandate_',
  payment_intent: 'pi_',
  payment_link: 'plink_',
  payment_method: 'pm_',
  payment_method_configuration: 'pmc_',
  payment_method_domain: 'pmd_',
  payout: 'po_',
  person: 'person_',
  plan: 'price_',
  price: 'price_',
  product: 'prod_',
  product_feature: 'prodft_',
  promotion_code: 'promo_',
  quote: 'qt_',
  'radar.early_fraud_warning': 'issfr_',
  'radar.value_list': 'rsl_',
  'radar.value_list_item': 'rsli_',
  refund: 're_',
  'reporting.report_run': 'frr_',
  review: 'prv_',
  scheduled_query_run: 'sqr_',
  setup_attempt: 'setatt_',
  setup_intent: 'seti_',
  shipping_rate: 'shr_',
  source: 'src_',
  source_mandate_notification: 'srcmn_',
  source_transaction: 'srctxn_',
  subscription: 'sub_',
  subscription_item: 'si_',
  subscription_schedule: 'sub_sched_',
  'tax.calculation': 'taxcalc_',
  'tax.calculation_line_item': 'tax_li_',
  'tax.registration': 'taxreg_',
  'tax.transaction': 'tax_',
  'tax.transaction_line_item': 'tax_li_',
  tax_code: 'txcd_',
  tax_id: 'txi_',
  tax_rate: 'txr_',
  'terminal.configuration': 'tmc_',
  'terminal.connection_token': 'pst_',
  'terminal.hardware_order': 'thor_',
  'terminal.hardware_product': 'thpr_',
  'terminal.hardware_shipping_method': 'thsm_',
  'terminal.hardware_sku': 'thsku_',
  'terminal.location': 'tml_',
  'terminal.reader': 'tmr_',
  'test_helpers.test_clock': 'clock_',
  token: 'tok_',
  topup: 'tu_',
  transfer: 'tr_',
  transfer_reversal: 'trr_',
  'treasury.credit_reversal': 'credrev_',
  'treasury.debit_reversal': 'debrev_',
  'treasury.financial_account': 'fa_',
  'treasury.inbound_transfer': 'ibt_',
  'treasury.outbound_payment': 'obp_',
  'treasury.outbound_transfer': 'obt_',
  'treasury.received_credit': 'rc_',
  'treasury.received_debit': 'rd_',
  'treasury.transaction': 'trxn_',
  'treasury.transaction_entry': 'trxne_',
  usage_record: 'mbur_',
  usage_record_summary: 'sis_',
  webhook_endpoint: 'we_',
};

/**
 * Prefixes a resource has besides its own (the one ids are minted with), which `node(id)` also
 * dispatches on: a transfer's payment on its destination account is a charge `py_…`, and the
 * refund a reversal of that transfer makes there is a refund `pyr_…`.
 */
export const OTHER_ID_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  charge: ['py_'],
  refund: ['pyr_'],
};

/** Every [resource, prefix] pair `resourceForId` matches by default. */
const ALL_PREFIXES: readonly (readonly [string, string])[] = [
  ...Object.entries(ID_PREFIXES),
  ...Object.entries(OTHER_ID_PREFIXES).flatMap(([resource, prefixes]) =>
    prefixes.map((prefix) => [resource, prefix] as const),
  ),
];

/**
 * Where several resources share a prefix but one of them reads the others (a plan is a price, and
 * GET /v1/prices/{price} reads it), that one answers for the prefix.
 */
export const PREFIX_OWNERS: Readonly<Record<string, string>> = { price_: 'price' };

/** Resources whose ids carry no prefix: coupons are 8 upper-case characters (`Z4OV52SU`). */
export const UNPREFIXED_IDS: Readonly<Record<string, number>> = { coupon: 8 };

export type PrefixMatch =
  | { kind: 'match'; resource: string }
  | { kind: 'unknown' }
  | { kind: 'ambiguous'; resources: string[] };

/**
 * The resource an id's prefix names, by the longest matching prefix: of `table`, or by default of
 * ID_PREFIXES and OTHER_ID_PREFIXES.
 */
export function resourceForId(id: string, table?: Readonly<Record<string, string>>): PrefixMatch {
  let best: string[] = [];
  let bestLength = 0;
  let bestPrefix = '';
  for (const [resource, prefix] of table ? Object.entries(table) : ALL_PREFIXES) {
    if (!id.startsWith(prefix)) continue;
    if (prefix.length > bestLength) {
      best = [resource];
      bestLength = prefix.length;
      bestPrefix = prefix;
    } else if (prefix.length === bestLength) best.push(resource);
  }
  if (best.length === 0) return { kind: 'unknown' };
  const owner = PREFIX_OWNERS[bestPrefix];
  if (best.length > 1 && owner && best.includes(owner)) return { kind: 'match', resource: owner };
  if (best.length > 1) return { kind: 'ambiguous', resources: best.sort() };
  return { kind: 'match', resource: best[0]! };
}
