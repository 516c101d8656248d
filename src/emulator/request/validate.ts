/**
 * Validates decoded form parameters against an operation's declared parameters and coerces them
 * to their types (form values are all strings): unknown parameters, wrong types and missing
 * required parameters are Stripe's 400 `invalid_request_error` with `param` and `code`.
 *
 * An empty string is kept as `''`: it unsets the field where the spec allows it (`anyOf [T, ""]`)
 * and for plain strings; elsewhere it is Stripe's `parameter_invalid_empty` error.
 */
import type { InParam, InType } from '../../spec/types.ts';
import { type ErrorReply, invalidRequest, missingParameter, unknownParameter } from '../engine/errors.ts';
import type { Json, JsonObject } from '../engine/json.ts';
import type { FormHash, FormValue } from './form.ts';

export interface Validated {
  params: JsonObject;
  /** `expand[]` paths, when the operation accepts them */
  expand: string[];
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)$/;
const INDEX = /^\d+$/;

const child = (path: string, key: string | number) => `${path}[${key}]`;
const lastName = (path: string) => /([^[\]]+)\]?$/.exec(path)?.[1] ?? path;

function emptyError(path: string): ErrorReply {
  return invalidRequest(
    `You passed an empty string for '${path}'. We assume empty values are an attempt to unset a parameter; however '${path}' cannot be unset. You should remove '${path}' from your request or supply a non-empty value.`,
    { code: 'parameter_invalid_empty', param: path },
  );
}

const allowsEmpty = (type: InType): boolean =>
  type.k === 'string' ||
  (type.k === 'enum' && type.values.includes('')) ||
  (type.k === 'anyOf' && type.of.some(allowsEmpty));

/** Index-keyed hashes (`a[0]=…&a[1]=…`) as arrays; undefined when the keys are not all indexes. */
function asArray(value: FormHash): FormValue[] | undefined {
  const keys = Object.keys(value);
  if (!keys.every((k) => INDEX.test(k))) return undefined;
  return keys.sort((a, b) => Number(a) - Number(b)).map((k) => value[k]!);
}

function plain(value: FormValue): Json {
  if (typeof value === 'string') return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value)) out[key] = plain(value[key]!);
  return out;
}

function shapeOf(type: InType): 'scalar' | 'hash' | 'array' | 'any' {
  switch (type.k) {
    case 'object':
      return 'hash';
    case 'json':
      return 'any';
    case 'array':
      return 'array';
    case 'anyOf':
      return 'any';
    default:
      return 'scalar';
  }
}

/**
 * Alternatives with the hashes of another kind than `value` names (its `object`: `card`, where a
 * hash takes only `bank_account`) last, so that the error reported is the one of its own kind.
 */
function byKind(alternatives: readonly InType[], value: FormValue): readonly InType[] {
  const kind = typeof value === 'string' ? undefined : value.object;
  if (typeof kind !== 'string') return alternatives;
  const other = (t: InType) =>
    t.k === 'object' &&
    t.props.some((p) => p.name === 'object' && p.type.k === 'enum' && !p.type.values.includes(kind));
  return [...alternatives.filter((t) => !other(t)), ...alternatives.filter(other)];
}

export function coerce(value: FormValue, type: InType, path: string): Json {
  if (value === '') {
    if (allowsEmpty(type)) return '';
    throw emptyError(path);
  }
  switch (type.k) {
    case 'string': {
      if (typeof value !== 'string')
        throw invalidRequest(`Invalid string: ${JSON.stringify(plain(value))}`, { param: path });
      if (type.maxLength !== undefined && value.length > type.maxLength) {
        throw invalidRequest(
          `Invalid string: ${value.slice(0, 20)}...; must be at most ${type.maxLength} characters`,
          { param: path },
        );
      }
      // A decimal the model types as a string (`unit_amount_decimal`): Stripe reads it as a number.
      if (type.format === 'decimal' && !DECIMAL.test(value))
        throw invalidRequest(`Invalid decimal: ${value}`, { param: path });
      return value;
    }
    case 'int':
    case 'time': {
      if (typeof value !== 'string' || !INTEGER.test(value)) {
        throw invalidRequest(
          `Invalid integer: ${typeof value === 'string' ? value : JSON.stringify(plain(value))}`,
          {
            code: 'parameter_invalid_integer',
            param: path,
          },
        );
      }
      return Number(value);
    }
    case 'float': {
      if (typeof value !== 'string' || !DECIMAL.test(value)) {
        throw invalidRequest(
          `Invalid decimal: ${typeof value === 'string' ? value : JSON.stringify(plain(value))}`,
          {
            param: path,
          },
        );
      }
      return Number(value);
    }
    case 'bool': {
      if (value === 'true') return true;
      if (value === 'false') return false;
      throw invalidRequest(
        `Invalid boolean: ${typeof value === 'string' ? value : JSON.stringify(plain(value))}`,
        {
          param: path,
        },
      );
    }
    case 'enum': {
      if (typeof value === 'string' && type.values.includes(value)) return value;
      const allowed = type.values.filter((v) => v !== '').join(', ');
      throw invalidRequest(`Invalid ${lastName(path)}: must be one of ${allowed}`, { param: path });
    }
    case 'json': {
      if (typeof value === 'string') throw invalidRequest('Invalid object', { param: path });
      return plain(value);
    }
    case 'object': {
      if (typeof value === 'string') throw invalidRequest('Invalid object', { param: path });
      return coerceHash(value, type.props, type.additional, path);
    }
    case 'array': {
      const items = typeof value === 'string' ? undefined : asArray(value);
      if (!items) throw invalidRequest('Invalid array', { param: path });
      return items.map((item, i) => coerce(item, type.of, child(path, i)));
    }
    case 'anyOf': {
      const wanted = typeof value === 'string' ? 'scalar' : asArray(value) ? 'array' : 'hash';
      const candidates = type.of.filter((t) => {
        const shape = shapeOf(t);
        return shape === 'any' || shape === wanted || (wanted === 'array' && shape === 'hash');
      });
      // A hash of the kind it names first: when all fail, its error is the one that says why.
      const ordered = candidates.length > 0 ? byKind(candidates, value) : type.of;
      let first: unknown;
      for (const alternative of ordered) {
        try {
          return coerce(value, alternative, path);
        } catch (error) {
          first ??= error;
        }
      }
      throw first;
    }
  }
}

function coerceHash(
  value: FormHash,
  props: readonly InParam[],
  additional: boolean,
  path: string,
): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    const param = props.find((p) => p.name === key);
    const at = path === '' ? key : child(path, key);
    if (!param) {
      if (!additional) throw unknownParameter(at);
      out[key] = plain(value[key]!);
      continue;
    }
    if (param.required && value[key] === '') throw emptyError(at);
    out[key] = coerce(value[key]!, param.type, at);
  }
  for (const param of props) {
    if (param.required && !(param.name in value))
      throw missingParameter(path === '' ? param.name : child(path, param.name));
  }
  return out;
}

/** Validates an operation's top-level parameters (query or body) and its `expand[]`. */
export function validateParams(
  input: FormHash,
  params: readonly InParam[],
  acceptsExpand: boolean,
): Validated {
  let expand: string[] = [];
  let rest = input;
  if ('expand' in input && acceptsExpand) {
    const { expand: raw, ...others } = input;
    rest = others;
    const items = raw === undefined || typeof raw === 'string' ? undefined : asArray(raw);
    if (!items || items.some((item) => typeof item !== 'string'))
      throw invalidRequest('Invalid array', { param: 'expand' });
    expand = items as string[];
  }
  return { params: coerceHash(rest, params, false, ''), expand };
}
