/**
 * GraphQL over WebSocket (the `graphql-transport-ws` protocol of graphql-ws, on `ws`) beside Yoga's
 * Server-Sent Events, on the same port and path: every operation (subscriptions, queries and
 * mutations, for clients that send everything over the socket) runs through the gateway's
 * envelop (parse, validate, limits, context, masking, subscription bounds), as Yoga documents for
 * graphql-ws. The context is built from the upgrade request (headers such as `Stripe-Account`
 * apply) for each operation and is cancelled when the socket closes.
 *
 * The upgrade passes the same Host/Origin policy as HTTP requests (src/server/guards.ts: 421
 * HOST_NOT_ALLOWED, 403 ORIGIN_NOT_ALLOWED), and the gateway's bounds: messages of at most
 * `WS_MAX_PAYLOAD_BYTES` (a larger one closes the socket with 1009), at most `WS_MAX_CONNECTIONS`
 * sockets (503 TOO_MANY_CONNECTIONS at the upgrade) and `SUBSCRIPTIONS_PER_CONNECTION` operations
 * at once on one socket (an `error` message TOO_MANY_SUBSCRIPTIONS for the one past it).
 *
 * A frame `ws` refuses (over `maxPayload`, or breaking the protocol) closes its socket with the
 * code `ws` chose (1009, 1002…) and is told to the transport's `onRefusal` (a metric, a log line):
 * not printed with its stack to stderr by graphql-ws, whose listener for socket errors is replaced.
 */
import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { Cancellation } from '../rest/cancel.ts';
import { DEFAULT_CHANNELS } from './config.ts';
import type { GatewayYoga } from './gateway.ts';
import {
  createChannelPolicy,
  REQUESTS_PER_TURN,
  type Refusal,
  refusalBody,
  type Transport,
  transportOf,
} from './guards.ts';
import { tooManySubscriptions } from './streams.ts';
import { turnGate } from './turns.ts';

export interface WebSocketService {
  /** open sockets */
  readonly size: number;
  close(): Promise<void>;
}

type Enveloped = ReturnType<GatewayYoga['getEnveloped']>;

/** A yoga made elsewhere than createGateway: no Host restriction, same-origin browsers only. */
const FALLBACK: Transport = {
  policy: createChannelPolicy({ allowedHosts: [], origins: [], loopbackOrigins: false }),
  channels: { ...DEFAULT_CHANNELS, loopbackOrigins: false },
};

/** Answers an upgrade request with an HTTP error (the socket is not a WebSocket yet). */
export function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const body = JSON.stringify(refusalBody(refusal.code, refusal.message));
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\n` +
      'connection: close\r\ncache-control: no-store\r\ncontent-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function pathnameOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The close code `ws` attaches to the errors of frames it refuses (its `kStatusCode` symbol). */
function closeCodeOf(error: Error): number | undefined {
  if (!(error as { code?: unknown }).code?.toString().startsWith('WS_ERR_')) return undefined;
  for (const symbol of Object.getOwnPropertySymbols(error)) {
    const value = (error as unknown as Record<symbol, unknown>)[symbol];
    if (symbol.description === 'status-code' && typeof value === 'number') return value;
  }
  return undefined;
}

interface Extra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

/**
 * The upgrade as a Fetch request, made once per socket (every operation on it shares its headers),
 * with a signal aborted when the socket closes. Light, as every open socket holds one: Yoga's
 * Request class (its headers read lazily from the upgrade's), and for signal a `Cancellation`, all
 * the gateway reads of a request's signal (src/server/gateway.ts `requestSignal`), rather than a
 * native Request and AbortController (3.5 of 28 KB a socket with one subscription, measured in
 * heap snapshots), aborted with one reason made once (a DOMException each, stack and all, was
 * 15 ms of a 1,000-socket teardown).
 */
const requests = new WeakMap<WebSocket, Request>();
const SOCKET_CLOSED = new DOMException('The WebSocket closed', 'AbortError');

function upgradeRequest(extra: Extra, path: string, fetchAPI: GatewayYoga['fetchAPI']): Request {
  let request = requests.get(extra.socket);
  if (request) return request;
  const upgrade = extra.request;
  const closed = new Cancellation();
  extra.socket.once('close', () => closed.abort(SOCKET_CLOSED));
  request = new fetchAPI.Request(`http://localhost${upgrade.url ?? path}`, {
    // The operations are messages on the socket, not the upgrade's GET: as a GET, Yoga would refuse
    // every mutation ("Can only perform a mutation operation from a POST request", its guard for
    // URLs a page can make a browser load), where the upgrade has passed the Origin policy already.
    method: 'POST',
    headers: upgrade.headers as Record<string, string>,
    signal: closed as unknown as AbortSignal,
  });
  requests.set(extra.socket, request);
  return request;
}

export function serveWebSockets(server: Server, yoga: GatewayYoga, path: string): WebSocketService {
  const requestOf = (extra: Extra) => upgradeRequest(extra, path, yoga.fetchAPI);
  const { policy, channels, onRefusal } = transportOf.get(yoga) ?? FALLBACK;
  const wss = new WebSocketServer({ noServer: true, maxPayload: channels.wsMaxPayloadBytes });
  const gate = turnGate(REQUESTS_PER_TURN);
  const refuse = (socket: Duplex, refusal: Refusal) => {
    refuseUpgrade(socket, refusal);
    onRefusal?.({ ...refusal, stage: 'upgrade' });
  };
  /**
   * A frame `ws` refused: it has closed the socket with the code the error carries already. Any
   * other error closes it 1011, as graphql-ws would.
   */
  const onSocketError = (ws: WebSocket, error: Error) => {
    const code = closeCodeOf(error);
    if (code === undefined) ws.close(1011, 'Internal server error');
    onRefusal?.({
      stage: 'message',
      status: code ?? 1011,
      code: code === 1009 ? 'MESSAGE_TOO_LARGE' : 'BAD_FRAME',
      message: error.message,
    });
  };
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Refused by the listener (MAX_CONNECTIONS) and already answered.
    if (!socket.writable) return;
    if (pathnameOf(request) !== path) {
      refuse(socket, { status: 404, code: 'NOT_FOUND', message: `WebSockets are served at ${path}` });
      return;
    }
    const refusal = policy.check(request.headers.host, request.headers.origin);
    if (refusal) {
      refuse(socket, refusal);
      return;
    }
    if (wss.clients.size >= channels.maxWebSockets) {
      refuse(socket, {
        status: 503,
        code: 'TOO_MANY_CONNECTIONS',
        message: `This server has ${channels.maxWebSockets} open WebSockets, its maximum (WS_MAX_CONNECTIONS): try again later`,
      });
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      wss.emit('connection', ws, request);
      // After graphql-ws's listeners are on: its own for `error` prints the stack (see above).
      ws.removeAllListeners('error');
      ws.on('error', (error) => onSocketError(ws, error));
    });
  };
  server.on('upgrade', onUpgrade);

  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as Enveloped).execute(args as ExecutionArgs),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args as ExecutionArgs),
      onSubscribe: async (ctx, _id, params) => {
        // This operation is counted already.
        if (Object.keys(ctx.subscriptions).length > channels.subscriptionsPerConnection) {
          return [tooManySubscriptions('connection', channels.subscriptionsPerConnection)];
        }
        // Operations that arrive together (a thousand sockets subscribing) start over several turns.
        const wait = gate.enter();
        if (wait !== undefined) await wait;
        const enveloped = yoga.getEnveloped({ request: requestOf(ctx.extra), params });
        const { schema, parse, validate, contextFactory } = enveloped;
        let document: ReturnType<typeof parse>;
        let errors: readonly GraphQLError[];
        try {
          document = parse(params.query);
          // The cheap pre-checks throw a refusal that depends on the variables (src/server/precheck.ts).
          errors = validate(schema, document);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        if (errors.length > 0) return [...errors];
        return {
          schema,
          document,
          operationName: params.operationName,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: enveloped,
        };
      },
    },
    wss,
  );
  return {
    get size() {
      return wss.clients.size;
    },
    async close() {
      server.off('upgrade', onUpgrade);
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
