/**
 * The "compression" table: bytes on the wire and CPU per answer for the full introspection answer
 * (GraphiQL's introspection query) and a 100-item page, uncompressed, gzip and Brotli at the
 * settings the gateway uses (src/server/compression.ts), and Brotli at its slowest quality for
 * comparison. The CPU is the whole process's (user + system, node:zlib's thread pool included)
 * for answers served through `yoga.fetch`, in this process, on the emulator.
 *
 *   node --import tsx bench/compression.ts
 */
import { fileURLToPath } from 'node:url';
import { getIntrospectionQuery } from 'graphql';
import { createEmulator } from '../src/emulator/server.ts';
import { createRestClient } from '../src/rest/client.ts';
import { buildSchema } from '../src/schema/index.ts';
import { DEFAULT_COMPRESSION } from '../src/server/compression.ts';
import { readServerConfig } from '../src/server/config.ts';
import { createGateway } from '../src/server/gateway.ts';
import { type BenchRow, printTable } from './table.ts';

const PAGE = '{ customers(first: 100) { nodes { id email name description created balance currency } } }';
const CASES = [
  { name: 'introspection', query: getIntrospectionQuery(), runs: 10 },
  { name: '100-item page', query: PAGE, runs: 200 },
];
const SETTINGS = [
  { label: 'identity', acceptEncoding: undefined, brotliQuality: DEFAULT_COMPRESSION.brotliQuality },
  { label: `gzip level ${DEFAULT_COMPRESSION.gzipLevel}`, acceptEncoding: 'gzip', brotliQuality: 4 },
  {
    label: `br quality ${DEFAULT_COMPRESSION.brotliQuality}`,
    acceptEncoding: 'br',
    brotliQuality: DEFAULT_COMPRESSION.brotliQuality,
  },
  { label: 'br quality 11', acceptEncoding: 'br', brotliQuality: 11 },
];

export async function benchCompression(): Promise<BenchRow[]> {
  const emulator = await createEmulator();
  const admin = createRestClient({ secretKey: emulator.key, apiBase: emulator.url, maxRetries: 0 });
  const existing = await admin.request<{ data: unknown[] }>({
    method: 'GET',
    path: '/v1/customers',
    params: { limit: 100 },
  });
  for (let i = existing.data.length; i < 100; i++) {
    await admin.request({
      method: 'POST',
      path: '/v1/customers',
      params: {
        email: `bench${i}@example.com`,
        name: `Bench Customer ${i}`,
        description: 'compression bench',
      },
    });
  }
  const schema = buildSchema();
  const config = readServerConfig({
    STRIPE_SECRET_KEY: emulator.key,
    STRIPE_API_BASE: emulator.url,
    INTROSPECTION: 'true',
    LOG_LEVEL: 'warn',
    ACCESS_LOG: 'off',
  });
  const rows: BenchRow[] = [];
  for (const setting of SETTINGS) {
    const gateway = createGateway({
      config,
      schema,
      production: {
        compression: { ...DEFAULT_COMPRESSION, brotliQuality: setting.brotliQuality },
        trustedDocuments: { mode: 'off', manifest: undefined },
      },
    });
    for (const { name, query, runs } of CASES) {
      const body = JSON.stringify({ query });
      const send = async () => {
        const response = await gateway.yoga.fetch('http://localhost/graphql', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(setting.acceptEncoding ? { 'accept-encoding': setting.acceptEncoding } : {}),
          },
          body,
        });
        if (response.status !== 200) throw new Error(`${name}: HTTP ${response.status}`);
        return (await response.arrayBuffer()).byteLength;
      };
      for (let i = 0; i < 3; i++) await send(); // warm-up: compiled document, caches
      const before = process.cpuUsage();
      let bytes = 0;
      for (let i = 0; i < runs; i++) bytes = await send();
      const cpu = process.cpuUsage(before);
      const bench = `compression: ${name}`;
      rows.push(
        { bench, metric: `${setting.label}: bytes sent`, value: bytes / 1024, unit: 'KiB' },
        {
          bench,
          metric: `${setting.label}: CPU per answer (${runs} answers)`,
          value: (cpu.user + cpu.system) / 1000 / runs,
          unit: 'ms',
        },
      );
    }
    await gateway.close();
  }
  await admin.close();
  await emulator.close();
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await benchCompression());
