import { describe, expect, it } from 'vitest';
import { turnGate } from '../../src/server/turns.ts';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('turnGate', () => {
  it('admits perTurn callers at once and the rest in later turns, in order', async () => {
    const gate = turnGate(2);
    const admitted: number[] = [];
    for (let i = 0; i < 5; i++) {
      const wait = gate.enter();
      if (wait === undefined) admitted.push(i);
      else void wait.then(() => admitted.push(i));
    }
    expect(admitted).toEqual([0, 1]);
    expect(gate.waiting).toBe(3);
    await nextTurn();
    expect(admitted).toEqual([0, 1, 2, 3]);
    await nextTurn();
    expect(admitted).toEqual([0, 1, 2, 3, 4]);
    expect(gate.waiting).toBe(0);
    // A new turn starts a new count.
    await nextTurn();
    expect(gate.enter()).toBeUndefined();
    expect(gate.enter()).toBeUndefined();
    expect(gate.enter()).toBeInstanceOf(Promise);
  });

  it('given room, holds callers while there is none and admits them in order once there is', async () => {
    let room: { promise: Promise<void>; resolve: () => void } | undefined;
    const block = () => {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => {
        resolve = done;
      });
      room = { promise, resolve };
    };
    const gate = turnGate(2, { room: () => room?.promise, maxHoldMs: 60_000 });
    const admitted: number[] = [];
    const enter = (i: number) => {
      const wait = gate.enter();
      if (wait === undefined) admitted.push(i);
      else void wait.then(() => admitted.push(i));
    };
    enter(0);
    block();
    for (let i = 1; i < 5; i++) enter(i);
    expect(admitted).toEqual([0]);
    await nextTurn();
    await nextTurn();
    expect(admitted).toEqual([0]);
    expect(gate.waiting).toBe(4);
    // Room again: the held go on, perTurn a turn, first come first.
    const { resolve } = room!;
    room = undefined;
    resolve();
    await nextTurn();
    await nextTurn();
    expect(admitted).toEqual([0, 1, 2]);
    await nextTurn();
    expect(admitted).toEqual([0, 1, 2, 3, 4]);
  });

  it('is idle while nobody waits and, given room, there is room', async () => {
    let room: Promise<void> | undefined;
    const gate = turnGate(1, { room: () => room });
    expect(gate.idle()).toBe(true);
    room = new Promise<void>(() => {});
    expect(gate.idle()).toBe(false);
    room = undefined;
    expect(gate.enter()).toBeUndefined();
    // The turn's one admission is taken: the next caller waits, and the gate is not idle.
    const wait = gate.enter();
    expect(gate.idle()).toBe(false);
    await wait;
    expect(gate.idle()).toBe(true);
  });

  it('given room, lets a caller go on after maxHoldMs though there is still none', async () => {
    const never = new Promise<void>(() => {});
    const gate = turnGate(4, { room: () => never, maxHoldMs: 30 });
    const started = performance.now();
    const wait = gate.enter();
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(gate.waiting).toBe(0);
  });
});
