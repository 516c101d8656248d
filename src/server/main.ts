/**
 * `npm start`: reads the configuration (exiting non-zero with a message naming the variable when
 * it is invalid), starts the built-in Stripe emulator when no STRIPE_SECRET_KEY is set, serves the
 * gateway, and shuts down gracefully on SIGTERM/SIGINT: stop accepting, complete open subscriptions,
 * finish in-flight requests, close the REST client, close the emulator. stdout carries JSON log
 * lines only; the start-up banner goes to stderr.
 */
import { ConfigError, readServerConfig, type ServerConfig } from './config.ts';
import { createGateway, GRAPHQL_ENDPOINT } from './gateway.ts';
import { listen } from './listen.ts';
import { type ProductionConfig, readProductionConfig } from './production-config.ts';
import { createRedactor } from './redact.ts';
import { tracingEnabled } from './tracing.ts';
import { serveWebSockets } from './websocket.ts';

interface Upstream {
  config: ServerConfig;
  /** set when running on the built-in emulator */
  emulator?: { url: string; close(): Promise<void> };
}

async function upstreamFor(config: ServerConfig): Promise<Upstream> {
  // Passthrough holds no key: callers bring theirs to STRIPE_API_BASE (Stripe, or an emulator you run).
  if (config.rest.secretKey !== undefined || config.auth.mode === 'passthrough') return { config };
  const { createEmulator } = await import('../emulator/server.ts');
  const emulator = await createEmulator({ port: config.emulatorPort, host: '127.0.0.1' });
  return {
    config: { ...config, rest: { ...config.rest, secretKey: emulator.key, apiBase: emulator.url } },
    emulator,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  let config: ServerConfig;
  let production: ProductionConfig;
  try {
    config = readServerConfig(process.env);
    production = readProductionConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Invalid configuration: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }

  // OpenTelemetry only when the standard OTEL_* variables ask for it: the SDK is not even loaded otherwise.
  const tracing = tracingEnabled(process.env) ? (await import('./tracing-sdk.ts')).startTracing() : undefined;
  const upstream = await upstreamFor(config);
  const gateway = createGateway({
    config: upstream.config,
    production,
    ...(tracing ? { tracer: tracing.tracer } : {}),
  });
  const { logger } = gateway;
  let listener: Awaited<ReturnType<typeof listen>>;
  try {
    listener = await listen(gateway.yoga, {
      port: config.port,
      host: config.host,
      headersTimeoutMs: config.http.headersTimeoutMs,
      requestTimeoutMs: config.http.requestTimeoutMs,
      keepAliveTimeoutMs: config.http.keepAliveTimeoutMs,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const hint = code === 'EADDRINUSE' ? ` (port ${config.port} is in use: set PORT)` : '';
    process.stderr.write(
      `Cannot listen on ${config.host}:${config.port}${hint}: ${(error as Error).message}\n`,
    );
    await gateway.close();
    await upstream.emulator?.close();
    process.exitCode = 1;
    return;
  }

  const sockets = serveWebSockets(listener.server, gateway.yoga, GRAPHQL_ENDPOINT);
  const webhookUrl = `${listener.origin}${config.live.webhookPath}`;
  if (upstream.emulator) {
    // On the built-in emulator the gateway is its own webhook endpoint: live events with no set-up.
    const endpoint = await gateway.rest.request<{ secret: string }>({
      method: 'POST',
      path: '/v1/webhook_endpoints',
      params: { url: webhookUrl, enabled_events: ['*'], description: 'This gateway (npm start)' },
    });
    gateway.live.acceptWebhookSecret(endpoint.secret);
  }

  const graphqlUrl = `${listener.origin}${GRAPHQL_ENDPOINT}`;
  const lines = [
    `Stripe GraphQL gateway: ${graphqlUrl}${config.graphiql ? ' (open it in a browser for GraphiQL)' : ''}`,
    upstream.emulator
      ? `Running on the built-in Stripe emulator with demo data at ${upstream.emulator.url} (no STRIPE_SECRET_KEY set)`
      : `Using the Stripe API at ${config.rest.apiBase}`,
    `Subscriptions: SSE and WebSocket (graphql-ws) at ${graphqlUrl}; Stripe webhooks: POST ${webhookUrl}${
      upstream.emulator || config.live.webhookSecrets.length > 0 ? '' : ' (off: set STRIPE_WEBHOOK_SECRET)'
    }${config.live.redisUrl ? '; shared through Redis' : ''}`,
    `Health: ${listener.origin}/healthz  Readiness: ${listener.origin}/readyz  Metrics: ${listener.origin}/metrics`,
  ];
  // stdout carries JSON log lines only (what a log collector parses); the banner is for people.
  process.stderr.write(`${lines.join('\n')}\n`);
  logger.info('listening', {
    url: graphqlUrl,
    upstream: upstream.emulator ? 'emulator' : 'stripe',
    apiBase: upstream.config.rest.apiBase,
    startupMs: Math.round(performance.now() - started),
  });

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down', { signal, inFlight: listener.inFlight });
    gateway.readiness.drain();
    // Open subscriptions complete now (SSE `event: complete`, graphql-ws `complete`) rather than
    // hold the shutdown until SHUTDOWN_TIMEOUT_MS; the sockets close once that has been sent.
    gateway.live.endSubscriptions();
    // The streams end through promise jobs: let them run (graphql-ws sends each `complete`) before
    // the sockets are closed.
    await new Promise((resolve) => setImmediate(resolve));
    await sockets.close();
    const { forced } = await listener.close(config.shutdownTimeoutMs);
    await gateway.close();
    await upstream.emulator?.close();
    await tracing?.shutdown();
    logger.info('stopped', { forced });
    process.exit(process.exitCode ?? 0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      shutdown(signal).catch((error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exitCode = 1;
      });
    });
  }
}

main().catch((error: unknown) => {
  const redact = createRedactor([process.env.STRIPE_SECRET_KEY?.trim()]);
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`Failed to start: ${redact(text)}\n`);
  process.exitCode = 1;
});
