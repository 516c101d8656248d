/**
 * Mutations from the model's write operations, one per operation: `createCustomer(input:)`,
 * `updateCustomer(id:, input:)`, `deleteCustomer(id:)`, nested writes with the parent named
 * (`updateCustomerSource(customer:, id:, input:)`) and actions (`finalizeInvoice(id:)`).
 *
 * Names come from the path: the verb (the operation's kind, or an action's last segment) and the
 * nouns of its collections, singular (`/v1/customers/{customer}/sources/{id}/verify` →
 * `verifyCustomerSource`); `test_helpers/` is dropped (`advanceTestClock`). A clash fails the build
 * until `mutationNameOverrides` (src/spec/overrides.ts) settles it.
 *
 * Every mutation takes `idempotencyKey` (made here when absent, reused on every retry of the REST
 * client) and returns the resulting object, with the selection's references folded into `expand[]`
 * — except under a caller's key: Stripe compares a keyed request's parameters (`expand[]` is one)
 * with the first one's and replays the first body, so the write is sent without it (a replay with
 * another selection is the same request) and the object is read again with the selection's `expand[]`.
 * A failed write's error carries the key it was sent with (`extensions.idempotencyKey`) and whether
 * Stripe may have applied it anyway (`extensions.mayHaveHappened`): retried with that key, it cannot
 * happen twice.
 */
import { randomUUID } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import type { StripeObject } from '../loaders/requests.ts';
import { camelCase, pascalCase, singular } from '../spec/naming.ts';
import { mutationNameOverrides } from '../spec/overrides.ts';
import { IDEMPOTENCY_KEY } from '../spec/stripe.ts';
import type { Model, Operation } from '../spec/types.ts';
import { checkPathArguments } from './arguments.ts';
import type { Types } from './builder.ts';
import { type GatewayContext, sessionOf } from './context.ts';
import { userError, withInputPath, withWriteOutcome } from './errors.ts';
import { type InputShape, InputTypes, inputPath, objectToWire } from './inputs.ts';
import { expandFor, operationFieldOptions } from './plans.ts';
import { describing, type ModelOutputType, type TypeRegistry } from './registry.ts';

/** The field builder of the Mutation root. */
type MutationBuilder = PothosSchemaTypes.MutationFieldBuilder<Types, Types['Root']>;

const WRITE_KINDS = new Set(['create', 'update', 'delete', 'action']);

export const isWrite = (op: Operation): boolean => WRITE_KINDS.has(op.kind);

export { singular } from '../spec/naming.ts';

export interface MutationPlan {
  name: string;
  /** the nouns of the path, PascalCase (`CustomerSource`): the base of nested input type names */
  noun: string;
  operation: Operation;
  /** GraphQL argument name per path parameter, in path order */
  pathArgs: string[];
}

/** What the naming reads of the other operations' paths, computed once per model. */
interface PathFacts {
  /** paths that have a child by id (`/v1/customers` for `/v1/customers/{customer}`) */
  parentsById: Set<string>;
  /** paths listed by a GET list operation */
  listed: Set<string>;
  /** paths read by any GET */
  read: Set<string>;
}

const pathFacts = new WeakMap<Model, PathFacts>();

function factsOf(model: Model): PathFacts {
  let facts = pathFacts.get(model);
  if (facts) return facts;
  facts = { parentsById: new Set(), listed: new Set(), read: new Set() };
  for (const o of model.operations) {
    const segments = o.path.split('/');
    for (let i = 1; i < segments.length; i++) {
      if (segments[i]!.startsWith('{')) facts.parentsById.add(segments.slice(0, i).join('/'));
    }
    if (o.method === 'get') facts.read.add(o.path);
    if (o.kind === 'list') facts.listed.add(o.path);
  }
  pathFacts.set(model, facts);
  return facts;
}

/** The mutation name and path arguments of a write operation. */
export function planMutation(op: Operation, model: Model): MutationPlan {
  const facts = factsOf(model);
  const original = op.path.replace(/^\/v1\//, '').split('/');
  const prefixOf = (i: number) => `/v1/${original.slice(0, i + 1).join('/')}`;
  const isParam = (s: string) => s.startsWith('{');
  const start = original[0] === 'test_helpers' ? 1 : 0;
  const resourceWord = (op.resource ?? (op.response.k === 'object' ? op.response.name : '')).split('.').pop();
  /** A collection: followed by an id, or has children by id, or is listed. */
  const isCollection = (i: number) => {
    const prefix = prefixOf(i);
    return (
      (i + 1 < original.length && isParam(original[i + 1]!)) ||
      facts.parentsById.has(prefix) ||
      facts.listed.has(prefix)
    );
  };
  const last = original.length - 1;
  const lastSegment = original[last]!;
  // The last segment is a noun (the thing written) or a verb (`finalize`, `create_preview`).
  const lastIsNoun =
    isParam(lastSegment) ||
    isCollection(last) ||
    facts.read.has(op.path) ||
    lastSegment === resourceWord ||
    Boolean(resourceWord?.endsWith(`_${lastSegment}`)) ||
    singular(lastSegment) === resourceWord;
  let verb: string;
  if (!lastIsNoun) verb = camelCase(lastSegment);
  else if (op.kind !== 'action') verb = op.kind;
  else verb = op.method === 'delete' ? 'delete' : 'create';
  const nouns: string[] = [];
  const pathArgs: string[] = [];
  const params = original.flatMap((s, i) => (isParam(s) ? [i] : []));
  for (let i = start; i < original.length; i++) {
    const segment = original[i]!;
    if (isParam(segment)) {
      const after = original.slice(i + 1);
      const isObject =
        i === params[params.length - 1] && (after.length === 0 || (after.length === 1 && !lastIsNoun));
      pathArgs.push(isObject ? 'id' : camelCase(singular(original[i - 1] ?? segment.slice(1, -1))));
      continue;
    }
    if (i === last && !lastIsNoun) continue;
    // The collection written to (`POST /v1/customers`) is named in the singular, like one read by id.
    const createsInto = i === last && (verb === 'create' || op.kind === 'create');
    nouns.push(isCollection(i) || createsInto ? singular(segment) : segment);
  }
  const noun = nouns.map(pascalCase).join('');
  const derived = camelCase(`${verb}_${noun}`);
  return { name: mutationNameOverrides[op.id] ?? derived, noun, operation: op, pathArgs };
}

/** Every write operation's mutation plan; two operations with one name fail here. */
export function planMutations(model: Model): MutationPlan[] {
  const plans = model.operations.filter(isWrite).map((op) => planMutation(op, model));
  const byName = new Map<string, string>();
  for (const plan of plans) {
    const other = byName.get(plan.name);
    if (other) {
      throw new Error(
        `mutation "${plan.name}" comes from both ${other} and ${plan.operation.id}; settle it in mutationNameOverrides (src/spec/overrides.ts)`,
      );
    }
    byName.set(plan.name, plan.operation.id);
  }
  return plans;
}

/** Adds a mutation per write operation of the model to the builder's Mutation type. */
export function addMutations(registry: TypeRegistry): void {
  const { model, builder } = registry;
  const plans = planMutations(model);
  const inputs = new InputTypes(registry);
  const withBody = plans.filter((p) => p.operation.body.length > 0);
  for (const plan of withBody) inputs.reserve(inputName(plan));
  const shapes = new Map(
    withBody.map((p) => [p, inputs.body(inputName(p), p.operation.id, p.operation.body)]),
  );
  const fields = plans.map((plan) => mutationField(registry, plan, shapes.get(plan)));
  builder.mutationFields((t) => Object.fromEntries(fields.map((f) => [f.name, f.build(t)])));
}

function outputOf(registry: TypeRegistry, op: Operation): ModelOutputType {
  const type = op.response.k === 'ref' ? op.response.to : op.response;
  return type.k === 'object' || type.k === 'union' ? registry.typeOf(type) : 'JSON';
}

const PATH_ARG_NOTE = 'The id of the object the path names.';
const IDEMPOTENCY_NOTE =
  "Stripe's Idempotency-Key (1-255 printable ASCII characters): a retry with the same key returns the first answer instead of writing twice. When absent, the gateway makes one per call and reuses it on its own retries.";
/** Stripe takes keys on POST only: a DELETE is sent without one, whatever the argument holds. */
const DELETE_IDEMPOTENCY_NOTE =
  'Not sent: Stripe serves this write with DELETE and takes idempotency keys on POST requests only. Retried after it happened, it answers an error (NOT_FOUND for a delete).';

const inputName = (plan: MutationPlan) => `${pascalCase(plan.name)}Input`;

function mutationField(registry: TypeRegistry, plan: MutationPlan, shape: InputShape | undefined) {
  const { operation: op, name, pathArgs } = plan;
  const type = outputOf(registry, op);
  const inputRequired = op.body.some((p) => p.required);
  // At run time: Stripe's description of the operation and of its path parameters, and the gateway's
  // own notes (the printed SDL has no prose).
  const notes = registry.describe('', '') !== undefined;
  const stripe = registry.describe(`op:${op.id}`);
  const description = notes ? (stripe ?? `${op.method.toUpperCase()} ${op.path}`) : undefined;
  const options = operationFieldOptions(op, 'object');
  const pathArgText = (i: number) =>
    notes ? (registry.describe(`op:${op.id}.${op.pathParams[i]}`) ?? PATH_ARG_NOTE) : undefined;
  return {
    name,
    build: (t: MutationBuilder) =>
      t.field({
        type,
        nullable: true,
        ...options,
        ...describing([options.description, description].filter(Boolean).join(' ') || undefined),
        args: {
          ...Object.fromEntries(
            pathArgs.map((a, i) => [a, t.arg.id({ required: true, ...describing(pathArgText(i)) })]),
          ),
          ...(shape?.ref ? { input: t.arg({ type: shape.ref, required: inputRequired }) } : {}),
          idempotencyKey: t.arg.string({
            required: false,
            ...describing(
              notes ? (op.method === 'delete' ? DELETE_IDEMPOTENCY_NOTE : IDEMPOTENCY_NOTE) : undefined,
            ),
          }),
        },
        resolve: async (
          root: unknown,
          args: Record<string, unknown>,
          ctx: GatewayContext,
          info: GraphQLResolveInfo,
        ) => {
          const key = args.idempotencyKey as string | null | undefined;
          if (key != null && !IDEMPOTENCY_KEY.test(key)) {
            throw userError('BAD_USER_INPUT', 'idempotencyKey must be 1-255 printable ASCII characters', {
              argument: 'idempotencyKey',
            });
          }
          checkPathArguments(args, pathArgs);
          const params =
            shape && args.input ? objectToWire(shape, args.input as Record<string, unknown>) : {};
          const session = sessionOf(ctx, root);
          const expand = expandFor(info, session, op);
          const method = op.method === 'delete' ? 'DELETE' : 'POST';
          // Made here rather than in the REST client so that a failure can hand it back.
          const idempotencyKey = method === 'POST' ? (key ?? randomUUID()) : undefined;
          const keyed = key != null && method === 'POST';
          let written: StripeObject;
          try {
            written = await session.write<StripeObject>({
              method,
              path: op.path,
              pathParams: pathArgs.map((a) => String(args[a])),
              params,
              expand: keyed ? [] : expand,
              ...(idempotencyKey ? { idempotencyKey } : {}),
              ...(op.multipart ? { multipart: true } : {}),
            });
          } catch (caught) {
            const error = withWriteOutcome(caught, idempotencyKey);
            throw withInputPath(error, (param) => {
              // Stripe names a missing path object `id`: the argument is the one whose id it quotes.
              if (param === 'id') {
                const message = error instanceof Error ? error.message : '';
                const named = pathArgs.find((a) => message.includes(`'${String(args[a])}'`));
                if (named) return named;
              }
              const i = op.pathParams.indexOf(param);
              if (i !== -1) return pathArgs[i];
              return shape ? inputPath(shape, param) : undefined;
            });
          }
          if (!keyed || expand.length === 0) return written;
          const path = registry.index.retrievePathOf(written);
          // No retrieve (the object is what the write answered): its references are loaded by id.
          return path ? session.get<StripeObject>({ path, expand }) : written;
        },
      }),
  };
}
