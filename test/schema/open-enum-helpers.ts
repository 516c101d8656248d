/** A Stripe object holding an open enum's value the spec does not list, for the tests that need one. */
import type { Harness } from '../server/harness.ts';

/**
 * A Financial Connections session whose `permissions` are `permissions`, put in the emulator's store
 * as it is: Stripe may send a value an open enum does not list, the emulator keeps to the spec.
 */
export async function sessionWithPermissions(h: Harness, permissions: string[]): Promise<string> {
  const session = await h.admin.request<{ id: string }>({
    method: 'POST',
    path: '/v1/financial_connections/sessions',
    params: { account_holder: { type: 'customer', customer: 'cus_none' }, permissions: ['balances'] },
  });
  const scope = h.emulator.store.platform;
  const entry = scope.find(session.id)!;
  scope.replace(entry, { ...entry.data, permissions });
  return session.id;
}
