/**
 * Customer scope: what a caller limited to one Stripe customer (a JWT with `stripe_customer`) may
 * read and write. The upstream session (session.ts) asks it before every call and checks every
 * object it returns or primes, so the rule holds on every path into the graph — root retrieves,
 * `node(id:)`, lists, search, relations, expanded references, objects primed from other responses,
 * federation entities and mutations — without any resolver knowing about it.
 *
 * What belongs to a customer is read from the model: the customer itself, and every resource with a
 * property that references the customer resource (`charge.customer`, `card.customer`,
 * `invoice.customer`, …), plus the few string-typed `customer` properties the spec does not mark as
 * references (OWNER_FIELDS below). Objects with no such property are visible only inside something
 * already checked (an invoice's lines, a charge's refunds: a nested list under a parent that passed,
 * or a list filtered by a parent that passed, `/v1/refunds?charge=ch_…`, from the model's relation
 * edges) or when they are the shared catalog (CATALOG below), except the merchant's own records
 * (MERCHANT_ONLY below). Everything else is FORBIDDEN, with one error
 * for "exists but not yours" and "does not exist".
 *
 * A list narrowed to a parent (`/v1/refunds?charge=`, `/v1/invoices/{invoice}/lines`, a customer
 * filter, the lists inline in an admitted object) holds only items that name that parent where their
 * type has the property (`refund.charge`, `line_item.invoice`), whoever filtered it: one item outside
 * is FORBIDDEN for the whole list (a partial page would page on from a hole). A paging cursor is an
 * object id and is checked like one before the list is sent: read by id (under the list's parents
 * where it nests) and admitted as a member of the list, or already admitted by the session; a list
 * whose items have no by-id read (invoice lines) pages only from a cursor the request has seen.
 */
import { GraphQLError } from 'graphql';
import { parentPath } from '../spec/paths.ts';
import { candidateForId, type ResourceIndex } from '../spec/resources.ts';
import type { Model, ObjectSchema, Operation, OutType } from '../spec/types.ts';
import { type GetRequest, idOf, type StripeObject } from './requests.ts';
import type { WriteRequest } from './session.ts';

/** The one message of every denial: it never says whether the object exists. */
export const FORBIDDEN_MESSAGE = 'Forbidden: this does not exist or is not visible to you';

export function forbidden(): GraphQLError {
  return new GraphQLError(FORBIDDEN_MESSAGE, { extensions: { code: 'FORBIDDEN' } });
}

/**
 * Resources whose `customer` is a plain string id in the spec (not an expandable reference), so the
 * model cannot tell it names a customer. Resource schema name → property.
 */
const OWNER_FIELDS: Readonly<Record<string, string>> = {
  cash_balance: 'customer',
  'billing_portal.session': 'customer',
};

/**
 * The shared catalog: what a customer's invoices and subscriptions point at (`price.product`,
 * `subscription_item.price`), the same for every customer and typically public on a pricing page.
 * Readable (by id, listed, searched); never writable.
 */
const CATALOG: ReadonlySet<string> = new Set(['product', 'price', 'plan']);

/**
 * The merchant's books and risk signals: never a customer's, even under one of their objects
 * (`charge.balance_transaction`, `/v1/balance_transactions?source=ch_…`, a charge's fraud warnings).
 */
const MERCHANT_ONLY: ReadonlySet<string> = new Set([
  'balance_transaction',
  'application_fee',
  'radar.early_fraud_warning',
  'review',
]);

/** The paging parameters that name an object (Stripe's cursors). */
const CURSOR_PARAMS = ['starting_after', 'ending_before'] as const;

const NO_PARENT: Within = Object.freeze({});

/** Paged response envelopes: their items are checked, not the envelope. */
const ENVELOPES: ReadonlySet<string> = new Set(['list', 'search_result']);

/**
 * The parents a list is narrowed to, property → id (`{ charge: 'ch_…' }` for `/v1/refunds?charge=`,
 * `{ invoice: 'in_…' }` for `/v1/invoices/{invoice}/lines`): an item whose type has that property
 * must name that parent, whoever filtered the list (Stripe, a proxy, a stand-in).
 */
export type Within = Readonly<Record<string, string>>;

/**
 * A paging cursor (`starting_after`/`ending_before`) is an object id: it must be one the caller may
 * read as a member of that list before it is sent, or it would tell whether another customer's
 * object exists (Stripe pages from it, or answers "No such …").
 */
export interface CursorCheck {
  id: string;
  /** the by-id read of the cursor object; undefined when the list's items have none */
  read: GetRequest | undefined;
}

/** What a scoped session must do before a read. */
export interface ReadPlan {
  /** the request to send: forced filters applied */
  request: GetRequest;
  /** reads that must pass the scope first (the parent of a nested path) */
  requires: GetRequest[];
  /** a checked parent or a forced customer filter vouches for items that name no customer */
  vouched: boolean;
  /** the parents every item must name, where its type has the property (empty: none) */
  within: Within;
  /** the paging cursors of the request, checked before it is sent */
  cursors: CursorCheck[];
}

/** What a scoped session must do before a write. */
export interface WritePlan {
  request: WriteRequest;
  /** reads that must pass the scope first: the object written to must be the caller's */
  requires: GetRequest[];
}

/** The caller's scope as the upstream session applies it. */
export interface SessionScope {
  readonly customer: string;
  /** Before a GET: the request to send, or FORBIDDEN. */
  planRead(request: GetRequest): ReadPlan;
  /** Before a POST or DELETE: the request to send, or FORBIDDEN (every write not allow-listed). */
  planWrite(request: WriteRequest): WritePlan;
  /**
   * Whether one Stripe object may be shown (`vouched`: it came from a checked parent; `within`: the
   * parents it must name where its type has the property).
   */
  admits(object: StripeObject, vouched: boolean, within?: Within): boolean;
  /** Whether a cursor object may page a list planned as `plan`: the caller's, and a member of it. */
  admitsCursor(object: StripeObject, plan: ReadPlan): boolean;
  /** An upstream failure as the caller may see it: "no such object" becomes FORBIDDEN. */
  hide(error: unknown): unknown;
}

/** Builds scopes over one model; the model is walked once. */
export interface ScopePolicy {
  forCustomer(customer: string): SessionScope;
}

export const CUSTOMER_ID = /^cus_[A-Za-z0-9]{1,250}$/;

function namesCustomer(model: Model, type: OutType): boolean {
  switch (type.k) {
    case 'array':
      return namesCustomer(model, type.of);
    case 'ref':
      return namesCustomer(model, type.to);
    case 'object':
      return type.name === 'customer';
    case 'union':
      return model.unions[type.name]?.members.includes('customer') ?? false;
    default:
      return false;
  }
}

/** `/v1/customers/{customer}/sources/{id}` → `/v1/customers/{customer}`; undefined without a parent. */
function parentTemplate(path: string): string | undefined {
  const end = path.indexOf('}');
  return end === -1 || end === path.length - 1 ? undefined : path.slice(0, end + 1);
}

/** Stripe's search language cannot mix AND and OR, nor group: a query is narrowed by appending. */
function narrowSearch(query: unknown, customer: string): string {
  if (typeof query !== 'string' || query.trim() === '') throw forbidden();
  const quotes = (query.match(/(?<!\\)["']/g) ?? []).length;
  if (/\bOR\b/.test(query) || quotes % 2 !== 0) throw forbidden();
  return `${query} AND customer:'${customer}'`;
}

type WriteRule = (request: WriteRequest, customer: string) => WritePlan;

/** A write to `/v1/customers/{customer}/…/{id}`: their own path, and the object read first. */
const ownNested: WriteRule = (request, customer) => {
  if (request.pathParams?.[0] !== customer) throw forbidden();
  return { request, requires: [{ path: request.path, pathParams: request.pathParams }] };
};

/** A write to an object by id: the object is read first (at `retrieve`) and must be theirs. */
const ownObject = (retrieve: string): WriteRule => {
  RULE_READS.push(retrieve);
  return (request) => {
    const id = request.pathParams?.[0];
    if (!id) throw forbidden();
    return { request, requires: [{ path: retrieve, pathParams: [id] }] };
  };
};
/** The retrieves the write rules read first (checked against the model with the tables). */
const RULE_READS: string[] = [];

/** A create for themselves: `customer` forced to theirs, and only the listed parameters. */
const createForSelf =
  (allowed: readonly string[]): WriteRule =>
  (request, customer) => {
    const params = { ...request.params };
    if (params.customer !== undefined && params.customer !== customer) throw forbidden();
    for (const name of Object.keys(params)) {
      if (name !== 'customer' && !allowed.includes(name)) throw forbidden();
    }
    return { request: { ...request, params: { ...params, customer } }, requires: [] };
  };

/**
 * The writes a customer may make, keyed `METHOD path-template`; every other write is FORBIDDEN.
 * Results are checked like reads.
 */
const WRITE_RULES: Readonly<Record<string, WriteRule>> = {
  // Update or delete one of their saved cards or sources.
  'POST /v1/customers/{customer}/sources/{id}': ownNested,
  'DELETE /v1/customers/{customer}/sources/{id}': ownNested,
  'POST /v1/customers/{customer}/cards/{id}': ownNested,
  'DELETE /v1/customers/{customer}/cards/{id}': ownNested,
  // Remove one of their payment methods.
  'POST /v1/payment_methods/{payment_method}/detach': ownObject('/v1/payment_methods/{payment_method}'),
  // A setup intent for themselves, confirmed in the browser with Stripe.js to save a card.
  'POST /v1/setup_intents': createForSelf([
    'automatic_payment_methods',
    'description',
    'metadata',
    'payment_method_types',
    'usage',
  ]),
};

/**
 * The entries of the tables above that the model no longer has: a resource renamed or gone, an
 * owner property dropped, a write rule whose operation changed path. A stale entry would silently
 * stop applying (a renamed merchant-only resource would become readable under a customer's objects),
 * so the policy refuses to start with one, as the generator refuses a stale override.
 */
export function staleScopeEntries(model: Model): string[] {
  const stale: string[] = [];
  const live = (name: string) => {
    const schema = model.objects[name];
    return schema?.resource !== undefined && !schema.deletedOf ? schema : undefined;
  };
  for (const [resource, prop] of Object.entries(OWNER_FIELDS)) {
    if (!live(resource)?.props.some((p) => p.name === prop)) stale.push(`OWNER_FIELDS ${resource}.${prop}`);
  }
  for (const [table, resources] of [
    ['CATALOG', CATALOG],
    ['MERCHANT_ONLY', MERCHANT_ONLY],
  ] as const) {
    for (const resource of resources) if (!live(resource)) stale.push(`${table} ${resource}`);
  }
  const operations = new Set(model.operations.map((op) => `${op.method.toUpperCase()} ${op.path}`));
  for (const key of Object.keys(WRITE_RULES)) if (!operations.has(key)) stale.push(`WRITE_RULES ${key}`);
  for (const path of RULE_READS)
    if (!operations.has(`GET ${path}`)) stale.push(`WRITE_RULES reads GET ${path}`);
  return stale;
}

export function createScopePolicy(model: Model, index: ResourceIndex): ScopePolicy {
  const stale = staleScopeEntries(model);
  if (stale.length > 0) {
    throw new Error(`the customer scope's tables name what the model lacks: ${stale.join('; ')}`);
  }
  /** resource → the properties that name its customer */
  const owners = new Map<string, string[]>();
  for (const schema of Object.values(model.objects)) {
    if (!schema.resource || schema.deletedOf) continue;
    const props = schema.props.filter((p) => namesCustomer(model, p.type)).map((p) => p.name);
    const extra = OWNER_FIELDS[schema.name];
    if (extra && !props.includes(extra)) props.push(extra);
    if (props.length > 0) owners.set(schema.name, props);
  }
  const reads = new Map<string, Operation>();
  for (const op of model.operations) if (op.method === 'get') reads.set(op.path, op);
  /**
   * list operation id → its filters that name a parent: a parameter named after a resource
   * (`/v1/refunds?charge=`) or a filter relation edge of the model (`/v1/balance_transactions?source=`)
   */
  const parentFilters = new Map<string, { param: string; parent: string }[]>();
  const addFilter = (operation: string, param: string, parent: string) => {
    const list = parentFilters.get(operation) ?? [];
    if (!list.some((e) => e.param === param && e.parent === parent)) list.push({ param, parent });
    parentFilters.set(operation, list);
  };
  for (const op of model.operations) {
    if (op.kind !== 'list') continue;
    for (const param of op.query) {
      if (model.objects[param.name]?.resource === param.name) addFilter(op.id, param.name, param.name);
    }
  }
  for (const edge of model.relations)
    if (edge.kind === 'filter') addFilter(edge.operation, edge.param, edge.parent);
  /**
   * The parents a list request's filters name: reads that must pass first, and the properties its
   * items must carry; none when it names none.
   */
  const parentsNamed = (op: Operation, params: Record<string, unknown>) => {
    const edges = parentFilters.get(op.id) ?? [];
    const requires: GetRequest[] = [];
    const within: Record<string, string> = {};
    for (const param of new Set(edges.map((e) => e.param))) {
      const id = params[param];
      if (id === undefined) continue;
      const candidates = edges.filter((e) => e.param === param).map((e) => e.parent);
      const parent = typeof id === 'string' ? candidateForId(id, candidates) : undefined;
      const retrieve = parent === undefined ? undefined : index.retrieveByIdOf(parent);
      if (!retrieve) throw forbidden();
      requires.push({ path: retrieve.path, pathParams: [id as string] });
      within[param] = id as string;
    }
    return { requires, within };
  };
  /** list path → the retrieve of one of its items under the same parents (`…/sources` → `…/sources/{id}`) */
  const itemReads = new Map<string, string>();
  for (const op of reads.values()) {
    if (op.kind !== 'retrieve' || op.singleton) continue;
    const list = parentPath(op.path);
    if (reads.get(list)?.kind === 'list') itemReads.set(list, op.path);
  }
  /** The cursors of a list request and how each is read by id. */
  const cursorsOf = (op: Operation, params: Record<string, unknown>, values: readonly string[]) => {
    const cursors: CursorCheck[] = [];
    for (const name of CURSOR_PARAMS) {
      const id = params[name];
      if (id === undefined) continue;
      if (typeof id !== 'string' || id === '') throw forbidden();
      const nested = itemReads.get(op.path);
      const byId = op.resource === undefined ? undefined : index.retrieveByIdOf(op.resource);
      const read = nested
        ? { path: nested, pathParams: [...values, id] }
        : byId
          ? { path: byId.path, pathParams: [id] }
          : undefined;
      cursors.push({ id, read });
    }
    return cursors;
  };
  /** property names of each schema, for the `within` check */
  const propNames = new Map<string, ReadonlySet<string>>();
  const hasProp = (schema: ObjectSchema, prop: string) => {
    let names = propNames.get(schema.name);
    if (!names) {
      names = new Set(schema.props.map((p) => p.name));
      propNames.set(schema.name, names);
    }
    return names.has(prop);
  };

  /** Readable by id: the customer, what names a customer, the catalog; polymorphic ones are checked on the result. */
  const readableById = (resource: string | undefined) =>
    resource !== undefined &&
    (owners.has(resource) || CATALOG.has(resource) || model.polymorphic[resource] !== undefined);

  return {
    forCustomer(customer) {
      if (!CUSTOMER_ID.test(customer)) throw new TypeError('forCustomer takes a customer id (cus_…)');

      const decide = (request: GetRequest): Omit<ReadPlan, 'cursors'> => {
        const op = reads.get(request.path);
        if (!op) throw forbidden();
        const params = request.params ?? {};
        const mine = { customer };
        // A read that can be filtered by customer is filtered by theirs.
        if (op.query.some((p) => p.name === 'customer')) {
          if (params.customer !== undefined && params.customer !== customer) throw forbidden();
          return {
            request: { ...request, params: { ...params, customer } },
            requires: [],
            vouched: true,
            within: mine,
          };
        }
        const resource = op.resource;
        if (resource !== undefined && MERCHANT_ONLY.has(resource)) throw forbidden();
        if (op.kind === 'search') {
          if (resource !== undefined && CATALOG.has(resource))
            return { request, requires: [], vouched: false, within: NO_PARENT };
          if (resource === undefined || !owners.has(resource)) throw forbidden();
          const query = narrowSearch(params.query, customer);
          return {
            request: { ...request, params: { ...params, query } },
            requires: [],
            vouched: true,
            within: mine,
          };
        }
        const values = request.pathParams ?? [];
        const parent = parentTemplate(op.path);
        if (parent !== undefined) {
          // Nested under a parent (…/{customer}/sources, …/{invoice}/lines): the parent must be theirs.
          const parentOp = reads.get(parent);
          if (parentOp?.kind !== 'retrieve' || values[0] === undefined) throw forbidden();
          if (parentOp.resource === 'customer') {
            if (values[0] !== customer) throw forbidden();
            return { request, requires: [], vouched: true, within: mine };
          }
          const param = parent.slice(parent.lastIndexOf('{') + 1, -1);
          return {
            request,
            requires: [{ path: parent, pathParams: [values[0]] }],
            vouched: true,
            within: { [param]: values[0] },
          };
        }
        if (op.kind === 'retrieve' && values.length === 1) {
          if (resource === 'customer' && values[0] !== customer) throw forbidden();
          if (resource !== 'customer' && !readableById(resource)) throw forbidden();
          return { request, requires: [], vouched: false, within: NO_PARENT };
        }
        if (op.kind === 'list') {
          // Filtered by a parent (`/v1/refunds?charge=ch_…`): the parent must be theirs.
          const { requires, within } = parentsNamed(op, params);
          if (requires.length > 0) return { request, requires, vouched: true, within };
          if (resource !== undefined && CATALOG.has(resource))
            return { request, requires: [], vouched: false, within: NO_PARENT };
        }
        // Unfiltered lists and account-wide singletons (/v1/balance): only the catalog's lists.
        throw forbidden();
      };
      const planRead = (request: GetRequest): ReadPlan => {
        const plan = decide(request);
        const op = reads.get(plan.request.path)!;
        const cursors =
          op.kind === 'list' ? cursorsOf(op, plan.request.params ?? {}, plan.request.pathParams ?? []) : [];
        return { ...plan, cursors };
      };
      const admits = (object: StripeObject, vouched: boolean, within: Within = NO_PARENT): boolean => {
        if (ENVELOPES.has(String(object.object))) return false;
        const schema = index.schemaOfObject(object);
        if (!schema) return false;
        if (schema.name === 'customer') return object.id === customer;
        // A list narrowed to a parent holds only what names that parent, whoever filtered it.
        for (const [prop, id] of Object.entries(within)) {
          if (hasProp(schema, prop) && idOf(object[prop]) !== id) return false;
        }
        const props = owners.get(schema.name);
        // What names a customer must name theirs; a deleted object names nothing, so only a
        // checked parent (or a write that checked its target first) vouches for it.
        if (props && object.deleted !== true) return props.some((p) => idOf(object[p]) === customer);
        if (MERCHANT_ONLY.has(schema.name)) return false;
        return CATALOG.has(schema.name) || vouched;
      };

      return {
        customer,
        planRead,
        planWrite(request) {
          const rule = WRITE_RULES[`${request.method} ${request.path}`];
          if (!rule) throw forbidden();
          return rule(request, customer);
        },
        admits,
        admitsCursor(object, plan) {
          const schema = index.schemaOfObject(object);
          if (!schema || object.deleted === true) return false;
          // A checked parent vouches for a cursor only when the cursor names that parent.
          const member = Object.keys(plan.within).some((prop) => hasProp(schema, prop));
          return admits(object, plan.vouched && member, plan.within);
        },
        hide(error) {
          return error instanceof GraphQLError && error.extensions.code === 'NOT_FOUND' ? forbidden() : error;
        },
      };
    },
  };
}
