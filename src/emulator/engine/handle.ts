/**
 * The emulator as the code around its engine holds it: the seed, the hosted pages and the webhook
 * dispatcher make typed calls, run transactions on the store and hear of committed events.
 * `EmulatorService` (service.ts) is the one implementation; this interface lets those stages depend
 * on the engine rather than on the assembly that wires them in.
 */
import type { Ctx, PresetIds } from './context.ts';
import type { JsonObject } from './json.ts';
import type { Random } from './random.ts';
import type { Store } from './store.ts';

/** Options for `call()`: an in-process request with typed parameters. */
export interface CallOptions {
  account?: string;
  expand?: readonly string[];
  /** the time the call happens at (Unix seconds) */
  now?: number;
  /** ids to use for objects of these resources created by the call (the seed's fixed ids) */
  ids?: PresetIds;
}

/** Told the events a request recorded once its changes are committed (webhook delivery). */
export type EventListener = (events: readonly JsonObject[]) => void;

export interface EmulatorHandle {
  readonly store: Store;
  /** Runs an operation in-process; a Stripe error is thrown as `ErrorReply`. */
  call(method: string, path: string, params?: JsonObject, options?: CallOptions): JsonObject;
  /** Runs `fn` with a request context in a transaction (rolled back if it throws). */
  transaction<T>(fn: (ctx: Ctx) => T, options?: { account?: string; now?: number }): T;
  /** Runs `fn` with ids drawn from `random` (the seed's deterministic ids). */
  withRandom<T>(random: Random, fn: () => T): T;
  /** Plays the time from `from` to `to` for the objects on no test clock (rules/time.ts). */
  passTime(from: number, to: number): void;
  /** Calls `listener` with each request's events once committed; returns the unsubscribe. */
  onEvents(listener: EventListener): () => void;
}
