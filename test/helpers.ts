/**
 * Helpers every test folder shares: waiting for a condition, a REST client that records, and a
 * dispatcher that answers some requests in Stripe's place.
 */
import { STATUS_CODES } from 'node:http';
import { Dispatcher } from 'undici';
import { vi } from 'vitest';
import { headersOf } from '../src/emulator/dispatcher.ts';
import type { ListRequest, RestClient, RestRequest } from '../src/rest/client.ts';

export interface UntilOptions {
  /** what is awaited, for the timeout's message */
  what?: string;
  /** default 5 s */
  timeoutMs?: number;
  /** default 10 ms */
  intervalMs?: number;
}

/**
 * Polls `poll` (vitest's `vi.waitUntil`) until it returns something other than `undefined`, `null`
 * or `false`, and resolves with that; rejects after `timeoutMs`, naming `what`. An error `poll`
 * throws rejects at once.
 */
export async function until<T>(
  poll: () => T | undefined | null | false,
  { what = 'a condition', timeoutMs = 5_000, intervalMs = 10 }: UntilOptions = {},
): Promise<T> {
  try {
    const found = await vi.waitUntil(
      () => {
        const value = poll();
        return value === undefined || value === null || value === false ? undefined : { value };
      },
      { timeout: timeoutMs, interval: intervalMs },
    );
    return found.value;
  } catch (error) {
    if (error instanceof Error && /^Timed out in waitUntil/.test(error.message))
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    throw error;
  }
}

/**
 * How a recording client answers one request: a value (or a promise of one, or a thrown error) in
 * Stripe's place, or `undefined` to pass it on; `forward` passes it on and returns the answer.
 */
export type Answer = (request: RestRequest, forward: () => Promise<unknown>) => unknown;

export interface RecordingRest extends RestClient {
  /** every request, in the order sent */
  readonly requests: RestRequest[];
}

/**
 * A REST client that records each request, lets `answer` reply to it, and passes the rest on to
 * `inner` (a request neither answers fails the test that sent it). `list` goes to `inner` as is.
 */
export function recordingRest(inner: RestClient | undefined, answer?: Answer): RecordingRest {
  const requests: RestRequest[] = [];
  const forwardTo = (request: RestRequest) => () => {
    if (!inner) return Promise.reject(new Error(`unexpected ${request.method} ${filledPath(request)}`));
    return inner.request<unknown>(request);
  };
  return {
    requests,
    request<T>(request: RestRequest): Promise<T> {
      requests.push(request);
      const forward = forwardTo(request);
      try {
        const answered = answer?.(request, forward);
        return (answered === undefined ? forward() : Promise.resolve(answered)) as Promise<T>;
      } catch (error) {
        return Promise.reject(error);
      }
    },
    list<T>(request: ListRequest): AsyncGenerator<T, void, undefined> {
      if (!inner) throw new Error(`unexpected list ${request.path}`);
      return inner.list<T>(request);
    },
    close: () => inner?.close() ?? Promise.resolve(),
  };
}

/** A request's path with its `{name}` parameters filled in. */
export function filledPath(request: Pick<RestRequest, 'path' | 'pathParams'>): string {
  return request.path.replace(/\{(\w+)\}/g, (_, name: string) => String(request.pathParams?.[name] ?? ''));
}

/** A reply in Stripe's place: a status, its JSON body, and headers besides `content-type`. */
export interface FakeReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A request as a dispatcher sees it: method, path with query, headers (names in lower case). */
export interface Dispatched {
  method: string;
  path: string;
  headers: Record<string, string>;
}

/**
 * An undici `Dispatcher` for a REST client (`createRestClient({ dispatcher })`) that lets `answer`
 * reply to a request in Stripe's place, or fail it with an `Error` as a connection would, and hands
 * the rest to `inner` (the emulator's, in-process): the client's retries and error mapping run as
 * they would over HTTP, with no socket.
 */
export function answeringDispatcher(
  inner: Dispatcher,
  answer: (request: Dispatched) => FakeReply | Error | undefined,
): Dispatcher {
  return new (class extends Dispatcher {
    override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
      const reply = answer({
        method: options.method,
        path: options.path,
        headers: headersOf(options.headers),
      });
      if (!reply) return inner.dispatch(options, handler);
      queueMicrotask(() => {
        if (reply instanceof Error) return handler.onError?.(reply);
        handler.onConnect?.(() => {});
        const raw: Buffer[] = [];
        for (const [name, value] of Object.entries({ 'content-type': 'application/json', ...reply.headers }))
          raw.push(Buffer.from(name), Buffer.from(value));
        handler.onHeaders?.(reply.status, raw, () => {}, STATUS_CODES[reply.status] ?? '');
        handler.onData?.(Buffer.from(JSON.stringify(reply.body)));
        handler.onComplete?.([]);
      });
      return true;
    }
    override close(): Promise<void> {
      return Promise.resolve();
    }
    override destroy(): Promise<void> {
      return Promise.resolve();
    }
  })();
}
