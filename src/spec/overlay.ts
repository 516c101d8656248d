/**
 * The preview overlay: resources Stripe ships only as preview APIs, so the pinned 2024-04-10 spec
 * has no schema for them (Crypto Onramp, Terminal hardware ordering). They are written here in the
 * spec's own shape (component schemas with `x-resourceId` and `x-expandableFields`, paths with
 * Stripe-style operationIds) and merged into the spec document before the model is built
 * (src/spec/source.ts), so every interpreter treats them like any other resource.
 *
 * Every component and operation carries `x-stripePreview: true`; the model marks them `preview`,
 * the schema shows that, and `STRIPE_PREVIEW_RESOURCES=off` builds the schema without them.
 *
 * Field names, types, enums, id prefixes and paths are facts from Stripe's public API reference
 * (the page of each resource is cited above its definitions); descriptions are our own words.
 * Where the reference documents a plain id the graph should walk (an order's shipping method, a
 * SKU's product), the overlay declares it expandable so the relation is derived like the spec's.
 */

type SpecObject = Record<string, unknown>;

export const PREVIEW_EXTENSION = 'x-stripePreview';
const preview = { [PREVIEW_EXTENSION]: true };

// ---- schema helpers ------------------------------------------------------------------------

const ref = (name: string): SpecObject => ({ $ref: `#/components/schemas/${name}` });
const string = (): SpecObject => ({ type: 'string', maxLength: 5000 });
const integer = (): SpecObject => ({ type: 'integer' });
const number = (): SpecObject => ({ type: 'number' });
const boolean = (): SpecObject => ({ type: 'boolean' });
const time = (): SpecObject => ({ type: 'integer', format: 'unix-time' });
const metadata = (): SpecObject => ({
  type: 'object',
  additionalProperties: { type: 'string', maxLength: 500 },
});
const enumOf = (values: readonly string[], open = false): SpecObject => ({
  type: 'string',
  enum: [...values],
  ...(open ? { 'x-stripeBypassValidation': true } : {}),
});
const arrayOf = (items: SpecObject): SpecObject => ({ type: 'array', items });
const nullable = (schema: SpecObject): SpecObject =>
  schema.$ref ? { anyOf: [schema], nullable: true } : { ...schema, nullable: true };
/** An id on the wire, or the object once expanded. */
const expandable = (resource: string): SpecObject => ({
  anyOf: [string(), ref(resource)],
  'x-expansionResources': { oneOf: [ref(resource)] },
});

/**
 * An object schema: every property listed is required (Stripe's convention for response objects).
 * Like the spec, `x-expandableFields` names the references and the properties that lead to one.
 */
function object(properties: Record<string, SpecObject>, extra: SpecObject = {}): SpecObject {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).sort(),
    ...extra,
    ...preview,
  };
}

/** A resource: `id`, `object` (its single value) and the given properties. */
function resource(
  resourceId: string,
  objectValue: string,
  description: string,
  properties: Record<string, SpecObject>,
  expandableFields: string[] = [],
): SpecObject {
  return object(
    { id: string(), object: enumOf([objectValue]), ...properties },
    { description, 'x-resourceId': resourceId, 'x-expandableFields': expandableFields },
  );
}

// ---- Terminal hardware ordering ------------------------------------------------------------

const PROVIDERS = ['stripe'] as const;
const AVAILABILITY = ['available', 'unavailable'] as const;
const ORDER_STATUSES = ['canceled', 'delivered', 'pending', 'ready_to_ship', 'shipped', 'undeliverable'];
const PAYMENT_TYPES = ['monthly_invoice', 'none', 'payment_intent'];
const CARRIERS = [
  'abf_freight',
  'australia_post',
  'canada_post',
  'dhl',
  'dpd',
  'estes_express',
  'exact_logistics',
  'fedex',
  'fedex_freight',
  'other',
  'palletforce',
  'purolator',
  'royal_mail',
  'tforce_freight',
  'tnt_australia',
  'ups',
  'ups_freight',
  'usps',
];
const SHIPPING_METHOD_NAMES = ['express', 'priority', 'standard'];

const terminalSchemas: Record<string, SpecObject> = {
  // https://docs.stripe.com/api/terminal/hardware_products/object
  'terminal.hardware_product': resource(
    'terminal.hardware_product',
    'terminal.hardware_product',
    'A kind of Terminal device that can be ordered (preview).',
    {
      status: enumOf(AVAILABILITY),
      type: string(),
      unavailable_after: nullable(time()),
    },
  ),
  // https://docs.stripe.com/api/terminal/hardware_skus/object
  'terminal.hardware_sku': resource(
    'terminal.hardware_sku',
    'terminal.hardware_sku',
    'A country-specific, orderable variant of a Terminal hardware product (preview).',
    {
      amount: integer(),
      country: string(),
      currency: string(),
      orderable: integer(),
      product: expandable('terminal.hardware_product'),
      provider: nullable(enumOf(PROVIDERS)),
      status: enumOf(AVAILABILITY),
      unavailable_after: nullable(time()),
    },
    ['product'],
  ),
  // https://docs.stripe.com/api/terminal/hardware_shipping_methods/object
  'terminal.hardware_shipping_method': resource(
    'terminal.hardware_shipping_method',
    'terminal.hardware_shipping_method',
    'A way to ship Terminal hardware to one country (preview).',
    {
      country: string(),
      estimated_delivery_window: ref('terminal_hardware_shipping_method_delivery_window'),
      name: enumOf(SHIPPING_METHOD_NAMES),
      provider: nullable(enumOf(PROVIDERS)),
      status: enumOf(AVAILABILITY),
      unavailable_after: nullable(time()),
    },
  ),
  terminal_hardware_shipping_method_delivery_window: object({
    maximum_date: string(),
    minimum_date: string(),
  }),
  // https://docs.stripe.com/api/terminal/hardware_orders/object
  'terminal.hardware_order': resource(
    'terminal.hardware_order',
    'terminal.hardware_order',
    'An order of Terminal hardware: its items, shipping and totals (preview).',
    {
      amount: integer(),
      created: time(),
      currency: string(),
      hardware_order_items: arrayOf(ref('terminal_hardware_order_item')),
      livemode: boolean(),
      metadata: nullable(metadata()),
      payment_type: enumOf(PAYMENT_TYPES),
      po_number: nullable(string()),
      shipment_tracking: arrayOf(ref('terminal_hardware_order_shipment_tracking')),
      shipping: ref('terminal_hardware_order_shipping'),
      shipping_method: expandable('terminal.hardware_shipping_method'),
      status: enumOf(ORDER_STATUSES),
      tax: integer(),
      total_tax_amounts: arrayOf(ref('terminal_hardware_order_total_tax_amount')),
      updated: nullable(time()),
    },
    ['hardware_order_items', 'shipping_method'],
  ),
  terminal_hardware_order_item: object(
    {
      amount: integer(),
      currency: string(),
      quantity: integer(),
      terminal_hardware_sku: ref('terminal.hardware_sku'),
    },
    { 'x-expandableFields': ['terminal_hardware_sku'] },
  ),
  terminal_hardware_order_shipment_tracking: object({
    carrier: enumOf(CARRIERS, true),
    tracking_number: string(),
  }),
  terminal_hardware_order_shipping: object({
    address: ref('address'),
    amount: integer(),
    company: nullable(string()),
    currency: string(),
    email: string(),
    name: string(),
    phone: string(),
  }),
  terminal_hardware_order_total_tax_amount: object({
    amount: integer(),
    inclusive: boolean(),
    rate: ref('terminal_hardware_order_tax_rate'),
  }),
  terminal_hardware_order_tax_rate: object({
    display_name: string(),
    jurisdiction: nullable(string()),
    percentage: number(),
  }),
};

// ---- Crypto Onramp -------------------------------------------------------------------------

const CRYPTO_CURRENCIES = ['avax', 'btc', 'eth', 'matic', 'sol', 'usdc', 'xlm'];
const CRYPTO_NETWORKS = [
  'avalanche',
  'base',
  'bitcoin',
  'ethereum',
  'optimism',
  'polygon',
  'solana',
  'stellar',
  'worldchain',
];
/** Keys of the per-network maps (`base` is spelled `base_network` there). */
const NETWORK_KEYS = CRYPTO_NETWORKS.map((n) => (n === 'base' ? 'base_network' : n));
const FIAT_CURRENCIES = ['eur', 'usd'];
const SESSION_STATUSES = [
  'fulfillment_complete',
  'fulfillment_processing',
  'initialized',
  'rejected',
  'requires_payment',
];

const cryptoSchemas: Record<string, SpecObject> = {
  // https://docs.stripe.com/api/crypto/onramp_sessions/object
  'crypto.onramp_session': resource(
    'crypto.onramp_session',
    'crypto.onramp_session',
    'A customer session buying cryptocurrency through the onramp (preview).',
    {
      client_secret: string(),
      created: time(),
      kyc_details_provided: boolean(),
      livemode: boolean(),
      metadata: nullable(metadata()),
      redirect_url: nullable(string()),
      status: enumOf(SESSION_STATUSES, true),
      transaction_details: ref('crypto_onramp_transaction_details'),
    },
  ),
  crypto_onramp_transaction_details: object({
    destination_amount: nullable(string()),
    destination_currencies: nullable(arrayOf(enumOf(CRYPTO_CURRENCIES, true))),
    destination_currency: nullable(enumOf(CRYPTO_CURRENCIES, true)),
    destination_network: nullable(enumOf(CRYPTO_NETWORKS, true)),
    destination_networks: nullable(arrayOf(enumOf(CRYPTO_NETWORKS, true))),
    fees: nullable(ref('crypto_onramp_transaction_fees')),
    lock_wallet_address: nullable(boolean()),
    source_amount: nullable(string()),
    source_currency: nullable(enumOf(FIAT_CURRENCIES, true)),
    transaction_id: nullable(string()),
    wallet_address: nullable(string()),
    wallet_addresses: nullable(ref('crypto_onramp_wallet_addresses')),
  }),
  crypto_onramp_transaction_fees: object({
    network_fee_amount: nullable(string()),
    transaction_fee_amount: nullable(string()),
  }),
  crypto_onramp_wallet_addresses: object({
    ...Object.fromEntries(NETWORK_KEYS.filter((n) => n !== 'avalanche').map((n) => [n, nullable(string())])),
    destination_tags: nullable(object({ stellar: nullable(string()) })),
  }),
  // https://docs.stripe.com/api/crypto/onramp_quotes/object
  'crypto.onramp_quote': resource(
    'crypto.onramp_quote',
    'crypto.onramp.quotes',
    'Estimated conversions of a fiat amount into cryptocurrencies, per network (preview).',
    {
      destination_network_quotes: ref('crypto_onramp_network_quotes'),
      livemode: boolean(),
      rate_fetched_at: number(),
      source_amount: string(),
      source_currency: enumOf(FIAT_CURRENCIES, true),
    },
  ),
  crypto_onramp_network_quotes: object(
    Object.fromEntries(NETWORK_KEYS.map((n) => [n, nullable(arrayOf(ref('crypto_onramp_network_quote')))])),
  ),
  crypto_onramp_network_quote: object({
    id: string(),
    destination_amount: string(),
    destination_currency: enumOf(CRYPTO_CURRENCIES, true),
    destination_network: enumOf(CRYPTO_NETWORKS, true),
    fees: ref('crypto_onramp_quote_fees'),
    source_total_amount: string(),
  }),
  crypto_onramp_quote_fees: object({
    network_fee_monetary: string(),
    transaction_fee_monetary: string(),
  }),
};

// ---- operations ----------------------------------------------------------------------------

interface Param {
  name: string;
  schema: SpecObject;
  required?: boolean;
}

const queryParam = ({ name, schema, required = false }: Param): SpecObject => ({
  in: 'query',
  name,
  required,
  schema,
  ...(schema.type === 'object' || schema.type === 'array' || schema.anyOf
    ? { explode: true, style: 'deepObject' }
    : { style: 'form' }),
});
const pathParam = (name: string): SpecObject => ({
  in: 'path',
  name,
  required: true,
  schema: string(),
  style: 'simple',
});
const EXPAND = queryParam({ name: 'expand', schema: arrayOf(string()) });
const PAGING = ['ending_before', 'starting_after']
  .map((name) => queryParam({ name, schema: string() }))
  .concat(queryParam({ name: 'limit', schema: integer() }));

const ok = (schema: SpecObject): SpecObject => ({
  200: { content: { 'application/json': { schema } }, description: 'Successful response.' },
  default: { content: { 'application/json': { schema: ref('error') } }, description: 'Error response.' },
});
const listOf = (item: string, url: string): SpecObject => ({
  type: 'object',
  properties: {
    data: arrayOf(ref(item)),
    has_more: boolean(),
    object: enumOf(['list']),
    url: { ...string(), pattern: `^${url}` },
  },
  required: ['data', 'has_more', 'object', 'url'],
  'x-expandableFields': ['data'],
});
/** A form body; `required` names the required parameters. */
const body = (properties: Record<string, SpecObject>, required: string[] = []): SpecObject => ({
  content: {
    'application/x-www-form-urlencoded': {
      encoding: {},
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: { expand: arrayOf(string()), ...properties },
        ...(required.length > 0 ? { required } : {}),
      },
    },
  },
  required: required.length > 0,
});

const op = (
  operationId: string,
  parameters: SpecObject[],
  response: SpecObject,
  requestBody?: SpecObject,
): SpecObject => ({
  operationId,
  parameters,
  ...(requestBody ? { requestBody } : {}),
  responses: ok(response),
  ...preview,
});

const list = (operationId: string, item: string, url: string, filters: Param[] = []): SpecObject =>
  op(operationId, [EXPAND, ...PAGING, ...filters.map(queryParam)], listOf(item, url));
const retrieve = (operationId: string, item: string, param: string): SpecObject =>
  op(operationId, [EXPAND, pathParam(param)], ref(item));
const action = (operationId: string, item: string, param: string): SpecObject =>
  op(operationId, [pathParam(param)], ref(item), body({}));

const rangeQuery: SpecObject = {
  anyOf: [
    {
      type: 'object',
      title: 'range_query_specs',
      properties: { gt: integer(), gte: integer(), lt: integer(), lte: integer() },
    },
    integer(),
  ],
};
const shippingParams: SpecObject = {
  type: 'object',
  required: ['address', 'email', 'name', 'phone'],
  properties: {
    address: {
      type: 'object',
      required: ['country', 'line1', 'postal_code'],
      properties: {
        city: { type: 'string', maxLength: 35 },
        country: { type: 'string', maxLength: 2 },
        line1: { type: 'string', maxLength: 40 },
        line2: { type: 'string', maxLength: 40 },
        postal_code: { type: 'string', maxLength: 10 },
        state: { type: 'string', maxLength: 29 },
      },
    },
    company: { type: 'string', maxLength: 40 },
    email: { type: 'string', maxLength: 800 },
    name: { type: 'string', maxLength: 36 },
    phone: { type: 'string', maxLength: 14 },
  },
};
const walletAddressParams: SpecObject = {
  type: 'object',
  properties: {
    ...Object.fromEntries(NETWORK_KEYS.filter((n) => n !== 'avalanche').map((n) => [n, string()])),
    destination_tags: { type: 'object', properties: { stellar: string() } },
  },
};

const HARDWARE_ORDER = '/v1/terminal/hardware_orders/{hardware_order}';
const testHelper = (verb: string): [string, SpecObject] => [
  `/v1/test_helpers/terminal/hardware_orders/{hardware_order}/${verb}`,
  {
    post: action(
      `PostTestHelpersTerminalHardwareOrdersHardwareOrder${verb
        .split('_')
        .map((w) => w[0]!.toUpperCase() + w.slice(1))
        .join('')}`,
      'terminal.hardware_order',
      'hardware_order',
    ),
  },
];

const paths: Record<string, SpecObject> = {
  // https://docs.stripe.com/api/terminal/hardware_orders
  '/v1/terminal/hardware_orders': {
    get: list('GetTerminalHardwareOrders', 'terminal.hardware_order', '/v1/terminal/hardware_orders', [
      { name: 'status', schema: enumOf(ORDER_STATUSES) },
    ]),
    post: op(
      'PostTerminalHardwareOrders',
      [],
      ref('terminal.hardware_order'),
      body(
        {
          hardware_order_items: arrayOf({
            type: 'object',
            required: ['quantity', 'terminal_hardware_sku'],
            properties: { quantity: integer(), terminal_hardware_sku: string() },
          }),
          metadata: metadata(),
          payment_type: enumOf(PAYMENT_TYPES),
          po_number: { type: 'string', maxLength: 15 },
          shipping: shippingParams,
          shipping_method: string(),
        },
        ['hardware_order_items', 'payment_type', 'shipping', 'shipping_method'],
      ),
    ),
  },
  [HARDWARE_ORDER]: {
    get: retrieve('GetTerminalHardwareOrdersHardwareOrder', 'terminal.hardware_order', 'hardware_order'),
  },
  [`${HARDWARE_ORDER}/cancel`]: {
    post: action(
      'PostTerminalHardwareOrdersHardwareOrderCancel',
      'terminal.hardware_order',
      'hardware_order',
    ),
  },
  ...Object.fromEntries(['deliver', 'mark_ready_to_ship', 'mark_undeliverable', 'ship'].map(testHelper)),
  // https://docs.stripe.com/api/terminal/hardware_products
  '/v1/terminal/hardware_products': {
    get: list('GetTerminalHardwareProducts', 'terminal.hardware_product', '/v1/terminal/hardware_products', [
      { name: 'status', schema: enumOf(AVAILABILITY) },
    ]),
  },
  '/v1/terminal/hardware_products/{item}': {
    get: retrieve('GetTerminalHardwareProductsItem', 'terminal.hardware_product', 'item'),
  },
  // https://docs.stripe.com/api/terminal/hardware_skus
  '/v1/terminal/hardware_skus': {
    get: list('GetTerminalHardwareSkus', 'terminal.hardware_sku', '/v1/terminal/hardware_skus', [
      { name: 'country', schema: string(), required: true },
      { name: 'product', schema: string() },
      { name: 'provider', schema: enumOf(PROVIDERS) },
      { name: 'status', schema: enumOf(AVAILABILITY) },
    ]),
  },
  '/v1/terminal/hardware_skus/{item}': {
    get: retrieve('GetTerminalHardwareSkusItem', 'terminal.hardware_sku', 'item'),
  },
  // https://docs.stripe.com/api/terminal/hardware_shipping_methods
  '/v1/terminal/hardware_shipping_methods': {
    get: list(
      'GetTerminalHardwareShippingMethods',
      'terminal.hardware_shipping_method',
      '/v1/terminal/hardware_shipping_methods',
      [
        { name: 'country', schema: string(), required: true },
        { name: 'name', schema: enumOf(SHIPPING_METHOD_NAMES) },
        { name: 'provider', schema: enumOf(PROVIDERS) },
        { name: 'status', schema: enumOf(AVAILABILITY) },
      ],
    ),
  },
  '/v1/terminal/hardware_shipping_methods/{item}': {
    get: retrieve('GetTerminalHardwareShippingMethodsItem', 'terminal.hardware_shipping_method', 'item'),
  },
  // https://docs.stripe.com/api/crypto/onramp_sessions
  '/v1/crypto/onramp_sessions': {
    get: list('GetCryptoOnrampSessions', 'crypto.onramp_session', '/v1/crypto/onramp_sessions', [
      { name: 'created', schema: rangeQuery },
      { name: 'destination_currency', schema: enumOf(CRYPTO_CURRENCIES) },
      { name: 'destination_network', schema: enumOf(CRYPTO_NETWORKS) },
      { name: 'status', schema: enumOf(SESSION_STATUSES) },
    ]),
    post: op(
      'PostCryptoOnrampSessions',
      [],
      ref('crypto.onramp_session'),
      body({
        customer_ip_address: string(),
        destination_amount: string(),
        destination_currencies: arrayOf(enumOf(CRYPTO_CURRENCIES)),
        destination_currency: enumOf(CRYPTO_CURRENCIES),
        destination_network: enumOf(CRYPTO_NETWORKS),
        destination_networks: arrayOf(enumOf(CRYPTO_NETWORKS)),
        kyc_details: { type: 'object', additionalProperties: true },
        lock_wallet_address: boolean(),
        metadata: metadata(),
        source_amount: string(),
        source_currency: enumOf(FIAT_CURRENCIES),
        wallet_addresses: walletAddressParams,
      }),
    ),
  },
  '/v1/crypto/onramp_sessions/{session}': {
    get: retrieve('GetCryptoOnrampSessionsSession', 'crypto.onramp_session', 'session'),
  },
  // https://docs.stripe.com/api/crypto/onramp_quotes
  '/v1/crypto/onramp/quotes': {
    get: op(
      'GetCryptoOnrampQuotes',
      [
        EXPAND,
        ...[
          { name: 'destination_amount', schema: string() },
          { name: 'destination_currencies', schema: arrayOf(enumOf(CRYPTO_CURRENCIES)) },
          { name: 'destination_networks', schema: arrayOf(enumOf(CRYPTO_NETWORKS)) },
          { name: 'source_amount', schema: string() },
          { name: 'source_currency', schema: enumOf(FIAT_CURRENCIES) },
        ].map(queryParam),
      ],
      ref('crypto.onramp_quote'),
    ),
  },
};

/** The overlay document: the component schemas and paths merged into the spec. */
export const PREVIEW_OVERLAY: {
  components: { schemas: Record<string, SpecObject> };
  paths: Record<string, SpecObject>;
} = {
  components: { schemas: { ...terminalSchemas, ...cryptoSchemas } },
  paths,
};
