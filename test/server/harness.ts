/**
 * In-process gateway tests: the emulator, a gateway over it, its log lines captured, and no
 * socket: requests go through `yoga.fetch`, the REST clients reach the emulator through its
 * dispatcher (src/emulator/dispatcher.ts) and its webhooks reach the gateway through `yoga.fetch`.
 * (A test whose fake Stripe needs a socket sets STRIPE_API_BASE in `env`: it belongs in test/net.)
 */
import type { Dispatcher } from 'undici';
import { EmulatorDispatcher } from '../../src/emulator/dispatcher.ts';
import { createEmulator, type Emulator } from '../../src/emulator/server.ts';
import { createRestClient, type RestClient } from '../../src/rest/client.ts';
import { type BuiltSchema, buildSchema } from '../../src/schema/index.ts';
import { readServerConfig, type ServerConfig } from '../../src/server/config.ts';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/server/gateway.ts';
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
  /** wraps the emulator's dispatcher under the gateway's REST client (to answer some requests itself) */
  wrapDispatcher?: (emulator: Dispatcher) => Dispatcher;
  /** the emulator's clock, in Unix seconds (default the system clock), for time to pass in a test */
  clock?: () => number;
}

/**
 * The gateway's origin in-process (`yoga.fetch`): webhook endpoints the emulator delivers to here
 * reach the gateway; the emulator calls no other.
 */
export const GATEWAY_URL = 'http://localhost';

/**
 * A `rest` factory for `createGateway` with the settings of `config.rest`, whose clients reach
 * `emulator` in-process (the API base is only a name then), or the network without one.
 */
export function restOver(
  emulator: Emulator | Dispatcher | undefined,
  config: ServerConfig,
  wrapRest: (rest: RestClient) => RestClient = (rest) => rest,
): NonNullable<GatewayOptions['rest']> {
  const dispatcher = emulator && 'service' in emulator ? new EmulatorDispatcher(emulator.service) : emulator;
  return (onRequest, limiter) =>
    wrapRest(
      createRestClient({
        ...config.rest,
        onRequest,
        ...(dispatcher ? { dispatcher } : {}),
        ...(limiter ? { limiter } : {}),
      }),
    );
}

export async function startHarness(
  env: NodeJS.ProcessEnv = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  let gateway: Gateway | undefined;
  const emulator = await createEmulator({
    listen: false,
    ...(options.clock ? { clock: options.clock } : {}),
    // Deliveries to GATEWAY_URL reach the gateway; any other endpoint is unreachable in-process.
    webhooks: {
      fetch: (url, init) =>
        url.startsWith(`${GATEWAY_URL}/`) && gateway
          ? Promise.resolve(gateway.yoga.fetch(url, init))
          : Promise.reject(new TypeError(`fetch failed: ${url} is not reachable in-process`)),
    },
  });
  const config = readServerConfig({
    STRIPE_SECRET_KEY: emulator.key,
    STRIPE_API_BASE: emulator.url,
    STRIPE_MAX_RETRIES: '0',
    LOG_LEVEL: 'info',
    ...env,
  });
  const rawLogs: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const inProcess = new EmulatorDispatcher(emulator.service);
  gateway = createGateway({
    config,
    production: readProductionConfig(env),
    schema: options.schema ?? sharedSchema(),
    // STRIPE_API_BASE set elsewhere in `env`: the gateway calls it over the network.
    rest: restOver(
      config.rest.apiBase !== emulator.url
        ? undefined
        : options.wrapDispatcher
          ? options.wrapDispatcher(inProcess)
          : inProcess,
      config,
      options.wrapRest,
    ),
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
  const served = gateway;
  const fetchPath = async (path: string, init?: RequestInit): Promise<Response> =>
    served.yoga.fetch(`${GATEWAY_URL}${path}`, init ?? {});
  return {
    emulator,
    gateway: served,
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
      await served.close();
      await admin.close();
      await emulator.close();
    },
  };
}
