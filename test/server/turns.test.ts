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
});
