/**
 * The oracle for object shapes: stripe-node's type declarations for API 2024-04-10 (the
 * `stripe` devDependency, 15.3.0), read with the TypeScript compiler's checker.
 * A response object is checked against the declared interface whose `object` literal it carries:
 * every non-optional property present (`null` where the declaration allows it), no property the
 * declaration lacks, literal unions (enums) holding the value, recursively through nested objects,
 * arrays, lists and expanded references.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { loadApi } from '../../src/emulator/engine/api.ts';

/** The package's folder (its `exports` hide `package.json` from `require.resolve`). */
const PACKAGE = join(import.meta.dirname, '..', '..', 'node_modules', 'stripe');

export class Declarations {
  private readonly checker: ts.TypeChecker;
  /** `object` literal → the interfaces that declare it */
  private readonly byObject = new Map<string, ts.Type[]>();
  readonly version: string;

  constructor() {
    const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string };
    this.version = pkg.version;
    const index = join(PACKAGE, 'types', 'index.d.ts');
    const program = ts.createProgram([index], {
      noEmit: true,
      skipLibCheck: true,
      strict: true,
      types: [],
      target: ts.ScriptTarget.ES2022,
    });
    this.checker = program.getTypeChecker();
    const module = this.checker.getAmbientModules().find((m) => m.getName() === '"stripe"');
    if (!module) throw new Error('stripe-node declarations: no ambient module "stripe"');
    const stripe = this.checker.getExportsOfModule(module).find((s) => s.getName() === 'Stripe');
    if (!stripe) throw new Error('stripe-node declarations: no namespace Stripe');
    this.collect(stripe);
  }

  /** Interfaces of `namespace` and its sub-namespaces (Checkout, Issuing…) that carry an `object` literal. */
  private collect(namespace: ts.Symbol, depth = 0): void {
    const exports = this.checker.getExportsOfModule(namespace);
    for (const symbol of exports) {
      if (symbol.flags & ts.SymbolFlags.Interface) {
        const type = this.checker.getDeclaredTypeOfSymbol(symbol);
        const object = type.getProperty('object');
        if (object) {
          const objectType = this.checker.getTypeOfSymbol(object);
          for (const literal of literals(objectType)) {
            const list = this.byObject.get(literal) ?? [];
            list.push(type);
            this.byObject.set(literal, list);
          }
        }
      }
      // A namespace of resources (Checkout) is capitalised and holds interfaces; only go two deep.
      if (symbol.flags & ts.SymbolFlags.Namespace && depth < 1 && /^[A-Z]/.test(symbol.getName()))
        this.collect(symbol, depth + 1);
    }
  }

  /** The declared event types (`type` of the interfaces whose `object` is `event`). */
  eventTypes(): Set<string> {
    const out = new Set<string>();
    for (const type of this.byObject.get('event') ?? []) {
      const prop = type.getProperty('type');
      const literal = prop ? literals(this.checker.getTypeOfSymbol(prop)) : [];
      if (literal.length === 1) out.add(literal[0]!);
    }
    return out;
  }

  /** The object values that have a declaration. */
  objects(): string[] {
    return [...this.byObject.keys()];
  }

  /**
   * Problems of `value` (a response object with an `object` field) against its declaration, as
   * `path: problem`; empty when it conforms. An `object` with no declaration is one problem.
   */
  check(value: unknown, path = '$'): string[] {
    if (!isRecord(value) || typeof value.object !== 'string') return [`${path}: not an object with "object"`];
    const candidates = this.byObject.get(value.object);
    if (!candidates) return [`${path}: no declaration for object "${value.object}"`];
    return best(this.discriminate(value, candidates).map((type) => this.value(value, type, path)));
  }

  /**
   * The candidates whose single-literal properties hold the value's, most such properties first (an
   * event's specific interface, by `type`, before the base every event extends).
   */
  private discriminate(value: Record<string, unknown>, candidates: ts.Type[]): ts.Type[] {
    if (candidates.length === 1) return candidates;
    let top = -1;
    let out: ts.Type[] = [];
    for (const type of candidates) {
      let score = 0;
      for (const prop of this.checker.getPropertiesOfType(type)) {
        const literal = literals(this.checker.getTypeOfSymbol(prop));
        if (literal.length !== 1) continue;
        if (value[prop.getName()] !== literal[0]) score = Number.NEGATIVE_INFINITY;
        else score++;
      }
      if (score > top) {
        top = score;
        out = [type];
      } else if (score === top) out.push(type);
    }
    return out.length > 0 ? out : candidates;
  }

  private value(value: unknown, type: ts.Type, path: string): string[] {
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return [];
    if (type.isUnion()) return this.union(value, type.types, path);
    if (value === null) return type.flags & ts.TypeFlags.Null ? [] : [`${path}: null not allowed`];
    if (type.flags & ts.TypeFlags.Null) return [`${path}: expected null`];
    if (type.isStringLiteral())
      return value === type.value ? [] : [`${path}: ${JSON.stringify(value)} is not "${type.value}"`];
    if (type.flags & ts.TypeFlags.String)
      return typeof value === 'string' ? [] : [`${path}: expected a string`];
    if (type.isNumberLiteral())
      return value === type.value ? [] : [`${path}: ${JSON.stringify(value)} is not ${type.value}`];
    if (type.flags & ts.TypeFlags.Number)
      return typeof value === 'number' ? [] : [`${path}: expected a number`];
    if (type.flags & ts.TypeFlags.BooleanLiteral) {
      const want = this.checker.typeToString(type) === 'true';
      return value === want ? [] : [`${path}: expected ${want}`];
    }
    if (type.flags & ts.TypeFlags.Boolean)
      return typeof value === 'boolean' ? [] : [`${path}: expected a boolean`];
    if (this.checker.isArrayType(type)) {
      if (!Array.isArray(value)) return [`${path}: expected an array`];
      const item = this.checker.getTypeArguments(type as ts.TypeReference)[0]!;
      return value.flatMap((v, i) => this.value(v, item, `${path}[${i}]`));
    }
    if (type.flags & ts.TypeFlags.Object) return this.object(value, type, path);
    return [`${path}: undeclared type ${this.checker.typeToString(type)}`];
  }

  private union(value: unknown, members: readonly ts.Type[], path: string): string[] {
    // Literal unions (enums): the value must be one of them.
    if (
      typeof value === 'string' &&
      members.every((m) => m.isStringLiteral() || m.flags & ts.TypeFlags.Null)
    ) {
      const allowed = members.flatMap((m) => (m.isStringLiteral() ? [m.value] : []));
      return allowed.includes(value) ? [] : [`${path}: "${value}" not in ${allowed.join('|')}`];
    }
    if (value === null)
      return members.some((m) => m.flags & ts.TypeFlags.Null) ? [] : [`${path}: null not allowed`];
    const fitting = members.filter((m) => fits(value, m, this.checker));
    if (fitting.length === 0)
      return [
        `${path}: ${JSON.stringify(value)?.slice(0, 60)} fits none of ${this.checker.typeToString(unionOf(members))}`,
      ];
    // Objects of a union (an expanded reference, a deleted form): the member with the same `object`.
    if (isRecord(value) && typeof value.object === 'string') {
      const same = fitting.filter((m) => {
        const object = m.getProperty('object');
        return object
          ? literals(this.checker.getTypeOfSymbol(object)).includes(value.object as string)
          : false;
      });
      if (same.length > 0) return best(same.map((m) => this.value(value, m, path)));
    }
    return best(fitting.map((m) => this.value(value, m, path)));
  }

  private object(value: unknown, type: ts.Type, path: string): string[] {
    if (!isRecord(value) || Array.isArray(value)) return [`${path}: expected an object`];
    const index = this.checker.getIndexInfosOfType(type)[0];
    const props = this.checker.getPropertiesOfType(type);
    if (index && props.length === 0) {
      return Object.entries(value).flatMap(([k, v]) => this.value(v, index.type, `${path}.${k}`));
    }
    const problems: string[] = [];
    const declared = new Set<string>();
    for (const prop of props) {
      const name = prop.getName();
      declared.add(name);
      const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0;
      if (!(name in value)) {
        if (!optional) problems.push(`${path}.${name}: missing`);
        continue;
      }
      problems.push(...this.value(value[name], this.checker.getTypeOfSymbol(prop), `${path}.${name}`));
    }
    for (const key of Object.keys(value))
      if (!declared.has(key)) problems.push(`${path}.${key}: not declared`);
    return problems;
  }
}

/** Objects of preview APIs (src/spec/overlay.ts): stripe-node 15.3.0 does not declare them. */
export const PREVIEW_OBJECTS: ReadonlySet<string> = new Set(
  [...loadApi().registry.resources.values()].filter((r) => r.schema.preview).map((r) => r.object),
);

/**
 * Objects the 2024-04-10 spec has and stripe-node 15.3.0 does not declare (its generator leaves out
 * resources without a public SDK namespace): nothing to check them against.
 */
export const UNDECLARED_OBJECTS: ReadonlySet<string> = new Set(['issuing.settlement']);

/** How a set of answers fares against the declarations. */
export interface Tally {
  /** event types stripe-node does not declare, skipped */
  undeclaredEvents: Set<string>;
  checked: number;
  conforming: number;
  /** `where (object)` → its first problems */
  problems: Map<string, string[]>;
}

/**
 * Checks each `[where, object]` against `declarations`, skipping objects of preview APIs (stripe-node
 * 15.3.0 does not declare them) and events of types Stripe does not send (the event rules' business).
 */
export function tally(
  declarations: Declarations,
  objects: Iterable<[string, Record<string, unknown>]>,
  previewObjects: ReadonlySet<string> = PREVIEW_OBJECTS,
): Tally {
  const eventTypes = declarations.eventTypes();
  const out: Tally = { undeclaredEvents: new Set(), checked: 0, conforming: 0, problems: new Map() };
  for (const [where, object] of objects) {
    if (previewObjects.has(String(object.object)) || UNDECLARED_OBJECTS.has(String(object.object))) continue;
    const data = object.data as Record<string, unknown> | undefined;
    if (object.object === 'event' && previewObjects.has(String((data?.object as any)?.object))) continue;
    if (object.object === 'event' && !eventTypes.has(String(object.type))) {
      out.undeclaredEvents.add(String(object.type));
      continue;
    }
    out.checked++;
    const problems = declarations.check(object);
    if (problems.length === 0) out.conforming++;
    else {
      const kind = object.object === 'event' ? `event ${String(object.type)}` : String(object.object);
      out.problems.set(`${where} (${kind})`, problems.slice(0, 8));
    }
  }
  return out;
}

function literals(type: ts.Type): string[] {
  if (type.isStringLiteral()) return [type.value];
  if (type.isUnion()) return type.types.flatMap(literals);
  return [];
}

/** Whether `value` is of the right kind for `type` (before looking inside). */
function fits(value: unknown, type: ts.Type, checker: ts.TypeChecker): boolean {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  if (type.flags & ts.TypeFlags.StringLike) return typeof value === 'string';
  if (type.flags & ts.TypeFlags.NumberLike) return typeof value === 'number';
  if (type.flags & ts.TypeFlags.BooleanLike) return typeof value === 'boolean';
  if (type.flags & ts.TypeFlags.Null) return value === null;
  if (checker.isArrayType(type)) return Array.isArray(value);
  if (type.flags & ts.TypeFlags.Object) return isRecord(value) && !Array.isArray(value);
  return false;
}

function unionOf(types: readonly ts.Type[]): ts.Type {
  return types[0]!;
}

/** The shortest list of problems among alternatives. */
function best(options: string[][]): string[] {
  return options.reduce((a, b) => (b.length < a.length ? b : a));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
