/**
 * Open enums (`x-stripeBypassValidation`): Stripe may send a value the spec does not list, and the
 * emulator does as Stripe does (`us_bank_transfer` for a US customer's funding instructions). The
 * value is the field's typed UNKNOWN_ENUM_VALUE error, not an internal error, and the rest of the
 * answer stays: every open enum field is nullable.
 */
import { getNamedType, getNullableType, isEnumType, isListType, isNonNullType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/spec/model.ts';
import { type Harness, sharedSchema, startHarness } from '../server/harness.ts';
import { sessionWithPermissions } from './open-enum-helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

describe('open enums', () => {
  it('a value the spec does not list nulls only its field, with a typed error and a log line', async () => {
    const customer = await h.admin.request<{ id: string }>({
      method: 'POST',
      path: '/v1/customers',
      params: {},
    });
    const response = await h.query(
      'mutation($c: ID!) { createCustomerFundingInstruction(customer: $c, input: { currency: "usd", fundingType: BANK_TRANSFER, bankTransfer: { type: US_BANK_TRANSFER } }) { currency bankTransfer { country type financialAddresses { type aba { routingNumber } } } } }',
      { variables: { c: customer.id } },
    );
    expect(response.body.data).toEqual({
      createCustomerFundingInstruction: {
        currency: 'usd',
        bankTransfer: {
          country: 'US',
          type: null,
          financialAddresses: [{ type: 'ABA', aba: { routingNumber: '110000000' } }],
        },
      },
    });
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        path: ['createCustomerFundingInstruction', 'bankTransfer', 'type'],
        extensions: {
          code: 'UNKNOWN_ENUM_VALUE',
          enum: 'FundingInstructionsBankTransferType',
          value: 'us_bank_transfer',
        },
      }),
    ]);
    expect(h.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'unknown enum value',
        enum: 'FundingInstructionsBankTransferType',
        value: 'us_bank_transfer',
        field: 'FundingInstructionsBankTransfer.type',
      }),
    );
  });

  it('in a list, only the unknown item is null', async () => {
    const id = await sessionWithPermissions(h, ['balances', 'not_in_the_spec', 'ownership']);
    const response = await h.query(
      'query($id: ID!) { financialConnectionsSession(id: $id) { id permissions } }',
      { variables: { id } },
    );
    expect(response.body.data).toEqual({
      financialConnectionsSession: { id, permissions: ['BALANCES', null, 'OWNERSHIP'] },
    });
    expect(response.body.errors).toEqual([
      expect.objectContaining({
        path: ['financialConnectionsSession', 'permissions', 1],
        extensions: {
          code: 'UNKNOWN_ENUM_VALUE',
          enum: 'FinancialConnectionsSessionPermissions',
          value: 'not_in_the_spec',
        },
      }),
    ]);
  });

  it('logs an unknown value once per request, however many items hold it', async () => {
    const id = await sessionWithPermissions(h, ['not_in_the_spec', 'balances', 'not_in_the_spec']);
    const warnings = () =>
      h.logs.filter((line) => line.msg === 'unknown enum value' && line.value === 'not_in_the_spec').length;
    const before = warnings();
    const query = 'query($id: ID!) { financialConnectionsSession(id: $id) { permissions } }';
    const response = await h.query(query, { variables: { id } });
    expect(response.body.data).toEqual({
      financialConnectionsSession: { permissions: [null, 'BALANCES', null] },
    });
    expect(response.body.errors).toHaveLength(2);
    expect(warnings()).toBe(before + 1);
    await h.query(query, { variables: { id } });
    expect(warnings()).toBe(before + 2);
  });

  it('every field of an open enum is nullable, items too; a closed one keeps the spec', () => {
    const model = loadModel();
    const { schema } = sharedSchema();
    const open = new Set(
      Object.values(model.enums)
        .filter((e) => e.open)
        .map((e) => e.gql),
    );
    expect(open.size).toBe(Object.values(model.enums).filter((e) => e.open).length);
    let openFields = 0;
    let closedRequired = 0;
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const named = getNamedType(field.type);
        if (!isEnumType(named)) continue;
        if (open.has(named.name)) {
          openFields++;
          const inner = getNullableType(field.type);
          const leaf = isListType(inner) ? inner.ofType : field.type;
          expect(isNonNullType(leaf), `${type.name}.${field.name}`).toBe(false);
        } else if (isNonNullType(field.type)) closedRequired++;
      }
    }
    expect(openFields).toBeGreaterThan(open.size / 2);
    expect(closedRequired).toBeGreaterThan(0);
  });
});
