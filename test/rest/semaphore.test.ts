import { describe, expect, it } from 'vitest';
import { QueueTimeoutError, Semaphore } from '../../src/rest/semaphore.ts';

describe('Semaphore', () => {
  it('grants up to the limit, then queues FIFO', async () => {
    const semaphore = new Semaphore(2);
    const a = await semaphore.acquire();
    const b = await semaphore.acquire();
    const order: string[] = [];
    const c = semaphore.acquire().then((release) => {
      order.push('c');
      return release;
    });
    const d = semaphore.acquire().then((release) => {
      order.push('d');
      return release;
    });
    expect(semaphore.active).toBe(2);
    expect(semaphore.pending).toBe(2);
    a();
    a(); // a second release is ignored
    const releaseC = await c;
    expect(order).toEqual(['c']);
    expect(semaphore.active).toBe(2);
    b();
    const releaseD = await d;
    expect(order).toEqual(['c', 'd']);
    releaseC();
    releaseD();
    expect(semaphore.active).toBe(0);
    expect(semaphore.pending).toBe(0);
  });

  it('drops an aborted waiter from the queue', async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const controller = new AbortController();
    const aborted = semaphore.acquire(controller.signal);
    const next = semaphore.acquire();
    controller.abort(new Error('gone'));
    await expect(aborted).rejects.toThrow('gone');
    expect(semaphore.pending).toBe(1);
    held();
    (await next)();
    expect(semaphore.active).toBe(0);
    await expect(semaphore.acquire(AbortSignal.abort(new Error('early')))).rejects.toThrow('early');
  });

  it('refuses a non-positive limit', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
  });
});

describe('Semaphore between keys', () => {
  it('holds one key to perKey permits: the slot it may not take goes to another key', async () => {
    const semaphore = new Semaphore(3, { perKey: 2 });
    const slow = [await semaphore.acquire(undefined, 'slow'), await semaphore.acquire(undefined, 'slow')];
    const order: string[] = [];
    const take = (key: string) =>
      semaphore.acquire(undefined, key).then((release) => {
        order.push(key);
        return release;
      });
    const third = take('slow');
    const fast = await take('fast');
    expect(order).toEqual(['fast']);
    const again = take('fast');
    fast();
    // The freed slot skips `slow` (at its share) for the next key that may take it.
    const releases = [await again];
    expect(order).toEqual(['fast', 'fast']);
    slow[0]!();
    releases.push(await third);
    expect(order).toEqual(['fast', 'fast', 'slow']);
    for (const release of [...releases, slow[1]!]) release();
    expect(semaphore.active).toBe(0);
    expect(semaphore.pending).toBe(0);
  });

  it('lets waiting keys take turns, FIFO within a key', async () => {
    const semaphore = new Semaphore(1);
    let release = await semaphore.acquire(undefined, 'x');
    const order: string[] = [];
    const waits = ['a1', 'a2', 'b1'].map((name) =>
      semaphore.acquire(undefined, name[0]).then((next) => {
        order.push(name);
        return next;
      }),
    );
    // After a1, key a goes to the back of the turn: b1 comes before a2.
    for (const index of [0, 2, 1]) {
      release();
      release = await waits[index]!;
    }
    expect(order).toEqual(['a1', 'b1', 'a2']);
    release();
    expect(semaphore.active).toBe(0);
  });

  it('gives up a wait after queueTimeoutMs with QueueTimeoutError', async () => {
    const semaphore = new Semaphore(1, { queueTimeoutMs: 20 });
    const held = await semaphore.acquire();
    await expect(semaphore.acquire()).rejects.toBeInstanceOf(QueueTimeoutError);
    expect(semaphore.pending).toBe(0);
    held();
    (await semaphore.acquire())();
    expect(semaphore.active).toBe(0);
  });

  it('whenRoom: undefined while a permit is free or nobody waits; else resolves when so again', async () => {
    const semaphore = new Semaphore(2, { perKey: 1 });
    expect(semaphore.whenRoom()).toBeUndefined();
    const a = await semaphore.acquire(undefined, 'a');
    // Waiting only for its key's share: a permit is free, nobody else is held back.
    const a2 = semaphore.acquire(undefined, 'a');
    expect(semaphore.pending).toBe(1);
    expect(semaphore.whenRoom()).toBeUndefined();
    const b = await semaphore.acquire(undefined, 'b');
    // Every permit held and a call waiting: no room until the queue moves.
    let roomy = false;
    const room = semaphore.whenRoom()!;
    expect(room).toBeInstanceOf(Promise);
    expect(semaphore.whenRoom()).toBe(room);
    void room.then(() => {
      roomy = true;
    });
    const c = semaphore.acquire(undefined, 'c');
    b(); // c takes b's permit; a2 still waits for a's: still none
    const releaseC = await c;
    await Promise.resolve();
    expect(roomy).toBe(false);
    a(); // a2 is granted: nobody waits
    const releaseA2 = await a2;
    await room;
    expect(roomy).toBe(true);
    expect(semaphore.whenRoom()).toBeUndefined();
    releaseC();
    releaseA2();
  });

  it('whenRoom resolves when the last waiter gives up', async () => {
    const semaphore = new Semaphore(1, { queueTimeoutMs: 20 });
    const held = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    const room = semaphore.whenRoom()!;
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    await room;
    expect(semaphore.whenRoom()).toBeUndefined();
    held();
  });
});
