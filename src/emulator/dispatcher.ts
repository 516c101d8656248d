/**
 * The emulator as an undici `Dispatcher`: requests dispatched to it are served by an
 * `EmulatorService` in the same process, without a socket. Give it to the REST client
 * (`createRestClient({ dispatcher })`) for in-process tests and benchmarks; the client's retries,
 * timeouts and error mapping run as they would over HTTP (a dropped connection is a socket error).
 */
import { STATUS_CODES } from 'node:http';
import { Dispatcher } from 'undici';
import type { EmulatorService } from './service.ts';

type Handler = Dispatcher.DispatchHandler;

export class EmulatorDispatcher extends Dispatcher {
  readonly #service: EmulatorService;

  constructor(service: EmulatorService) {
    super();
    this.#service = service;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Handler): boolean {
    void this.#serve(options, handler);
    return true;
  }

  override close(): Promise<void> {
    return Promise.resolve();
  }

  override destroy(): Promise<void> {
    return Promise.resolve();
  }

  async #serve(options: Dispatcher.DispatchOptions, handler: Handler): Promise<void> {
    let aborted: Error | undefined;
    try {
      handler.onConnect?.((reason) => {
        aborted = reason ?? new Error('The request was aborted');
      });
      const body = await bodyOf(options.body);
      const response = await this.#service.handle({
        method: options.method,
        url: options.path,
        headers: headersOf(options.headers),
        ...(body ? { body } : {}),
      });
      if (aborted) throw aborted;
      if (response.drop) {
        throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
      }
      const raw: Buffer[] = [];
      for (const [name, value] of Object.entries(response.headers))
        raw.push(Buffer.from(name), Buffer.from(value));
      handler.onHeaders?.(response.status, raw, () => {}, STATUS_CODES[response.status] ?? '');
      if (aborted) throw aborted;
      handler.onData?.(Buffer.from(response.body));
      handler.onComplete?.([]);
    } catch (error) {
      handler.onError?.(error as Error);
    }
  }
}

/** A dispatched request's headers, names in lower case. */
export function headersOf(headers: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (name: string, value: unknown) => {
    if (value !== undefined)
      out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  };
  if (!headers) return out;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) add(String(headers[i]), headers[i + 1]);
  } else if (Symbol.iterator in headers) {
    for (const [name, value] of headers as Iterable<[string, string | string[] | undefined]>)
      add(name, value);
  } else {
    for (const [name, value] of Object.entries(headers)) add(name, value);
  }
  return out;
}

async function bodyOf(body: Dispatcher.DispatchOptions['body']): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof FormData) return Buffer.from(await new Response(body).arrayBuffer());
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
