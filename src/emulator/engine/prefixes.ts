/** Token prefixes by token type (`POST /v1/tokens`); object id prefixes live in src/spec/prefixes.ts. */
export const TOKEN_PREFIXES: Readonly<Record<string, string>> = {
  account: 'ct',
  bank_account: 'btok',
  card: 'tok',
  cvc_update: 'cvctok',
  person: 'cpt',
  pii: 'tok',
};
