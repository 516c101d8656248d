/**
 * Decodes Stripe's request encodings into nested values:
 *
 * - `application/x-www-form-urlencoded` bodies and query strings with Rack-style brackets:
 *   `a[b][c]=v`, `items[0][price]=p`, `expand[]=x`, `expand[0]=x`, `metadata=` (an empty string);
 * - `multipart/form-data` (file uploads), fields only plus a description of each file part.
 *
 * Arrays stay hashes keyed by index here (`{ "0": …, "1": … }`): whether `metadata[0]=x` is a
 * hash or an array is for the parameter's declared type to say, so validation converts them.
 */
import type { UploadedFile } from '../engine/context.ts';
import { isObject, type Json } from '../engine/json.ts';

export type FormValue = string | FormHash;
export interface FormHash {
  [key: string]: FormValue;
}

export class FormError extends Error {
  override readonly name = 'FormError';
}

const KEY_PATTERN = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;
const SEGMENT_PATTERN = /\[([^[\]]*)\]/g;

function decodeComponent(text: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new FormError(`Invalid URL encoding in ${JSON.stringify(text.slice(0, 50))}`);
  }
}

function keySegments(key: string): string[] {
  const match = KEY_PATTERN.exec(key);
  if (!match) throw new FormError(`Invalid parameter name: ${JSON.stringify(key.slice(0, 100))}`);
  const segments = [match[1]!];
  if (match[2]) for (const [, segment] of match[2].matchAll(SEGMENT_PATTERN)) segments.push(segment!);
  return segments;
}

const nextIndex = (hash: FormHash): string => String(Object.keys(hash).length);

/** Sets `value` at `segments` under `root`, Rack style. */
function assign(root: FormHash, segments: string[], value: string, key: string): void {
  let node = root;
  for (let i = 0; i < segments.length; i++) {
    let segment = segments[i]!;
    const last = i === segments.length - 1;
    if (segment === '') {
      if (i === 0) throw new FormError(`Invalid parameter name: ${JSON.stringify(key)}`);
      // `a[]=x` appends; `a[][k]=v` adds to the last element unless it already has `k`.
      if (last) segment = nextIndex(node);
      else {
        const count = Object.keys(node).length;
        const previous = count > 0 ? node[String(count - 1)] : undefined;
        const nextKey = segments[i + 1]!;
        segment =
          typeof previous === 'object' && nextKey !== '' && !(nextKey in previous)
            ? String(count - 1)
            : String(count);
      }
    }
    if (last) {
      if (typeof node[segment] === 'object') throw conflict(segments, i);
      node[segment] = value;
      return;
    }
    const child = node[segment];
    if (child === undefined) {
      const created: FormHash = {};
      node[segment] = created;
      node = created;
    } else if (typeof child === 'string') {
      throw conflict(segments, i);
    } else node = child;
  }
}

function conflict(segments: string[], upTo: number): FormError {
  const name =
    segments[0] +
    segments
      .slice(1, upTo + 1)
      .map((s) => `[${s}]`)
      .join('');
  return new FormError(`Invalid parameter ${name}: given both as a value and as a hash`);
}

/** Decodes a query string or form body (without a leading `?`). */
export function decodeForm(text: string): FormHash {
  const root: FormHash = {};
  if (text === '') return root;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const key = decodeComponent(rawKey);
    if (key === '') throw new FormError('Invalid parameter: empty name');
    assign(root, keySegments(key), decodeComponent(rawValue), key);
  }
  return root;
}

/** Typed values as form values, the way the SDK would send them (numbers and booleans as text, `null` as `''`). */
export function toFormValues(value: Json): FormValue {
  if (value === null) return '';
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), toFormValues(v)]));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toFormValues(v)]));
  return String(value);
}

export interface Multipart {
  fields: FormHash;
  files: Record<string, UploadedFile>;
}

/** Decodes a `multipart/form-data` body; file parts become their content (latin1) plus a description. */
export function decodeMultipart(body: Buffer, contentType: string): Multipart {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) throw new FormError('Invalid multipart body: no boundary');
  const delimiter = `--${boundary[1] ?? boundary[2]!.trim()}`;
  const text = body.toString('latin1');
  const fields: FormHash = {};
  const files: Record<string, UploadedFile> = {};
  const parts = text.split(delimiter);
  if (parts.length < 2) throw new FormError('Invalid multipart body: boundary not found');
  for (const part of parts.slice(1)) {
    if (part.startsWith('--')) break;
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd === -1) throw new FormError('Invalid multipart body: part without headers');
    const headers = part.slice(0, headerEnd);
    let content = part.slice(headerEnd + 4);
    if (content.endsWith('\r\n')) content = content.slice(0, -2);
    const disposition = /content-disposition:[^\r\n]*?name="([^"]*)"(?:;\s*filename="([^"]*)")?/i.exec(
      headers,
    );
    if (!disposition) throw new FormError('Invalid multipart body: part without a name');
    const name = disposition[1]!;
    if (disposition[2] !== undefined) {
      const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream';
      files[name] = {
        filename: disposition[2],
        contentType: type,
        size: Buffer.byteLength(content, 'latin1'),
      };
      fields[name] = content;
    } else {
      assign(fields, keySegments(name), Buffer.from(content, 'latin1').toString('utf8'), name);
    }
  }
  return { fields, files };
}
