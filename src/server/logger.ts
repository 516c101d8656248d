/**
 * Structured logs: one JSON object per line (`time`, `level`, `msg`, then fields such as
 * `requestId`), redacted before it is written. Also adapts to Yoga's logger interface.
 *
 * Not pino: its redaction is by path (`req.headers.authorization`), while a Stripe key or a JWT
 * can be anywhere in a line (an error message, a URL), so pino would need this text redactor too
 * (its `streamWrite` hook), and then it is slower on the request path. `npm run bench --
 * observability`, one access line (9 fields), CPU per line on the 2-core machine: this logger with
 * redact.ts 2.42 µs; pino 10 with the same redactor 2.62 µs; pino with path redaction only (keys in
 * text go out) 2.06 µs (a second run: 2.16, 2.34 and 1.95 µs).
 */
import type { YogaLogger } from 'graphql-yoga';
import type { LogLevel } from './config.ts';
import { createRedactor, type Redactor } from './redact.ts';

export type LogFields = Record<string, unknown>;
export type LogSink = (line: string) => void;

export interface Logger {
  readonly level: LogLevel;
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; default stdout. */
  sink?: LogSink;
  redact?: Redactor;
  fields?: LogFields;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Errors as plain objects (name, message, code, stack, cause), other values as they are. */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return error;
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (error.stack) out.stack = error.stack;
  if (error.cause !== undefined && depth < 3) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return serializeError(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** True when every value is a string, number, boolean or null: nothing for the replacer to do. */
function allPlain(record: Record<string, unknown>): boolean {
  for (const key in record) {
    const value = record[key];
    if (value !== null && typeof value === 'object') return false;
    if (typeof value === 'bigint') return false;
  }
  return true;
}

/** The keys every line starts with. */
const LEAD_KEYS = new Set(['time', 'level', 'msg']);

/**
 * Fields that can follow the lead keys and `taken` as their own JSON, in their order: plain values
 * (nothing for the replacer), no key already on the line, none that looks like an array index
 * (an object lists those first, whatever the order they were set in).
 */
function appendable(fields: LogFields, taken: LogFields | undefined): boolean {
  for (const key in fields) {
    const value = fields[key];
    if ((value !== null && typeof value === 'object') || typeof value === 'bigint') return false;
    if (LEAD_KEYS.has(key) || (taken !== undefined && key in taken)) return false;
    const first = key.charCodeAt(0);
    if (first >= 48 && first <= 57) return false;
  }
  return true;
}

/** `{"a":1,"b":2}` as `,"a":1,"b":2`: the members, to follow others on a line. */
function members(json: string): string {
  return json.length > 2 ? `,${json.slice(1, -1)}` : '';
}

/** The cached date and time up to the second (`2026-12-03T22:40:00.`), and its second. */
let isoSecond = Number.NaN;
let isoPrefix = '';

/** `new Date().toISOString()`, its first 20 characters worked out once a second (one per line before). */
function isoNow(): string {
  const now = Date.now();
  const milli = now % 1000;
  const second = now - milli;
  if (second !== isoSecond || milli < 0) {
    const iso = new Date(now).toISOString();
    if (iso.length !== 24 || milli < 0) return iso;
    isoSecond = second;
    isoPrefix = iso.slice(0, 20);
  }
  return `${isoPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** Lines written to stdout at most this long after the first of them, or sooner when this many wait. */
const MAX_BUFFERED_LINES = 256;
/**
 * Under load a turn of the event loop finishes one or two requests, so a write per turn was still
 * about a write per request: 8.7 % of the gateway's busy time serving the customers query (a
 * profile at 32 connections, stdout a pipe). A window of a few milliseconds joins tens of lines.
 */
const FLUSH_AFTER_MS = 10;
let buffered: string[] = [];
let flushing = false;
let flushesAtExit = false;

/** Writes the buffered lines in one go (stdout to a file or pipe is a synchronous write). */
function flushStdout(): void {
  flushing = false;
  if (buffered.length === 0) return;
  const text = buffered.join('');
  buffered = [];
  process.stdout.write(text);
}

/**
 * stdout, one write per FLUSH_AFTER_MS rather than per line: under load an access-log line per
 * request is otherwise a system call per request. The timer does not hold the process open, and
 * whatever is buffered is written before the process exits, however it exits short of being killed.
 */
const stdoutSink: LogSink = (line) => {
  buffered.push(`${line}\n`);
  if (buffered.length >= MAX_BUFFERED_LINES) flushStdout();
  else if (!flushing) {
    flushing = true;
    setTimeout(flushStdout, FLUSH_AFTER_MS).unref();
  }
  if (!flushesAtExit) {
    flushesAtExit = true;
    process.once('exit', flushStdout);
  }
};

/**
 * Methods on the prototype: a child logger (one per request, and one per subscription held open)
 * is one small object, not a set of closures.
 */
class LineLogger implements Logger {
  readonly level: LogLevel;
  readonly #threshold: number;
  readonly #sink: LogSink;
  readonly #redact: Redactor;
  readonly #base: LogFields;
  /** The base fields as JSON members (`,"requestId":"…"`), null when they cannot be appended; made on first use. */
  #baseMembers: string | null | undefined;

  constructor(level: LogLevel, sink: LogSink, redact: Redactor, base: LogFields) {
    this.level = level;
    this.#threshold = RANK[level];
    this.#sink = sink;
    this.#redact = redact;
    this.#base = base;
  }

  enabled(lineLevel: Exclude<LogLevel, 'silent'>): boolean {
    return RANK[lineLevel] >= this.#threshold;
  }

  debug(msg: string, fields?: LogFields): void {
    this.#write('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.#write('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.#write('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.#write('error', msg, fields);
  }

  child(fields: LogFields): Logger {
    return new LineLogger(this.level, this.#sink, this.#redact, { ...this.#base, ...fields });
  }

  #write(lineLevel: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void {
    if (RANK[lineLevel] < this.#threshold) return;
    let line: string;
    try {
      const time = isoNow();
      // The usual line (an access line, plain fields): its members written in the record's order
      // without building the record; the same text as the general way below.
      this.#baseMembers ??= appendable(this.#base, undefined) ? members(JSON.stringify(this.#base)) : null;
      if (this.#baseMembers !== null && (fields === undefined || appendable(fields, this.#base))) {
        const own = fields === undefined ? '' : members(JSON.stringify(fields));
        this.#sink(
          this.#redact(
            `{"time":"${time}","level":"${lineLevel}","msg":${JSON.stringify(msg)}${this.#baseMembers}${own}}`,
          ),
        );
        return;
      }
      const record = { time, level: lineLevel, msg, ...this.#base, ...fields };
      // The replacer (errors, bigints) takes JSON.stringify off its fast path: only when needed.
      line = allPlain(record) ? JSON.stringify(record) : JSON.stringify(record, replacer);
    } catch {
      line = JSON.stringify({ time: new Date().toISOString(), level: lineLevel, msg, unserializable: true });
    }
    this.#sink(this.#redact(line));
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return new LineLogger(
    options.level ?? 'info',
    options.sink ?? stdoutSink,
    options.redact ?? createRedactor(),
    options.fields ?? {},
  );
}

/** Yoga's internal logging (`logging` option) through our logger. */
export function yogaLogger(logger: Logger): YogaLogger {
  const adapt =
    (lineLevel: Exclude<LogLevel, 'silent'>) =>
    (...args: unknown[]): void => {
      if (!logger.enabled(lineLevel)) return;
      const [first, ...rest] = args;
      const msg = typeof first === 'string' ? first : first instanceof Error ? first.message : 'yoga';
      const fields: LogFields = { source: 'yoga' };
      if (first instanceof Error) fields.error = first;
      else if (typeof first !== 'string' && first !== undefined) fields.detail = first;
      if (rest.length > 0) fields.args = rest;
      logger[lineLevel](msg, fields);
    };
  return { debug: adapt('debug'), info: adapt('info'), warn: adapt('warn'), error: adapt('error') };
}
