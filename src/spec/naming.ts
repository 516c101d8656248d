/** Name conventions shared by the generator and the runtime: GraphQL names from Stripe's wire names. */

/** `issuing.card` → `IssuingCard`, `invoice_setting_custom_field` → `InvoiceSettingCustomField` */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** `customers` → `customer`, `people` → `person`, `capabilities` → `capability` */
export function singular(word: string): string {
  if (word.endsWith('people')) return `${word.slice(0, -6)}person`;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** `address_line1` → `addressLine1`, `exp_month` → `expMonth` */
export function camelCase(name: string): string {
  const pascal = pascalCase(name);
  return pascal ? pascal[0]!.toLowerCase() + pascal.slice(1) : pascal;
}

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

export function isGraphQLName(name: string): boolean {
  return GRAPHQL_NAME.test(name);
}

/**
 * An enum wire value as a GraphQL enum value name: `past_due` → `PAST_DUE`, `en-AU` → `EN_AU`,
 * `""` → `EMPTY`. A value that starts with a digit takes `V_` (`01` → `V_01`, `1.0.2` → `V_1_0_2`):
 * client generators make enum members of these names, and TypeScript refuses a member named `_0`
 * once a naming convention drops the underscore. The model keeps both, so the mapping is reversible.
 */
export function enumValueName(value: string): string {
  if (value === '') return 'EMPTY';
  let name = value
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  if (name === '') name = 'VALUE';
  if (/^[0-9]/.test(name)) name = `V_${name}`;
  // GraphQL reserves these as enum values.
  if (name === 'TRUE' || name === 'FALSE' || name === 'NULL') name = `${name}_`;
  return name;
}

/**
 * Integer properties and parameters that are unix times by name (`created`, `expires_at`), whatever
 * the spec's `format` says: a few lack `format: unix-time` (`subscription_item.created`).
 */
export function isUnixTimeName(name: string): boolean {
  return /^(created|.+_at)$/.test(name);
}

/**
 * Sub-object component ids carry words that name Stripe's internal modules, not what a developer
 * sees (`resource`, `private`, `api`, `enterprise_features`), and some repeat their last phrase:
 * `tax_product_registrations_resource_country_options` reads `TaxProductRegistrationsCountryOptions`,
 * `…_incremental_authorization_incremental_authorization` ends once in `IncrementalAuthorization`.
 */
const NOISE = new Set(['resource', 'resources', 'private', 'api']);
export function withoutNoise(name: string): string {
  const words = name
    .replace(/_enterprise_features_/g, '_')
    .split('_')
    .filter((word) => !NOISE.has(word));
  // A phrase said twice in a row is said once.
  for (let size = Math.floor(words.length / 2); size >= 1; size--) {
    for (let i = 0; i + 2 * size <= words.length; i++) {
      const a = words.slice(i, i + size).join('_');
      if (a === words.slice(i + size, i + 2 * size).join('_')) words.splice(i + size, size);
    }
  }
  return words.join('_');
}

/** No GraphQL type name is longer (client tools print them in every generated type and file name). */
export const TYPE_NAME_LIMIT = 60;

/**
 * A derived name over the limit, shortened by rules, each applied while the name is still too long
 * (a name that fits is left alone): a phrase of two or more words said again is said once
 * (`…BankTransferUsBankTransfer` → `…BankTransferUs`); a word said twice in a row, or once more in
 * its plural, is said once (`…UsBankAccountAccountHolderType` → `…UsBankAccountHolderType`);
 * `PaymentMethodOptions`, Stripe's container of per-method settings, is left out before the method
 * it holds (`PaymentIntentPaymentMethodOptionsCardRequestIncrementalAuthorization` →
 * `PaymentIntentCardRequestIncrementalAuthorization`, as a developer says "the payment intent's card
 * options"). What no rule settles is in src/spec/overrides.ts. Before these, src/spec/objects.ts names the families of too-long names where they sit.
 */
export function shortenedName(name: string): string {
  if (name.length <= TYPE_NAME_LIMIT) return name;
  const words = name.match(/[A-Z][a-z0-9]*|[a-z0-9]+/g) ?? [name];
  const said = (w: string[]) => w.join('');
  for (let size = Math.floor(words.length / 2); size >= 2 && said(words).length > TYPE_NAME_LIMIT; size--) {
    for (let i = 0; i + size <= words.length; i++) {
      const phrase = said(words.slice(i, i + size));
      for (let j = i + size; j + size <= words.length; j++)
        if (said(words.slice(j, j + size)) === phrase) words.splice(j, size);
    }
  }
  // From the end, where a property's name meets its owner's: the same word first, then its plural.
  for (const same of [(a: string, b: string) => a === b, (a: string, b: string) => a === `${b}s`])
    for (let i = words.length - 1; i > 0 && said(words).length > TYPE_NAME_LIMIT; i--)
      if (same(words[i - 1]!, words[i]!)) words.splice(i, 1);
  for (let i = 0; i + 3 < words.length && said(words).length > TYPE_NAME_LIMIT; i++)
    if (said(words.slice(i, i + 3)) === 'PaymentMethodOptions') words.splice(i, 3);
  return said(words);
}
