/**
 * The operations of the model, from the spec's paths, and their classification: retrieve, list,
 * search, create, update, delete or action. The kind is decided here, once; the schema, the loaders
 * and the emulator read it.
 */
import { pascalCase } from './naming.ts';
import type { ObjectModel } from './objects.ts';
import {
  blankParams,
  endsWithParam,
  isParamSegment,
  lastSegment,
  paramNames,
  parentPath,
  withoutTestHelpers,
} from './paths.ts';
import { primitiveOf, SpecError, type SpecNode, sorted } from './spec-error.ts';
import type { InParam, InType, Operation, OperationKind, OutType, PathParent } from './types.ts';

export function buildOperations(spec: SpecNode, model: ObjectModel): Operation[] {
  const { objects, unions, polymorphic, outType, resolveRef } = model;
  const inType = (schema: SpecNode, where: string): InType => {
    if (schema.$ref) {
      const [, target] = resolveRef(schema.$ref, where);
      return inType(target, where);
    }
    if (schema.anyOf) {
      const of = (schema.anyOf as SpecNode[]).map((m, i) => inType(m, `${where}|${i}`));
      return of.length === 1 ? of[0]! : { k: 'anyOf', of };
    }
    const primitive = primitiveOf(schema);
    if (primitive) return primitive;
    switch (schema.type) {
      case 'string':
        if (Array.isArray(schema.enum)) return { k: 'enum', values: schema.enum.map(String) };
        return {
          k: 'string',
          ...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {}),
          ...(schema.format ? { format: schema.format } : {}),
        };
      case 'array':
        if (!schema.items) throw new SpecError(where, 'array without items');
        return { k: 'array', of: inType(schema.items, `${where}[]`) };
      case 'object': {
        const props = inParams(schema, where);
        if (props.length === 0) return { k: 'json' };
        return { k: 'object', props, additional: Boolean(schema.additionalProperties) };
      }
      case undefined:
        // An empty schema accepts anything.
        if (Object.keys(schema).filter((k) => k !== 'description').length === 0) return { k: 'json' };
        throw new SpecError(where, 'parameter schema without type, $ref or anyOf');
      default:
        throw new SpecError(where, `unknown parameter type "${schema.type}"`);
    }
  };

  const inParams = (schema: SpecNode, where: string): InParam[] => {
    const required = new Set<string>(schema.required ?? []);
    return sorted<SpecNode>(schema.properties ?? {}).map(([name, prop]) => ({
      name,
      required: required.has(name),
      type: inType(prop, `${where}.${name}`),
      // Read by the naming pass (src/spec/inputs.ts), which moves it to the descriptions.
      ...(typeof prop.description === 'string' ? { description: prop.description } : {}),
    }));
  };

  const operations: Operation[] = [];
  const paths: Record<string, SpecNode> = spec.paths ?? {};
  const getOps = new Map<string, Operation>();

  /** The response schema, unwrapped from list/search envelopes. */
  const responseOf = (
    op: SpecNode,
    where: string,
  ): { schema: SpecNode; paged?: 'list' | 'search'; produces?: string } => {
    const content: Record<string, SpecNode> | undefined = op.responses?.['200']?.content;
    if (!content) throw new SpecError(where, 'no 200 response');
    const schema = content['application/json']?.schema;
    if (!schema) {
      const [mediaType, binary] = Object.entries(content)[0] ?? [];
      if (mediaType && binary?.schema?.format === 'binary')
        return { schema: binary.schema, produces: mediaType };
      throw new SpecError(where, 'no 200 application/json or binary response');
    }
    const objectEnum = schema.properties?.object?.enum;
    if (schema.properties?.data?.items && Array.isArray(objectEnum)) {
      if (objectEnum[0] === 'list') return { schema: schema.properties.data.items, paged: 'list' };
      if (objectEnum[0] === 'search_result') return { schema: schema.properties.data.items, paged: 'search' };
    }
    return { schema };
  };

  const resourceOf = (type: OutType): string | undefined => {
    if (type.k === 'object') {
      const object = objects[type.name];
      return object?.resource ? (object.deletedOf ?? object.name) : undefined;
    }
    if (type.k === 'union') {
      const live = unions[type.name]!.members.filter((m) => !objects[m]?.deletedOf);
      if (live.length === 1 && objects[live[0]!]?.resource) return live[0];
      return polymorphicNameOf(type.name);
    }
    return undefined;
  };
  const polymorphicNameOf = (unionName: string): string | undefined =>
    Object.keys(polymorphic).find((p) => polymorphic[p] === unionName && !p.startsWith('deleted_'));

  for (const [path, item] of sorted<SpecNode>(paths)) {
    for (const method of ['get', 'post', 'delete'] as const) {
      const op = item[method];
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const pathParams: string[] = [];
      const query: InParam[] = [];
      let expand = false;
      for (const param of op.parameters ?? []) {
        if (param.in === 'path') pathParams.push(param.name);
        else if (param.in === 'query') {
          if (param.name === 'expand') expand = true;
          else
            query.push({
              name: param.name,
              required: Boolean(param.required),
              type: inType(param.schema, `${where} ?${param.name}`),
              ...(typeof param.description === 'string' ? { description: param.description } : {}),
            });
        } else if (param.in !== 'header')
          throw new SpecError(where, `unknown parameter location "${param.in}"`);
      }
      query.sort((a, b) => (a.name < b.name ? -1 : 1));
      // In the order the path template names them (the parameter list is not always in that order).
      const inPath = paramNames(path);
      if (inPath.length !== pathParams.length || inPath.some((p) => !pathParams.includes(p))) {
        throw new SpecError(where, `path parameters ${JSON.stringify(pathParams)} do not match the template`);
      }
      pathParams.splice(0, pathParams.length, ...inPath);
      const bodyContent = op.requestBody?.content ?? {};
      const multipart =
        !bodyContent['application/x-www-form-urlencoded'] && Boolean(bodyContent['multipart/form-data']);
      const bodySchema = (
        bodyContent['application/x-www-form-urlencoded'] ?? bodyContent['multipart/form-data']
      )?.schema;
      if (op.requestBody && !bodySchema) throw new SpecError(where, 'request body in an unknown media type');
      const body = bodySchema
        ? inParams(bodySchema, `${where} body`).filter((p) => {
            if (p.name !== 'expand') return true;
            expand = true;
            return false;
          })
        : [];
      const { schema: responseSchema, paged, produces } = responseOf(op, where);
      const opName = pascalCase(op.operationId);
      const response = outType(responseSchema, `${op.operationId}`, `${opName}Response`, `${where} response`);
      const operation: Operation = {
        id: op.operationId,
        method,
        path,
        kind: 'action',
        pathParams,
        query,
        body,
        response,
        expand,
      };
      const text = op.description ?? op.summary;
      if (typeof text === 'string' && text) model.descriptions[`op:${op.operationId}`] = text;
      if (paged) operation.paged = paged;
      if (produces) operation.produces = produces;
      if (multipart) operation.multipart = true;
      const resource = resourceOf(response);
      if (resource) operation.resource = resource;
      operations.push(operation);
      if (method === 'get') getOps.set(path, operation);
    }
  }

  for (const op of operations) {
    op.kind = classify(op);
  }
  function hasDeletedForm(type: OutType): boolean {
    if (type.k === 'object') return Boolean(objects[type.name]?.deletedOf);
    return type.k === 'union' && unions[type.name]!.members.some((m) => objects[m]?.deletedOf);
  }
  function classify(op: Operation): OperationKind {
    // A DELETE that answers with the live object (DELETE /v1/subscriptions/{id} cancels) is an action.
    if (op.method === 'delete') return hasDeletedForm(op.response) ? 'delete' : 'action';
    if (op.method === 'get') {
      if (op.paged === 'search') return 'search';
      if (op.paged === 'list') return 'list';
      return 'retrieve';
    }
    // POST
    if (endsWithParam(op.path)) return 'update';
    const get = getOps.get(op.path);
    if (get?.paged === 'list') return 'create';
    if (get && !get.paged && get.resource === op.resource) return 'update'; // singletons: POST /v1/account
    // A verb on something addressable (POST /v1/invoices/{invoice}/pay, /v1/apps/secrets/delete,
    // /v1/charges/{charge}/dispute/close, test helpers) is an action; anything else creates.
    if (op.pathParams.length > 0 || getOps.has(parentPath(op.path)) || op.path.includes('/test_helpers/')) {
      return 'action';
    }
    return 'create';
  }
  addressOperations(operations, model);
  return operations;
}

/**
 * What each operation's path addresses (see `Operation.singleton`, `parents`, `subject`): decided
 * once here, from the paths and the kinds, for every interpreter (the emulator reads it). Paths are
 * compared with their parameters blanked; a test helper's path also names the object of the path
 * without `/test_helpers` (`/v1/test_helpers/issuing/cards/{card}/shipping/deliver`).
 */
function addressOperations(operations: Operation[], model: ObjectModel): void {
  const { objects, unions, polymorphic } = model;
  const gets = new Map<string, Operation>();
  for (const op of operations) if (op.method === 'get') gets.set(blankParams(op.path), op);
  const retrieveAt = (path: string): Operation | undefined => {
    for (const candidate of [path, withoutTestHelpers(path)]) {
      const get = gets.get(blankParams(candidate));
      if (get && !get.paged) return get;
    }
    return undefined;
  };
  /** The resource a path ending in a parameter names: its retrieve's, else the list's one level up. */
  const resourceAt = (prefix: string): string | undefined => {
    const retrieve = retrieveAt(prefix);
    if (retrieve) return retrieve.resource;
    for (const candidate of [prefix, withoutTestHelpers(prefix)]) {
      const list = gets.get(blankParams(parentPath(candidate)));
      if (list?.paged === 'list') return list.resource;
    }
    return undefined;
  };
  const live = (resource: string | undefined): string[] => {
    if (!resource) return [];
    const union = polymorphic[resource];
    if (!union) return [resource];
    return unions[union]!.members.filter((m) => objects[m]?.resource && !objects[m]?.deletedOf);
  };
  const parentsOf = (path: string, count: number): PathParent[] => {
    const segments = path.split('/');
    const parents: PathParent[] = [];
    segments.forEach((segment, i) => {
      if (!isParamSegment(segment) || parents.length >= count) return;
      const resource = resourceAt(segments.slice(0, i + 1).join('/'));
      parents.push({ param: segment.slice(1, -1), ...(resource ? { resource } : {}) });
    });
    return parents;
  };
  /** The nearest enclosing retrieve of `op`'s path, with the rest of the path as the verb. */
  const enclosing = (op: Operation): { get: Operation; verb: string } | undefined => {
    const segments = op.path.split('/');
    for (let end = segments.length - 1; end > 2; end--) {
      const get = retrieveAt(segments.slice(0, end).join('/'));
      if (get) return { get, verb: segments.slice(end).join('/') };
    }
    return undefined;
  };

  /**
   * An action addressed by parameters rather than a path (`POST /v1/apps/secrets/delete` with
   * `name` and `scope`): its subject is the sibling lookup those parameters answer
   * (`GET /v1/apps/secrets/find`).
   */
  const lookup = (op: Operation): { get: Operation; verb: string } | undefined => {
    const verb = lastSegment(op.path);
    const get = operations.find(
      (o) =>
        o.method === 'get' &&
        !o.paged &&
        o.resource === op.resource &&
        parentPath(o.path) === parentPath(op.path) &&
        o.query.some((q) => q.required) &&
        o.query.every((q) => !q.required || op.body.some((b) => b.name === q.name)),
    );
    return get ? { get, verb } : undefined;
  };

  for (const op of operations) {
    const addressedById = endsWithParam(op.path);
    let parents: PathParent[];
    switch (op.kind) {
      case 'retrieve':
      case 'update':
      case 'delete': {
        if (!addressedById) op.singleton = true;
        parents = parentsOf(op.path, op.pathParams.length - (addressedById ? 1 : 0));
        const get = op.kind === 'retrieve' ? undefined : retrieveAt(op.path);
        if (get) op.subject = { operation: get.id };
        break;
      }
      case 'action': {
        // A cancel-like DELETE (DELETE /v1/subscriptions/{id}) acts on the object at its own path.
        const cancel = op.method === 'delete';
        parents = parentsOf(op.path, op.pathParams.length - (cancel && addressedById ? 1 : 0));
        const get = cancel ? retrieveAt(op.path) : undefined;
        const found = get ? { get, verb: '' } : cancel ? undefined : (enclosing(op) ?? lookup(op));
        const mine = live(op.resource);
        if (found && live(found.get.resource).some((r) => mine.includes(r))) {
          op.subject = found.verb
            ? { operation: found.get.id, verb: found.verb }
            : { operation: found.get.id };
          const ownId = endsWithParam(found.get.path) ? 1 : 0;
          parents = parentsOf(found.get.path, found.get.pathParams.length - ownId);
        }
        break;
      }
      case 'list': {
        parents = parentsOf(op.path, op.pathParams.length);
        // The inline list of a path-addressed object (`/v1/invoices/upcoming/lines` pages
        // `invoice.lines`); `/v1/balance/history` is no prop of the balance but a list of its own.
        const holder = gets.get(blankParams(parentPath(op.path)));
        const verb = lastSegment(op.path);
        const holds = holder?.resource && objects[holder.resource]?.props.some((p) => p.name === verb);
        if (holder && !holder.paged && !endsWithParam(holder.path) && holds) {
          op.subject = { operation: holder.id, verb };
        }
        break;
      }
      default:
        parents = parentsOf(op.path, op.pathParams.length);
    }
    if (parents.length > 0) op.parents = parents;
  }
}
