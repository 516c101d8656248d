/**
 * Work spread over turns of the event loop. A flood's events arrive together: 1,000 WebSockets
 * subscribing, or 2,000 SSE POSTs, are read in one poll phase of the loop, and each starting its
 * GraphQL work there (envelop, parse, validate, context, the stream) made one turn of the loop as
 * long as all of them together (issue 25's abuse bench: 100-250 ms of CPU in one turn). A
 * `turnGate` admits a few each turn and lets the rest wait, in order, for the next turns: the
 * loop goes round in between (timers, other sockets, `/healthz`). Under it, nothing waits.
 */
import { setImmediate } from 'node:timers';

/**
 * A gate that admits at most `perTurn` callers per turn of the event loop. `enter()` returns
 * undefined when the caller may go on at once, else a promise that resolves in a later turn (first
 * come, first admitted).
 */
export interface TurnGate {
  enter(): Promise<void> | undefined;
  /** callers waiting for a later turn */
  readonly waiting: number;
}

export function turnGate(perTurn: number): TurnGate {
  let admitted = 0;
  let scheduled = false;
  let queue: (() => void)[] = [];
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(nextTurn);
  };
  function nextTurn(): void {
    scheduled = false;
    admitted = 0;
    if (queue.length === 0) return;
    const now = queue.length <= perTurn ? queue : queue.slice(0, perTurn);
    queue = queue.length <= perTurn ? [] : queue.slice(perTurn);
    admitted = now.length;
    for (const admit of now) admit();
    // The next turn starts a new count (and admits the rest, if any).
    schedule();
  }
  return {
    enter() {
      schedule();
      if (queue.length === 0 && admitted < perTurn) {
        admitted++;
        return undefined;
      }
      return new Promise<void>((resolve) => {
        queue.push(resolve);
      });
    },
    get waiting() {
      return queue.length;
    },
  };
}
