import { describe, expect, it } from 'vitest';
import { camelCase, enumValueName, pascalCase } from '../../src/spec/naming.ts';
import { ID_PREFIXES, resourceForId } from '../../src/spec/prefixes.ts';

describe('names', () => {
  it.each([
    ['customer', 'Customer'],
    ['issuing.card', 'IssuingCard'],
    ['treasury.financial_account', 'TreasuryFinancialAccount'],
    ['invoice_setting_custom_field', 'InvoiceSettingCustomField'],
  ])('type %s → %s', (input, output) => expect(pascalCase(input)).toBe(output));

  it.each([
    ['address_line1', 'addressLine1'],
    ['exp_month', 'expMonth'],
    ['id', 'id'],
  ])('field %s → %s', (input, output) => expect(camelCase(input)).toBe(output));

  it.each([
    ['past_due', 'PAST_DUE'],
    ['en-AU', 'EN_AU'],
    ['es-419', 'ES_419'],
    ['01', 'V_01'],
    ['1.0.2', 'V_1_0_2'],
    ['', 'EMPTY'],
    ['true', 'TRUE_'],
  ])('enum value %j → %s', (input, output) => expect(enumValueName(input)).toBe(output));
});

describe('id prefixes', () => {
  it('dispatches on the longest prefix', () => {
    expect(resourceForId('cus_123')).toEqual({ kind: 'match', resource: 'customer' });
    expect(resourceForId('sub_sched_123')).toEqual({ kind: 'match', resource: 'subscription_schedule' });
    expect(resourceForId('sub_123')).toEqual({ kind: 'match', resource: 'subscription' });
  });

  it('refuses unknown and shared prefixes instead of guessing', () => {
    expect(resourceForId('zzz_123')).toEqual({ kind: 'unknown' });
    expect(resourceForId('tax_li_1')).toEqual({
      kind: 'ambiguous',
      resources: ['tax.calculation_line_item', 'tax.transaction_line_item'],
    });
  });

  it('lets a price_ id read as a price, though plans share the prefix', () => {
    expect(ID_PREFIXES.plan).toBe(ID_PREFIXES.price);
    expect(resourceForId('price_123')).toEqual({ kind: 'match', resource: 'price' });
  });

  it('shares a prefix only where the table says so', () => {
    const byPrefix = new Map<string, string[]>();
    for (const [resource, prefix] of Object.entries(ID_PREFIXES)) {
      byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), resource]);
    }
    const shared = [...byPrefix.entries()].filter(([, resources]) => resources.length > 1).map(([p]) => p);
    expect(shared.sort()).toEqual(['price_', 'tax_li_']);
  });
});
