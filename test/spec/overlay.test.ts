/**
 * The preview overlay (src/spec/overlay.ts): merged into the spec before the model is built, marked
 * `preview` in the model, and removable without a trace.
 */
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/spec/build.ts';
import { PREVIEW_OVERLAY } from '../../src/spec/overlay.ts';
import { ID_PREFIXES, resourceForId } from '../../src/spec/prefixes.ts';
import { withoutPreview } from '../../src/spec/preview.ts';
import { loadSpec, mergeOverlay } from '../../src/spec/source.ts';

type Json = any;

const merged: Json = loadSpec().spec;
const raw: Json = loadSpec(undefined, { overlay: false }).spec;
const { model } = buildModel(merged);

describe('the preview overlay', () => {
  it('adds its components and paths to the spec document, and only those', () => {
    const overlayNames = Object.keys(PREVIEW_OVERLAY.components.schemas);
    expect(Object.keys(merged.components.schemas).length).toBe(
      Object.keys(raw.components.schemas).length + overlayNames.length,
    );
    expect(overlayNames.some((name) => name in raw.components.schemas)).toBe(false);
    expect(Object.keys(merged.paths).length).toBe(
      Object.keys(raw.paths).length + Object.keys(PREVIEW_OVERLAY.paths).length,
    );
  });

  it('refuses to redefine what the spec has (Stripe shipped it: drop the overlay entry)', () => {
    const shipped = mergeOverlay(raw, {
      components: { schemas: { 'terminal.hardware_order': {} } },
      paths: {},
    });
    expect(() => mergeOverlay(shipped, PREVIEW_OVERLAY)).toThrow(
      /redefines component "terminal.hardware_order", which the spec now has/,
    );
    expect(() => mergeOverlay(raw, { components: { schemas: {} }, paths: { '/v1/customers': {} } })).toThrow(
      /redefines path "\/v1\/customers"/,
    );
  });

  it('marks its resources, sub-objects, enums and operations preview, and nothing else', () => {
    const previewResources = Object.values(model.objects)
      .filter((o) => o.preview && o.resource)
      .map((o) => o.resource)
      .sort();
    const overlayResources = Object.values(PREVIEW_OVERLAY.components.schemas)
      .map((s) => s['x-resourceId'])
      .filter(Boolean)
      .sort();
    expect(previewResources).toEqual(overlayResources);
    expect(previewResources.length).toBe(6);
    expect(model.objects.terminal_hardware_order_item?.preview).toBe(true);
    expect(model.objects['crypto_onramp_wallet_addresses.destination_tags']?.preview).toBe(true);
    expect(model.enums['terminal.hardware_order.status']?.values).toContain('ready_to_ship');
    expect(model.enums['terminal.hardware_order.status']?.preview).toBe(true);
    expect(model.objects.customer?.preview).toBeUndefined();
    expect(model.objects.address?.preview).toBeUndefined();
    const previewOps = model.operations.filter((o) => o.preview);
    const overlayOps = Object.values(PREVIEW_OVERLAY.paths).flatMap((item) => Object.keys(item));
    expect(previewOps.length).toBe(overlayOps.length);
    const kinds = Object.fromEntries(previewOps.map((o) => [o.id, o.kind]));
    expect(kinds).toMatchObject({
      GetTerminalHardwareOrders: 'list',
      PostTerminalHardwareOrders: 'create',
      GetTerminalHardwareOrdersHardwareOrder: 'retrieve',
      PostTerminalHardwareOrdersHardwareOrderCancel: 'action',
      PostTestHelpersTerminalHardwareOrdersHardwareOrderDeliver: 'action',
      GetCryptoOnrampSessions: 'list',
      PostCryptoOnrampSessions: 'create',
      GetCryptoOnrampQuotes: 'retrieve',
    });
  });

  it('gives the relations: an order to its shipping method, its items to their SKUs, a SKU to its product', () => {
    const prop = (object: string, name: string) => model.objects[object]!.props.find((p) => p.name === name)!;
    expect(prop('terminal.hardware_order', 'shipping_method').type).toEqual({
      k: 'ref',
      to: { k: 'object', name: 'terminal.hardware_shipping_method' },
    });
    expect(prop('terminal_hardware_order_item', 'terminal_hardware_sku').type).toEqual({
      k: 'object',
      name: 'terminal.hardware_sku',
    });
    expect(prop('terminal.hardware_sku', 'product').type).toEqual({
      k: 'ref',
      to: { k: 'object', name: 'terminal.hardware_product' },
    });
    expect(model.relations).toContainEqual({
      kind: 'filter',
      parent: 'terminal.hardware_product',
      name: 'hardware_skus',
      field: 'hardwareSkus',
      operation: 'GetTerminalHardwareSkus',
      param: 'product',
    });
  });

  it('switched off, leaves exactly the model of the spec without it', () => {
    expect(withoutPreview(model)).toEqual(buildModel(raw).model);
  });

  it('has id prefixes for its resources that node(id) can tell apart', () => {
    for (const resource of [
      'crypto.onramp_session',
      'terminal.hardware_order',
      'terminal.hardware_product',
      'terminal.hardware_shipping_method',
      'terminal.hardware_sku',
    ]) {
      const prefix = ID_PREFIXES[resource];
      expect(prefix, resource).toBeDefined();
      expect(resourceForId(`${prefix}abc123`)).toEqual({ kind: 'match', resource });
    }
  });
});
