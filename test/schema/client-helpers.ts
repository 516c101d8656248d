/** What the client-cache tests share: Apollo's link to the gateway, console capture, test data. */
import { ApolloLink } from '@apollo/client';
import { print } from 'graphql';
import { Observable } from 'rxjs';
import { afterEach, beforeEach, vi } from 'vitest';
import { SEED } from '../../src/emulator/seed/seed.ts';
import type { Harness } from '../server/harness.ts';

/** An Apollo link that sends the document Apollo wrote (with its `__typename`s), as a browser would. */
export function gatewayLink(h: () => Harness): ApolloLink {
  return new ApolloLink(
    (operation) =>
      new Observable((observer) => {
        h()
          .query(print(operation.query), { variables: operation.variables })
          .then((response) => {
            observer.next(response.body as never);
            observer.complete();
          })
          .catch((error: unknown) => observer.error(error));
      }),
  );
}

/** The console warnings and errors of each test (a client library's complaints), collected. */
export function captureWarnings(): unknown[][] {
  const warnings: unknown[][] = [];
  beforeEach(() => {
    warnings.length = 0;
    for (const level of ['warn', 'error'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        warnings.push(args);
      });
    }
  });
  afterEach(() => vi.restoreAllMocks());
  return warnings;
}

/** The connected account's own coupon `SUMMER25` (50 % off), beside the platform's (25 %). */
export const CONNECTED = SEED.connected.account;
export async function addConnectedSummer25(h: Harness): Promise<void> {
  await h.admin.request({
    method: 'POST',
    path: '/v1/coupons',
    params: { id: 'SUMMER25', percent_off: 50, duration: 'once' },
    stripeAccount: CONNECTED,
  });
}
