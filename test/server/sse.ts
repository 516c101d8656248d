/** Reads GraphQL results from a `text/event-stream` response (Yoga's subscriptions over SSE). */
export interface ResultStream<T = Record<string, unknown>> {
  /** the next `next` event's payload; rejects after `timeoutMs` */
  next(
    timeoutMs?: number,
  ): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  /** payloads received and not yet taken by `next` */
  readonly pending: number;
  close(): void;
}

export function readResults<T = Record<string, unknown>>(
  response: Response,
  abort?: AbortController,
): ResultStream<T> {
  if (!response.body) throw new Error(`no body (status ${response.status})`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const queue: unknown[] = [];
  const waiters: ((value: unknown) => void)[] = [];
  let buffer = '';
  let done = false;
  void (async () => {
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        buffer += chunk.value;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const lines = block.split('\n');
          const event = lines
            .find((l) => l.startsWith('event:'))
            ?.slice(6)
            .trim();
          const data = lines
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('\n');
          if (event !== 'next' || !data) continue;
          const payload = JSON.parse(data) as unknown;
          const waiter = waiters.shift();
          if (waiter) waiter(payload);
          else queue.push(payload);
        }
      }
    } catch {
      // closed
    } finally {
      done = true;
    }
  })();
  return {
    next(timeoutMs = 5_000) {
      if (queue.length > 0) return Promise.resolve(queue.shift() as never);
      if (done) return Promise.reject(new Error('the stream has ended'));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(onValue), 1);
          reject(new Error(`no result within ${timeoutMs} ms`));
        }, timeoutMs);
        const onValue = (value: unknown) => {
          clearTimeout(timer);
          resolve(value as never);
        };
        waiters.push(onValue);
      });
    },
    get pending() {
      return queue.length;
    },
    close() {
      abort?.abort();
      void reader.cancel().catch(() => {});
    },
  };
}

/** Starts a subscription over SSE through `yoga.fetch` (no socket). */
export async function subscribeOver(
  yoga: { fetch(url: string, init: RequestInit): Response | Promise<Response> },
  query: string,
  options: { variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<ResultStream> {
  const abort = new AbortController();
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify({ query, variables: options.variables }),
    signal: abort.signal,
  });
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('text/event-stream')) throw new Error(`not an event stream: ${type}`);
  return readResults(response, abort);
}

/**
 * Waits until the subscription listens: publishes `sentinel` events it receives until one arrives
 * (a subscription starts listening a little after its response headers).
 */
export async function listening<E>(
  stream: ResultStream,
  publish: (event: E) => void,
  sentinel: () => E,
): Promise<void> {
  for (let i = 0; i < 100; i++) {
    publish(sentinel());
    try {
      await stream.next(50);
      return;
    } catch {
      // not yet
    }
  }
  throw new Error('the subscription never started');
}
