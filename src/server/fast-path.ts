/**
 * The fast path (issue #32): repeated GraphQL documents answered straight from node:http, in front
 * of Yoga. Yoga's request path (the whatwg Request and Response ponyfills, its hooks' promise
 * helpers, the server adapter) was about a fifth of a small query's CPU; this path skips that
 * machinery, not any of the gateway's checks: it runs the same envelop instance
 * (`yoga.getEnveloped`: the parse and validation caches, the query limits and their plan, the
 * precheck, the answer budget, the context factory with its auth and scopes, the masker, the
 * operation metrics and `extensions.cost`, graphql-jit), Yoga's own result processors and
 * serialiser (`processRegularResult`, handed a `Response` that only keeps what it is given),
 * the request tracking (request id, HTTP metrics, access log) and the compression of the answer.
 *
 * It serves only what it can serve exactly as Yoga would, decided from the headers before a byte
 * is read: a POST to the GraphQL endpoint (no query string), `Content-Type: application/json`, a
 * `Content-Length` within the body limit, no `Origin` (browsers' requests, CORS and its preflight
 * stay with Yoga), no `Transfer-Encoding`, an `Accept` that only a plain JSON answer matches, a Host
 * the channel policy accepts. Then, once the body is read: a JSON object with only `query`,
 * `variables`, `operationName` and `extensions`, whose `query` is a document Yoga has already
 * parsed and validated cleanly (remembered by its text, at most MAX_DOCUMENTS) naming a query or a
 * mutation. Anything else goes to Yoga untouched, or, when the body was already read, with that
 * body (`req.body`, which Yoga's node adapter reads instead of the stream): nothing is read twice.
 *
 * Not on this path (they fall through, or the fast path is off): trusted documents (Yoga's plugin
 * reads the params), tracing (its spans are Yoga's instrumentation), GET requests, batches.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  type OperationDefinitionNode,
} from 'graphql';
import { type Plugin, processRegularResult } from 'graphql-yoga';
import { Lru } from '../loaders/lru.ts';
import { isPromise, type MaybePromise } from '../loaders/promises.ts';
import { slot } from '../loaders/slot.ts';
import { compileDirect, type DirectProgram } from '../schema/direct.ts';
import { atLeast, type CompressionOptions, compress, negotiateEncoding } from './compression.ts';
import type { GatewayYoga } from './gateway.ts';
import type { ChannelPolicy } from './guards.ts';
import { coercedVariables } from './limits.ts';
import type { InitialContext } from './request-context.ts';
import { isAsyncIterable } from './streams.ts';
import { REQUEST_ID_HEADER, type RequestTracking } from './tracking.ts';
import type { TurnGate } from './turns.ts';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** Documents remembered as served cleanly before (by their text; the oldest forgotten first). */
export const MAX_DOCUMENTS = 1_000;
/** Longer documents are not remembered (Yoga's document cache does not keep them either). */
export const MAX_DOCUMENT_LENGTH = 8_192;

/**
 * Programs of documents answered directly (src/schema/direct.ts), the least recently used forgotten
 * first. A program holds some 0.6 KB per field node (its steps, infos and completions), besides the
 * parsed document Yoga's cache keeps: at most MAX_DIRECT_FIELDS nodes each, so a flood of distinct
 * large documents holds at most some 23 MB of programs; an application's hot documents are far fewer.
 */
export const MAX_DIRECT_DOCUMENTS = 128;

/** Host headers whose verdict is remembered. */
const MAX_HOSTS = 16;

/** The fast path of a gateway's Yoga instance, for `listen()` (src/server/listen.ts). */
export const fastPathOf = slot<NodeHandler>('fast path');

/** The documents Yoga parsed and validated without an error, by their text (bounded, LRU). */
export class KnownDocuments {
  readonly #texts = new Lru<string, true>(MAX_DOCUMENTS);

  /** Whether the document is known (refreshed: the oldest-used document is the one forgotten). */
  has(text: string): boolean {
    return this.#texts.get(text) !== undefined;
  }

  add(text: string): void {
    if (text.length > MAX_DOCUMENT_LENGTH || this.#texts.has(text)) return;
    this.#texts.set(text, true);
  }

  get size(): number {
    return this.#texts.size;
  }

  /**
   * The Yoga plugin that learns them: a document that passed validation (every rule, the limits'
   * too) is remembered. Variable-dependent refusals (the answer estimate, the cost) are not
   * validation results: they are checked again on every request, on either path.
   */
  plugin(): Plugin {
    return {
      onValidate: ({ context }) => {
        const query = (context as { params?: { query?: unknown } }).params?.query;
        if (typeof query !== 'string') return;
        return ({ valid }) => {
          if (valid) this.add(query);
        };
      },
    };
  }
}

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
}

const PARAM_NAMES = new Set(['query', 'variables', 'operationName', 'extensions']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The params Yoga would take as they are (Yoga's checks would refuse nothing in them). */
function simpleParams(body: unknown): body is Params {
  if (!isObject(body) || typeof body.query !== 'string') return false;
  for (const key in body) if (!PARAM_NAMES.has(key)) return false;
  const { variables, operationName, extensions } = body;
  return (
    (variables == null || isObject(variables)) &&
    (operationName == null || typeof operationName === 'string') &&
    (extensions == null || isObject(extensions))
  );
}

/** Media types in an `Accept` header that only Yoga's plain JSON answer matches (others: SSE, multipart). */
const JSON_ONLY_ACCEPT =
  /^(?:\s*(?:application\/json|application\/graphql-response\+json)\s*(?:;\s*charset=utf-8\s*)?(?:,|$))+$/i;

function acceptsJsonOnly(accept: string | undefined): boolean {
  // No Accept is `*/*`, which Yoga answers with its JSON processor (the last that matches).
  return accept === undefined || accept === '*/*' || JSON_ONLY_ACCEPT.test(accept);
}

const APPLICATION_JSON = /^application\/json(?:;|$)/;
const CONTENT_LENGTH = /^\d+$/;

/**
 * The request as the context factory and Yoga's envelop plugins read it (its method, its headers,
 * its URL), without a whatwg Request: `headers.get` reads node's header object.
 */
class RequestHead {
  readonly method = 'POST';
  readonly headers: { get(name: string): string | null };
  readonly #req: IncomingMessage;

  constructor(req: IncomingMessage) {
    this.#req = req;
    const headers = req.headers;
    this.headers = {
      get(name) {
        const value = headers[name.toLowerCase()];
        if (value === undefined) return null;
        return typeof value === 'string' ? value : value.join(', ');
      },
    };
  }

  get url(): string {
    return `http://${this.#req.headers.host ?? 'localhost'}${this.#req.url ?? '/'}`;
  }
}

/** What `processRegularResult` builds, kept as given: no whatwg Response, no body stream. */
class Answer {
  readonly body: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(body: string | null, init: { status?: number; headers?: Record<string, string> } = {}) {
    this.body = body ?? '';
    this.status = init.status ?? 200;
    this.headers = init.headers ?? {};
  }
}
const CAPTURE = { Response: Answer } as unknown as Parameters<typeof processRegularResult>[1];

/** Yoga's server object behind its adapter: the parts the fast path reuses. */
interface YogaInternals {
  getEnveloped: GatewayYoga['getEnveloped'];
  /** The envelop plugins, in order (Yoga's own and the gateway's). */
  plugins: readonly { onExecute?: unknown; onContextBuilding?: unknown }[];
  maskedErrorsOpts: {
    maskError(error: unknown, message: string, isDev?: boolean): Error;
    errorMessage: string;
    isDev?: boolean;
  } | null;
  logger: { error(...args: unknown[]): void; debug(...args: unknown[]): void };
  onExecutionResultHooks: ((payload: {
    result: unknown;
    setResult(result: unknown): void;
    request: unknown;
    context: unknown;
  }) => unknown)[];
  onResultProcessHooks: ((payload: Record<string, unknown>) => unknown)[];
}

type ResultProcessHook = YogaInternals['onResultProcessHooks'][number];

/** What Yoga's result-processor choice did for one Accept value: replayed for the next requests. */
interface ProcessorChoice {
  readonly acceptable: string[];
  processor: unknown;
  mediaType: string;
}

/** Accept values whose processor choice is remembered. */
const MAX_ACCEPTS = 16;

/**
 * Yoga's `useResultProcessors` hook: which processor answers (JSON, SSE, multipart) and the media
 * types acceptable. It was about a twentieth of the fast path's own work under load (it parses the
 * Accept header and matches media types by splitting strings, for every answer), and on this path
 * (no subscription; a result that is not a stream) it depends on the Accept header alone, so its
 * outcome is replayed per Accept value. Told apart from other plugins' hooks by its source: should
 * a Yoga release change it, the hook is simply called on every answer again.
 */
function choosesProcessor(hook: ResultProcessHook): boolean {
  const source = Function.prototype.toString.call(hook);
  return source.includes('getMediaTypesForRequestInOrder') && source.includes('isSubscriptionRequestMap');
}

/** What an envelop `onExecute` hook is handed, and may return. */
interface ExecutePayload {
  executeFn: (args: ExecutionArgs) => unknown;
  setExecuteFn(next: unknown): void;
  setResultAndStopExecution(result: unknown): void;
  context: Record<string, unknown>;
  extendContext(extension: unknown): void;
  args: ExecutionArgs;
}
interface ExecuteDone {
  onExecuteDone?: (payload: {
    args: ExecutionArgs;
    result: unknown;
    setResult(next: unknown): void;
  }) => unknown;
}
type ExecuteHook = (payload: ExecutePayload) => MaybePromise<ExecuteDone | undefined>;
type ContextDone = (payload: { context: object; extendContext(extension: object): void }) => unknown;
type ContextHook = (payload: {
  context: object;
  extendContext(extension: object): void;
  breakContextBuilding(): void;
}) => MaybePromise<ContextDone | undefined>;

/** A document answered directly: its parsed document and operation (Yoga's cached ones) and its program. */
interface DirectDocument {
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly program: DirectProgram;
}

/** `next` after `first`, without a promise between them when `first` is not one. */
function then<T>(first: MaybePromise<unknown>, next: () => MaybePromise<T>): MaybePromise<T> {
  return isPromise(first) ? first.then(next) : next();
}

/**
 * envelop's iteration over a plugin list: `call` on each item in order, what it returns (awaited
 * when a promise) kept in `results` when truthy, until `stopped()`; synchronous while every call is.
 */
function each<T, R>(
  items: readonly T[],
  call: (item: T) => MaybePromise<R | undefined> | unknown,
  results?: R[],
  stopped: () => boolean = () => false,
): MaybePromise<void> {
  const from = (i: number): MaybePromise<void> => {
    for (; i < items.length && !stopped(); i++) {
      const out = call(items[i]!) as MaybePromise<R | undefined>;
      if (isPromise(out)) {
        return out.then((value) => {
          if (value && results) results.push(value);
          return from(i + 1);
        });
      }
      if (out && results) results.push(out);
    }
  };
  return from(0);
}

export interface FastPathOptions {
  yoga: GatewayYoga;
  documents: KnownDocuments;
  graphqlEndpoint: string;
  policy: ChannelPolicy;
  maxBodyBytes: number;
  tracking: RequestTracking;
  /** The answer's compression (as `useCompression`'s); undefined when off. */
  compression: CompressionOptions | undefined;
  /** The turns requests start their GraphQL work in: Yoga's path shares it (src/server/guards.ts). */
  gate: TurnGate;
  /** Queries answered by a program compiled for the document (src/schema/direct.ts); default true. */
  direct?: boolean;
}

export interface FastPath {
  /** The node:http handler: serves what it can, hands the rest to Yoga. */
  readonly handle: NodeHandler;
  /** Requests answered on the fast path so far (tests assert on it). */
  readonly served: number;
  /** Accept values whose result-processor choice is replayed (tests assert on it). */
  readonly acceptsRemembered: number;
  /** Requests answered directly, without the executor (tests assert on it). */
  readonly answeredDirectly: number;
  /** Documents whose program is kept (at most MAX_DIRECT_DOCUMENTS). */
  readonly directDocuments: number;
}

export function createFastPath(options: FastPathOptions): FastPath {
  const { yoga, documents, graphqlEndpoint, policy, maxBodyBytes, tracking, compression, gate } = options;
  const internals = yoga as unknown as YogaInternals;
  let served = 0;
  let answeredDirectly = 0;
  const direct = options.direct !== false;
  // Documents answered directly, by their text (the MAX_DIRECT_DOCUMENTS used last; a text the known
  // documents forgot is not looked up here), and the operations found not to be.
  const directs = new Lru<string, DirectDocument>(MAX_DIRECT_DOCUMENTS);
  const notDirect = new WeakSet<OperationDefinitionNode>();
  const learnDirect = (
    text: string,
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
  ): void => {
    if (notDirect.has(operation) || directs.has(text)) return;
    const program = compileDirect(schema, document, operation);
    if (!program) {
      notDirect.add(operation);
      return;
    }
    directs.set(text, { schema, document, operation, program });
  };
  const hooksOf = <T>(name: 'onExecute' | 'onContextBuilding'): T[] =>
    internals.plugins.flatMap((plugin) =>
      typeof plugin[name] === 'function'
        ? [(plugin[name] as (payload: unknown) => unknown).bind(plugin) as T]
        : [],
    );
  /** The plugins' `onExecute` and `onContextBuilding` hooks, in envelop's order (read once). */
  let executeHooks: ExecuteHook[] | undefined;
  let contextHooks: ContextHook[] | undefined;

  /**
   * envelop's context factory, for a direct answer (which skips `getEnveloped`): each plugin's
   * `onContextBuilding` in order on the initial context (the gateway's own context factory is
   * Yoga's `useExtendContext`), then the callbacks they returned, unless one broke off.
   */
  const buildContext = (context: Record<string, unknown>): MaybePromise<Record<string, unknown>> => {
    contextHooks ??= hooksOf<ContextHook>('onContextBuilding');
    const after: ContextDone[] = [];
    let broken = false;
    const extendContext = (extension: object) => {
      Object.assign(context, extension);
    };
    const payload = {
      context,
      extendContext,
      breakContextBuilding: () => {
        broken = true;
      },
    };
    const done = () =>
      broken
        ? context
        : then(
            each(after, (done) => done({ context, extendContext })),
            () => context,
          );
    return then(
      each(
        contextHooks,
        (hook) => hook(payload),
        after,
        () => broken,
      ),
      done,
    );
  };

  /**
   * A direct answer, with the plugins' execute hooks around it as envelop runs them (the limits'
   * plan, the answer budget, the prefetches, the operation's metrics and `extensions.cost`): each
   * `onExecute` in order (a result set by one stops the rest and the execution), then, on the
   * answer, the `onExecuteDone`s they returned. Abandoned (src/schema/direct.ts), the document is
   * executed as usual with the same context, its hooks run afresh.
   */
  const answerDirectly = (
    program: DirectProgram,
    args: ExecutionArgs,
    execute: (args: ExecutionArgs) => MaybePromise<unknown>,
  ): MaybePromise<unknown> => {
    executeHooks ??= hooksOf<ExecuteHook>('onExecute');
    const context = args.contextValue as Record<string, unknown>;
    const after: ExecuteDone[] = [];
    let stopped: { result: unknown } | undefined;
    const payload: ExecutePayload = {
      executeFn: execute,
      // Only graphql-jit's and the engine's hooks set an executor: the program stands in for them.
      setExecuteFn: () => {},
      setResultAndStopExecution: (result) => {
        stopped = { result };
      },
      context,
      extendContext: (extension) => {
        if (typeof extension !== 'object' || extension === null) throw new Error('Invalid context extension');
        Object.assign(context, extension);
      },
      args,
    };
    const finish = (first: unknown): MaybePromise<unknown> => {
      let result = first;
      const setResult = (next: unknown) => {
        result = next;
      };
      return then(
        each(after, (done) => done.onExecuteDone?.({ args, result, setResult })),
        () => result,
      );
    };
    const answer = (): MaybePromise<unknown> => {
      if (stopped) return finish(stopped.result);
      let data: ReturnType<DirectProgram['run']>;
      try {
        // The variables as the limits' hook coerced them just now, when it did.
        data = program.run(
          context,
          args.variableValues as Record<string, unknown> | null | undefined,
          coercedVariables.get(context),
        );
      } catch {
        return execute(args);
      }
      if (!isPromise(data)) {
        answeredDirectly++;
        return finish({ data });
      }
      return data.then(
        (resolved) => {
          answeredDirectly++;
          return finish({ data: resolved });
        },
        () => execute(args),
      );
    };
    return then(
      each(
        executeHooks,
        (hook) => hook(payload),
        after,
        () => stopped !== undefined,
      ),
      answer,
    );
  };
  // The policy's verdict by Host (a URL parse each): a client sends the same Host on every request.
  const hostVerdicts = new Map<string | undefined, boolean>();
  const hostRefused = (host: string | undefined): boolean => {
    let refused = hostVerdicts.get(host);
    if (refused === undefined) {
      refused = policy.check(host, undefined) !== undefined;
      // Hosts are the client's to choose: a few remembered, the rest asked each time.
      if (hostVerdicts.size < MAX_HOSTS) hostVerdicts.set(host, refused);
    }
    return refused;
  };

  /** Yoga, with the body this path already read (its node adapter reads `req.body` instead of the stream). */
  const toYoga = (req: IncomingMessage, res: ServerResponse, body: Buffer | undefined): unknown => {
    if (body !== undefined && body.byteLength > 0) (req as { body?: unknown }).body = body;
    return yoga(req, res);
  };

  /** Which of Yoga's result-process hooks is its processor choice (worked out on the first answer). */
  let choosers: boolean[] | undefined;
  /** That choice by Accept header (the client's to choose, hence bounded). */
  const choices = new Map<string, ProcessorChoice>();
  /** Yoga's processor choice for this request's Accept, run once per Accept value and replayed. */
  const choiceFor = (hook: ResultProcessHook, head: Request, result: unknown): ProcessorChoice => {
    const accept = head.headers.get('accept') ?? '';
    let choice = choices.get(accept);
    if (choice === undefined) {
      const made: ProcessorChoice = { acceptable: [], processor: undefined, mediaType: '*/*' };
      hook({
        request: head,
        acceptableMediaTypes: made.acceptable,
        result,
        setResult: () => {
          throw new Error("Yoga's processor choice does not set results");
        },
        resultProcessor: undefined,
        setResultProcessor: (next: unknown, type: string) => {
          made.processor = next;
          made.mediaType = type;
        },
        serverContext: undefined,
      });
      choice = made;
      if (choices.size < MAX_ACCEPTS) choices.set(accept, choice);
    }
    return choice;
  };

  /** Yoga's `handleError` for an error thrown before or by execution: masked, as Yoga masks it. */
  const errorsOf = (error: unknown): GraphQLError[] => {
    const masking = internals.maskedErrorsOpts;
    if (masking === null) return [error as GraphQLError];
    if ((error as { name?: string } | null)?.name === 'AbortError') return [];
    const masked = masking.maskError(error, masking.errorMessage, masking.isDev);
    if (masked !== error) internals.logger.error(error);
    return [masked as GraphQLError];
  };

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    head: Request,
    context: InitialContext & Record<string, unknown>,
    result: unknown,
  ): MaybePromise<void> => {
    for (const hook of internals.onExecutionResultHooks) {
      hook({ result, setResult: (next) => (result = next), request: head, context });
    }
    let processor: unknown;
    let mediaType = '*/*';
    const acceptable: string[] = [];
    const hooks = internals.onResultProcessHooks;
    choosers ??= hooks.map(choosesProcessor);
    for (let i = 0; i < hooks.length; i++) {
      const hook = hooks[i]!;
      if (choosers[i] && !isAsyncIterable(result)) {
        const choice = choiceFor(hook, head, result);
        for (const type of choice.acceptable) acceptable.push(type);
        if (choice.processor !== undefined) {
          processor = choice.processor;
          mediaType = choice.mediaType;
        }
        continue;
      }
      hook({
        request: head,
        acceptableMediaTypes: acceptable,
        result,
        setResult: (next: unknown) => {
          result = next;
        },
        resultProcessor: processor,
        setResultProcessor: (next: unknown, type: string) => {
          processor = next;
          mediaType = type;
        },
        serverContext: context,
      });
    }
    // The Accept header admitted only this processor (acceptsJsonOnly).
    const answer = (processor === processRegularResult
      ? processRegularResult(result as ExecutionResult, CAPTURE, mediaType)
      : new Answer(null, {
          status: 406,
          headers: { accept: acceptable.join('; charset=utf-8, ') },
        })) as unknown as Answer;
    const headers: Record<string, string> = {};
    for (const name in answer.headers) headers[name.toLowerCase()] = answer.headers[name]!;
    const contentType = headers['content-type'] ?? null;
    headers[REQUEST_ID_HEADER] = tracking.finish(head, 'POST', graphqlEndpoint, answer.status, contentType);
    served++;
    const body = answer.body;
    if (compression !== undefined && contentType !== null) {
      headers.vary = headers.vary ? `${headers.vary}, accept-encoding` : 'accept-encoding';
      const encoding = negotiateEncoding(req.headers['accept-encoding']);
      if (encoding !== undefined && atLeast(body, compression.thresholdBytes)) {
        return compress(Buffer.from(body), encoding, compression).then(
          (compressed) => {
            headers['content-encoding'] = encoding;
            headers['content-length'] = String(compressed.byteLength);
            res.writeHead(answer.status, headers);
            res.end(compressed);
          },
          (error: unknown) => {
            internals.logger.error(error);
            res.destroy();
          },
        );
      }
    }
    headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(answer.status, headers);
    res.end(body);
  };

  /** The outcome of a request's GraphQL work, answered (sent once, whatever went wrong on the way). */
  const respond = (
    req: IncomingMessage,
    res: ServerResponse,
    head: Request,
    context: InitialContext & Record<string, unknown>,
    work: () => MaybePromise<unknown>,
  ): MaybePromise<void> => {
    // An error thrown on the way is the result's only error (Yoga's handleError).
    const failed = (error: unknown): ExecutionResult => ({ errors: errorsOf(error) });
    let outcome: MaybePromise<unknown>;
    try {
      outcome = work();
    } catch (error) {
      outcome = failed(error);
    }
    return isPromise(outcome)
      ? outcome.then(
          (result) => send(req, res, head, context, result),
          (error: unknown) => send(req, res, head, context, failed(error)),
        )
      : send(req, res, head, context, outcome);
  };

  const serve = (req: IncomingMessage, res: ServerResponse, body: Buffer, arrived: number): unknown => {
    let params: unknown;
    try {
      params = JSON.parse(body.toString('utf8'));
    } catch {
      return toYoga(req, res, body);
    }
    if (!simpleParams(params) || !documents.has(params.query)) return toYoga(req, res, body);
    // The context factory and the plugins read only its method, URL and headers.
    const head = new RequestHead(req) as unknown as Request;
    // What Yoga hands the envelop instance: its server context (the node request and response),
    // the request and the params.
    const context: InitialContext & Record<string, unknown> = {
      req,
      res,
      request: head,
      params,
    };
    const known = direct ? directs.get(params.query) : undefined;
    if (known && (params.operationName == null || params.operationName === known.operation.name?.value)) {
      // Parsed and validated before (the same cached AST, valid: its text is known): the context,
      // the execute hooks and the program; the executor only if the program abandons.
      tracking.begin(head, arrived);
      const args: ExecutionArgs = {
        schema: known.schema,
        document: known.document,
        contextValue: context,
        variableValues: params.variables,
        operationName: params.operationName,
      };
      const execute = (again: ExecutionArgs) =>
        internals.getEnveloped(context).execute(again) as MaybePromise<unknown>;
      return respond(req, res, head, context, () => {
        const built = buildContext(context);
        return isPromise(built)
          ? built.then((value) => answerDirectly(known.program, { ...args, contextValue: value }, execute))
          : answerDirectly(known.program, { ...args, contextValue: built }, execute);
      });
    }
    const enveloped = internals.getEnveloped(context);
    let document: ReturnType<typeof enveloped.parse>;
    try {
      document = enveloped.parse(params.query);
    } catch {
      return toYoga(req, res, body);
    }
    const operation = getOperationAST(document, params.operationName ?? undefined);
    if (!operation || operation.operation === 'subscription') return toYoga(req, res, body);

    tracking.begin(head, arrived);
    // Yoga's processRequest: validation, the context, execution.
    return respond(req, res, head, context, () => {
      const errors = enveloped.validate(enveloped.schema, document);
      if (errors.length > 0) return { errors };
      // Answered directly from the next request on, when the program takes it.
      if (direct) learnDirect(params.query, enveloped.schema, document, operation);
      const execute = (contextValue: unknown) =>
        enveloped.execute({
          schema: enveloped.schema,
          document,
          contextValue,
          variableValues: params.variables,
          operationName: params.operationName,
        }) as MaybePromise<unknown>;
      const contextValue = enveloped.contextFactory() as MaybePromise<unknown>;
      return isPromise(contextValue) ? contextValue.then(execute) : execute(contextValue);
    });
  };

  const handle: NodeHandler = (req, res) => {
    const headers = req.headers;
    const length = headers['content-length'];
    if (
      req.method !== 'POST' ||
      req.url !== graphqlEndpoint ||
      length === undefined ||
      !CONTENT_LENGTH.test(length) ||
      Number(length) > maxBodyBytes ||
      length === '0' ||
      headers['transfer-encoding'] !== undefined ||
      headers.origin !== undefined ||
      !APPLICATION_JSON.test(headers['content-type'] ?? '') ||
      !acceptsJsonOnly(headers.accept) ||
      hostRefused(headers.host)
    ) {
      return yoga(req, res);
    }
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.byteLength;
    };
    const ended = () => {
      req.off('data', collect);
      req.off('close', abandoned);
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      // A burst's GraphQL work is spread over turns of the event loop, as on Yoga's path.
      const wait = gate.enter();
      const served =
        wait === undefined ? serve(req, res, body, arrived) : wait.then(() => serve(req, res, body, arrived));
      void Promise.resolve(served).catch((error: unknown) => {
        internals.logger.error(error);
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    };
    // A body cut short (the request closes before its end): answered as Yoga answers an abandoned
    // request (src/server/guards.ts), 499 and the connection closed, for the metrics and the access
    // log (nobody reads it).
    const abandoned = () => {
      req.off('data', collect);
      req.off('end', ended);
      const head = new RequestHead(req) as unknown as Request;
      tracking.begin(head, arrived);
      const id = tracking.finish(head, 'POST', graphqlEndpoint, 499, null);
      res.writeHead(499, { connection: 'close', [REQUEST_ID_HEADER]: id }).end();
    };
    req.on('data', collect);
    req.once('end', ended);
    req.once('close', abandoned);
    return undefined;
  };

  return {
    handle,
    get served() {
      return served;
    },
    get acceptsRemembered() {
      return choices.size;
    },
    get answeredDirectly() {
      return answeredDirectly;
    },
    get directDocuments() {
      return directs.size;
    },
  };
}
