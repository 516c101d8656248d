/**
 * The clients of the abuse bench's floods (bench/abuse.ts, case 7), run in a child process of their
 * own so that the stall and the memory the bench measures are the gateway's: 2,000 clients opened
 * and torn down in the bench's process cost its event loop more than the gateway's work (a profile
 * of the SSE flood: 140 ms of the bench's `destroy()` loop in one turn, on top of the client
 * objects in the heap and RSS figures).
 *
 * The parent sends `{ op: 'open', flood }`; the child opens the clients, `BATCH` per turn, waits
 * `holdMs` for the gateway's answers, and replies `{ op: 'opened', status, open }` (`open`: the
 * subscriptions still open, i.e. accepted). On `{ op: 'close' }` it closes them all and replies
 * `{ op: 'closed' }` once every socket is gone.
 *
 *   forked by bench/abuse.ts; not run alone
 */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';

/** clients opened per turn of the event loop */
const BATCH = 50;

export type Flood =
  | { kind: 'websocket'; origin: string; sockets: number; subscriptions: number }
  | { kind: 'sse'; origin: string; streams: number }
  | { kind: 'slow-bodies'; origin: string; sockets: number };

export type ToClients = { op: 'open'; flood: Flood; holdMs: number } | { op: 'close' };
export type FromClients = { op: 'opened'; status: number; open: number } | { op: 'closed' };

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `n` results of `open`, started `BATCH` per turn of the event loop. */
export async function inBatches<T>(n: number, open: () => Promise<T>): Promise<T[]> {
  const pending: Promise<T>[] = [];
  for (let i = 0; i < n; i++) {
    pending.push(open());
    if (i % BATCH === BATCH - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  return Promise.all(pending);
}

/** A raw connection to the listener, resolved once connected. */
export function rawSocket(origin: string): Promise<Socket> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.on('error', () => resolve(socket));
  });
}

/** An open flood: how it answered, and how to end it. */
interface Opened {
  status: number;
  /** subscriptions (or sockets) still open */
  open(): number;
  /** closes every client; resolves once all are gone */
  close(): Promise<void>;
}

/** Closes every socket (`end` it); resolves once all are gone. */
async function closeAll(sockets: readonly Socket[], end: (socket: Socket) => void): Promise<void> {
  const live = sockets.filter((socket) => !socket.closed);
  const closed = live.map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
  for (const socket of live) end(socket);
  await Promise.all(closed);
}

/**
 * `sockets` WebSockets, each asking `subscriptions` subscriptions to stripeEvents. A refused
 * socket is answered at the upgrade, a refused subscription by an `error` message; accepted ones
 * say nothing.
 */
async function webSocketFlood(origin: string, sockets: number, subscriptions: number): Promise<Opened> {
  const url = `${origin.replace(/^http/, 'ws')}/graphql`;
  const opened: WebSocket[] = [];
  let refused = 0;
  await inBatches(
    sockets,
    () =>
      new Promise<void>((resolve) => {
        const ws = new WebSocket(url, 'graphql-transport-ws');
        ws.once('unexpected-response', (_req, res) => {
          res.resume();
          resolve();
        });
        ws.once('error', () => resolve());
        ws.once('open', () => {
          opened.push(ws);
          ws.send(JSON.stringify({ type: 'connection_init' }));
        });
        ws.on('message', (data: Buffer) => {
          const type = (JSON.parse(data.toString()) as { type: string }).type;
          if (type === 'error') refused++;
          if (type !== 'connection_ack') return;
          for (let i = 0; i < subscriptions; i++) {
            ws.send(
              JSON.stringify({
                id: String(i),
                type: 'subscribe',
                payload: { query: 'subscription { stripeEvents { id } }' },
              }),
            );
          }
          resolve();
        });
      }),
  );
  return {
    status: 101,
    open: () => opened.length * subscriptions - refused,
    async close() {
      const live = opened.filter((ws) => ws.readyState !== WebSocket.CLOSED);
      const closed = live.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
      for (const ws of live) ws.close();
      await Promise.all(closed);
    },
  };
}

/** `n` SSE subscriptions, each a POST on a socket of its own; a refused one's answer ends. */
async function sseFlood(origin: string, n: number): Promise<Opened> {
  const body = JSON.stringify({ query: 'subscription { stripeEvents { id } }' });
  const headers = { 'content-type': 'application/json', accept: 'text/event-stream' };
  let ended = 0;
  const streams = await inBatches(
    n,
    () =>
      new Promise<{ status: number; socket: Socket | undefined }>((resolve) => {
        const req = request(`${origin}/graphql`, { method: 'POST', headers, agent: false }, (res) => {
          res.resume();
          res.once('end', () => ended++);
          resolve({ status: res.statusCode ?? 0, socket: req.socket ?? undefined });
        });
        req.on('error', () => resolve({ status: 0, socket: undefined }));
        req.end(body);
      }),
  );
  const sockets = streams.flatMap(({ socket }) => (socket ? [socket] : []));
  return {
    status: streams.at(-1)!.status,
    open: () => n - ended,
    close: () => closeAll(sockets, (socket) => socket.destroy()),
  };
}

/** `n` connections that send headers and 10 bytes of a 1,000-byte body. */
async function slowBodies(origin: string, n: number): Promise<Opened> {
  const sockets = await inBatches(n, async () => {
    const socket = await rawSocket(origin);
    socket.write(
      `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"query":"`,
    );
    return socket;
  });
  return {
    status: 200,
    open: () => sockets.filter((socket) => !socket.closed).length,
    close: () => closeAll(sockets, (socket) => socket.destroy()),
  };
}

function open(flood: Flood): Promise<Opened> {
  switch (flood.kind) {
    case 'websocket':
      return webSocketFlood(flood.origin, flood.sockets, flood.subscriptions);
    case 'sse':
      return sseFlood(flood.origin, flood.streams);
    case 'slow-bodies':
      return slowBodies(flood.origin, flood.sockets);
  }
}

if (process.send !== undefined && process.argv.includes('--abuse-clients')) {
  const reply = (message: FromClients) => process.send!(message);
  let current: Opened | undefined;
  process.on('message', async (message: ToClients) => {
    if (message.op === 'open') {
      current = await open(message.flood);
      await settle(message.holdMs);
      reply({ op: 'opened', status: current.status, open: current.open() });
    } else {
      await current?.close();
      current = undefined;
      reply({ op: 'closed' });
    }
  });
  process.on('disconnect', () => process.exit(0));
}
