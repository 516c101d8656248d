/**
 * `npm run emulator`: the Stripe emulator on its own.
 *
 *   npm run emulator -- [--port 12111] [--host 127.0.0.1] [--no-seed]
 *
 * Fault injection comes from EMULATOR_LATENCY_MS, EMULATOR_ERROR_RATE_429, EMULATOR_ERROR_RATE_500
 * and EMULATOR_DROP_RATE (see faults.ts); control endpoints are under /_emulator/ (see server.ts).
 */
import { parseArgs } from 'node:util';
import { createEmulator } from './server.ts';
import { faultsFromEnv } from './transport/faults.ts';

export const DEFAULT_PORT = 12111;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: String(DEFAULT_PORT) },
      host: { type: 'string', default: '127.0.0.1' },
      'no-seed': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npm run emulator -- [--port 12111] [--host 127.0.0.1] [--no-seed]');
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port must be 0..65535, got ${values.port}`);
  const faults = faultsFromEnv(process.env);
  const emulator = await createEmulator({ port, host: values.host, seed: !values['no-seed'], faults });
  console.log(`Stripe emulator listening on ${emulator.url}`);
  console.log(`  key:     ${emulator.key} (any sk_test_… or rk_test_… key works)`);
  console.log(`  data:    ${values['no-seed'] ? 'empty' : 'demo dataset (see src/emulator/seed/seed.ts)'}`);
  if (Object.keys(faults).length > 0) console.log(`  faults:  ${JSON.stringify(faults)}`);
  console.log(`  try:     curl ${emulator.url}/v1/customers -u ${emulator.key}:`);
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(`emulator: ${error.message}`);
  process.exit(1);
});
