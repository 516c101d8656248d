/**
 * In-process gateway tests: the emulator, a gateway over it (no listening socket: requests go
 * through `yoga.fetch`), its log lines captured. The gateway's and the admin's REST clients reach
 * the emulator in-process (src/emulator/dispatcher.ts), unless `env` points STRIPE_API_BASE
 * elsewhere; the emulator also listens on a local port, for tests that hand its URL to an SDK.
 */
import { EmulatorDispatcher } from '../../src/emulator/dispatcher.ts';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { createRestClient, type RestClient } from '../../src/rest/client.ts';
import { type BuiltSchema, buildSchema } from '../../src/schema/index.ts';
import { readServerConfig } from '../../src/server/config.ts';
import { createGateway, type Gateway } from '../../src/server/gateway.ts';
import { readProductionConfig } from '../../src/server/production-config.ts';

let schema: BuiltSchema | undefined;
/** One schema per test file: building it takes a few hundred milliseconds. */
export function sharedSchema(): BuiltSchema {
  schema ??= buildSchema();
  return schema;
}

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: {
      message: string;
      locations?: { line: number; column: number }[];
      path?: (string | number)[];
      extensions?: Record<string, unknown>;
    }[];
    extensions?: Record<string, unknown>;
  };
}

export interface Harness {
  emulator: Emulator;
  gateway: Gateway;
  /** a REST client on the emulator, for setting up data */
  admin: RestClient;
  /** the gateway's log lines, parsed */
  logs: Record<string, unknown>[];
  /** the raw log lines, as written */
  rawLogs: string[];
  query(
    query: string,
    options?: {
      variables?: Record<string, unknown>;
      headers?: Record<string, string>;
      operationName?: string;
    },
  ): Promise<GraphQLResponse>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Stripe calls the emulator has served since the last call to this (or start). */
  upstreamCalls(): number;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** wraps the gateway's REST client (to inject failures) */
  wrapRest?: (rest: RestClient) => RestClient;
  /** a schema other than the shared one (built with other options) */
  schema?: BuiltSchema;
}

export async function startHarness(
  env: NodeJS.ProcessEnv = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const emulator = await createEmulator();
  const config = readServerConfig({
    STRIPE_SECRET_KEY: emulator.key,
    STRIPE_API_BASE: emulator.url,
    STRIPE_MAX_RETRIES: '0',
    LOG_LEVEL: 'info',
    ...env,
  });
  const rawLogs: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const { secretKey, ...restConfig } = config.rest;
  const inProcess = new EmulatorDispatcher(emulator.service);
  const dispatcher = restConfig.apiBase === emulator.url ? { dispatcher: inProcess } : {};
  const gateway = createGateway({
    config,
    production: readProductionConfig(env),
    schema: options.schema ?? sharedSchema(),
    rest: (onRequest, limiter) => {
      const rest = createRestClient({
        ...restConfig,
        secretKey: secretKey!,
        onRequest,
        ...dispatcher,
        ...(limiter ? { limiter } : {}),
      });
      return options.wrapRest ? options.wrapRest(rest) : rest;
    },
    logSink: (line) => {
      rawLogs.push(line);
      logs.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  const admin = createRestClient({
    secretKey: emulator.key,
    apiBase: emulator.url,
    maxRetries: 0,
    dispatcher: inProcess,
  });
  let seen = emulator.stats().total;
  const fetchPath = async (path: string, init?: RequestInit): Promise<Response> =>
    gateway.yoga.fetch(`http://localhost${path}`, init ?? {});
  return {
    emulator,
    gateway,
    admin,
    logs,
    rawLogs,
    fetch: fetchPath,
    async query(query, options = {}) {
      const response = await fetchPath('/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...options.headers,
        },
        body: JSON.stringify({
          query,
          ...(options.variables ? { variables: options.variables } : {}),
          ...(options.operationName ? { operationName: options.operationName } : {}),
        }),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as GraphQLResponse['body'],
      };
    },
    upstreamCalls() {
      const total = emulator.stats().total;
      const calls = total - seen;
      seen = total;
      return calls;
    },
    async close() {
      await gateway.close();
      await admin.close();
      await emulator.close();
    },
  };
}
