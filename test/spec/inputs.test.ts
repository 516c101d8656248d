/** The naming pass over parameters (src/spec/inputs.ts), on Stripe's spec. */
import { describe, expect, it } from 'vitest';
import { buildModel, SpecError } from '../../src/spec/build.ts';
import { inputTypeNameOverrides } from '../../src/spec/overrides.ts';
import { loadSpec } from '../../src/spec/source.ts';
import type { InParam, InType, Model } from '../../src/spec/types.ts';

const { spec } = loadSpec();
const { model, descriptions } = buildModel(spec);

const param = (m: Model, op: string, path: string): InType => {
  let params: InParam[] = [
    ...m.operations.find((o) => o.id === op)!.body,
    ...m.operations.find((o) => o.id === op)!.query,
  ];
  let type: InType | undefined;
  for (const name of path.split('.')) {
    type = params.find((p) => p.name === name)!.type;
    while (type.k === 'anyOf' || type.k === 'array')
      type = type.k === 'array' ? type.of : (type.of.find((t) => t.k === 'object') ?? type.of[0]!);
    params = type.k === 'object' ? type.props : [];
  }
  return type!;
};

describe('parameters named by meaning', () => {
  it("shares the output enum of the field a parameter writes, or its filter's", () => {
    expect(param(model, 'PostIssuingCards', 'status')).toMatchObject({
      k: 'enum',
      enum: 'issuing.card.status',
    });
    expect(param(model, 'PostRefunds', 'reason')).toMatchObject({ k: 'enum', enum: 'refund.reason' });
    expect(param(model, 'GetSubscriptions', 'status')).toMatchObject({
      k: 'enum',
      enum: 'subscription.status',
    });
    expect(model.enums['subscription.status']!.filterValues).toEqual(['all', 'ended']);
  });

  it('names objects after the output type or the resource and path, and marks ids', () => {
    expect(param(model, 'PostCustomersCustomer', 'address')).toMatchObject({ gql: 'AddressInput' });
    expect(param(model, 'PostPaymentIntents', 'payment_method_options.card.mandate_options')).toMatchObject({
      gql: 'PaymentIntentPaymentMethodOptionsCardMandateOptionsInput',
    });
    expect(param(model, 'PostPaymentIntents', 'customer')).toMatchObject({ k: 'string', id: true });
    expect(param(model, 'PostSubscriptions', 'items.price')).toMatchObject({ k: 'string', id: true });
    expect(param(model, 'PostCustomersCustomerSourcesId', 'exp_month')).toMatchObject({
      k: 'string',
      as: 'int',
    });
  });

  it("moves Stripe's parameter descriptions out of the model into the descriptions", () => {
    expect(JSON.stringify(model.operations)).not.toMatch(/"description":"/);
    expect(descriptions['op:PostCustomers']).toBeTruthy();
    expect(descriptions['op:PostCustomers.email']).toBeTruthy();
    expect(descriptions['AddressInput.city']).toBeTruthy();
  });

  it('refuses an override that names another resource', () => {
    inputTypeNameOverrides.AddressInput = 'BillingMeterAddressInput';
    try {
      expect(() => buildModel(spec)).toThrow(SpecError);
      expect(() => buildModel(spec)).toThrow(/input type name "BillingMeterAddressInput" does not name/);
    } finally {
      delete inputTypeNameOverrides.AddressInput;
    }
  });
});
