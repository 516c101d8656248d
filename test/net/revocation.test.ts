/**
 * The token deny-list shared through Redis (src/server/revocation.ts), with a real redis-server:
 * a revocation made on one replica is refused and ends streams on another at once (the channel),
 * and a replica that was cut off when it was announced learns it when it reloads the list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../src/server/pubsub.ts';
import { createRevocations, type Revocations } from '../../src/server/revocation.ts';
import { type RedisServer, startRedis } from './redis.ts';

let redis: RedisServer;
const lists: Revocations[] = [];
const connections: ReturnType<typeof connectRedis>[] = [];

function replica(): Revocations {
  const connection = connectRedis(redis.url);
  connections.push(connection);
  const list = createRevocations({ redis: connection, prefix: 'rev:', refreshMs: 60_000 });
  lists.push(list);
  return list;
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return check();
};

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const list of lists) await list.close();
  for (const connection of connections) connection.disconnect();
  await redis.stop();
});

describe('the revocation list over Redis', () => {
  it('reaches every replica at once, and a replica started later loads it', async () => {
    const a = replica();
    const b = replica();
    const tool = redis.client();
    // Both listen on the channel.
    const listening = async () =>
      Number(((await tool.pubsub('NUMSUB', 'rev:auth:revocations')) as [string, number])[1]);
    for (let i = 0; i < 200 && (await listening()) < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await listening()).toBe(2);
    let ended = 0;
    b.watch({ tokenId: 'jti_1' }, () => ended++);
    b.watch({ subject: 'user_1', issuedAt: 100 }, () => ended++);
    const later = { subject: 'user_1', issuedAt: 300 };
    b.watch(later, () => ended++);
    await a.revoke({ jti: 'jti_1' }, 60);
    await a.revoke({ subject: 'user_1', before: 200 }, 60);
    expect(await until(() => ended === 2)).toBe(true);
    expect(b.isRevoked({ tokenId: 'jti_1' })).toBe(true);
    expect(b.isRevoked({ subject: 'user_1', issuedAt: 200 })).toBe(true);
    expect(b.isRevoked(later)).toBe(false);
    expect(b.isRevoked({ tokenId: 'jti_2', subject: 'user_2' })).toBe(false);

    // Written by any tool (the key; no announcement): a replica's reload finds it, with its lifetime.
    await tool.set('rev:revoked:jti:jti_tool', '1', 'EX', 60);
    const c = replica();
    expect(await until(() => c.isRevoked({ tokenId: 'jti_1' }) && c.isRevoked({ tokenId: 'jti_tool' }))).toBe(
      true,
    );
    expect(c.isRevoked({ subject: 'user_1', issuedAt: 150 })).toBe(true);
    await b.refresh();
    expect(b.isRevoked({ tokenId: 'jti_tool' })).toBe(true);
    expect(await tool.ttl('rev:revoked:jti:jti_1')).toBeGreaterThan(0);
    tool.disconnect();
  });
});
