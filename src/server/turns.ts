/**
 * Work spread over turns of the event loop. A flood's events arrive together: 1,000 WebSockets
 * subscribing, or 2,000 SSE POSTs, are read in one poll phase of the loop, and each starting its
 * GraphQL work there (envelop, parse, validate, context, the stream) made one turn of the loop as
 * long as all of them together (issue 25's abuse bench: 100-250 ms of CPU in one turn). A
 * `turnGate` admits a few each turn and lets the rest wait, in order, for the next turns: the
 * loop goes round in between (timers, other sockets, `/healthz`). Under it, nothing waits.
 *
 * Given `room` (the REST client's `whenRoom`), a gate holds its callers while every one of the
 * client's slots is taken and calls to Stripe wait for one (calls that wait only because their path
 * holds its share leave slots free, and hold nothing back), and admits them once a slot is free or
 * the queue has drained (issue #32): started at once, each request's calls would only join that
 * queue, and every request in the gateway would be half done, holding its context, its sessions
 * and the answers already in while it waits for the rest. Measured (`npm run bench -- throughput`
 * with BEFORE_REF, 32 connections, 16 slots): 0.80× the CPU per request on the account query and
 * 0.88× on the customer-cards-invoices one; the customers page, whose calls wait only for their
 * path's share, and the 50 charges unchanged (bench/NOTES.md, seventh round). A caller held longer
 * than `maxHoldMs` goes on regardless (and waits for its slots in the REST client, whose queue
 * timeout then applies).
 *
 * That gate is entered by `useUpstreamHold` when an operation starts executing, and only by one
 * whose plan calls Stripe: its estimate is known by then (src/server/limits.ts), and no call has
 * been made (the prefetches start after it). A request that calls no Stripe endpoint (`{ __typename }`,
 * introspection, a subscription, a refused document) is never held behind a saturated Stripe.
 */
import { setImmediate } from 'node:timers';
import type { Plugin } from 'graphql-yoga';

/**
 * A gate that admits at most `perTurn` callers per turn of the event loop. `enter()` returns
 * undefined when the caller may go on at once, else a promise that resolves in a later turn (first
 * come, first admitted).
 */
export interface TurnGate {
  enter(): Promise<void> | undefined;
  /** callers waiting for a later turn */
  readonly waiting: number;
  /** Whether nobody waits and, given `room`, there is room: a caller would go on at once. */
  idle(): boolean;
}

export interface TurnGateOptions {
  /** Undefined when new work may start; else a promise for when it may (the REST client's `whenRoom`). */
  room?: () => Promise<void> | undefined;
  /** Longest a caller is held for `room` (default DEFAULT_MAX_HOLD_MS). */
  maxHoldMs?: number;
}

/** Held longer than this, a caller goes on though the upstream queue has not drained. */
export const DEFAULT_MAX_HOLD_MS = 250;

interface Held {
  readonly admit: () => void;
  readonly since: number;
}

export function turnGate(perTurn: number, options: TurnGateOptions = {}): TurnGate {
  const { room } = options;
  const maxHoldMs = options.maxHoldMs ?? DEFAULT_MAX_HOLD_MS;
  let admitted = 0;
  let scheduled = false;
  /** waiting for room: the promise is watched, and a timer set for the first caller's longest hold */
  let blocked = false;
  let holdTimer: NodeJS.Timeout | undefined;
  let queue: Held[] = [];
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(nextTurn);
  };
  const unblock = () => {
    blocked = false;
    if (holdTimer !== undefined) clearTimeout(holdTimer);
    holdTimer = undefined;
    schedule();
  };
  /** Whether the first caller may go on now; if not, the gate wakes when it may. */
  const mayStart = (): boolean => {
    const wait = room?.();
    if (wait === undefined) return true;
    const held = performance.now() - queue[0]!.since;
    if (held >= maxHoldMs) return true;
    if (!blocked) {
      blocked = true;
      void wait.then(unblock);
      holdTimer = setTimeout(unblock, maxHoldMs - held);
      holdTimer.unref();
    }
    return false;
  };
  function nextTurn(): void {
    scheduled = false;
    admitted = 0;
    if (queue.length === 0 || blocked || !mayStart()) return;
    const now = queue.length <= perTurn ? queue : queue.slice(0, perTurn);
    queue = queue.length <= perTurn ? [] : queue.slice(perTurn);
    admitted = now.length;
    for (const { admit } of now) admit();
    // The next turn starts a new count (and admits the rest, if any).
    schedule();
  }
  return {
    enter() {
      schedule();
      if (queue.length === 0 && admitted < perTurn && room?.() === undefined) {
        admitted++;
        return undefined;
      }
      return new Promise<void>((resolve) => {
        queue.push({ admit: resolve, since: performance.now() });
      });
    },
    get waiting() {
      return queue.length;
    },
    idle() {
      return queue.length === 0 && room?.() === undefined;
    },
  };
}

/**
 * Holds an operation whose plan calls Stripe in `hold` (a gate given `room`) before it executes;
 * `callsOf` reads the plan's estimated calls for the request's context (undefined when no plan was
 * made: held, as a call may follow). Placed after the limits, which make the plan, and before the
 * prefetches, which start calls.
 */
export function useUpstreamHold(hold: TurnGate, callsOf: (context: object) => number | undefined): Plugin {
  return {
    onExecute({ args }) {
      // With nobody held and room, the operation goes on without entering the gate, whose count
      // per turn schedules one more immediate each turn (the entry gate already spreads a burst):
      // in process, some 5 µs a request on the customers page (bench/NOTES.md, eleventh round).
      if (hold.idle() || callsOf(args.contextValue as object) === 0) return;
      return hold.enter();
    },
  };
}
