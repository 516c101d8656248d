/**
 * What the emulator needs to know about the model, indexed once per process: resources, their
 * props by name, the reference props that tie a child to its parent, and the inline lists a
 * resource carries (`customer.sources`, `invoice.lines`).
 */
import { loadModel } from '../../spec/model.ts';
import type { Model, ObjectSchema, OutProp, OutType } from '../../spec/types.ts';
import { isObject, type Json } from './json.ts';

/** An inline list prop (`{ object: 'list', data, has_more, url }`) whose items are resources. */
export interface InlineList {
  prop: OutProp;
  /** the list object's schema */
  schema: string;
  /** live resources the list holds */
  items: string[];
}

export interface ResourceInfo {
  name: string;
  schema: ObjectSchema;
  /** the `object` value */
  object: string;
  hasId: boolean;
  /** the `deleted_<name>` schema, when the API has one */
  deleted?: ObjectSchema;
  /** top-level expandable references */
  refProps: OutProp[];
  inlineLists: InlineList[];
}

export class ResourceRegistry {
  readonly model: Model;
  readonly resources = new Map<string, ResourceInfo>();
  private readonly propMaps = new Map<string, Map<string, OutProp>>();
  private readonly parentProps = new Map<string, string | null>();
  private readonly links = new Map<string, string[]>();
  /** `child|parent` → the child's prop naming the parent, from the model's list-filter relations */
  private readonly relationProps = new Map<string, string>();

  constructor(model: Model) {
    this.model = model;
    const deletedOf = new Map<string, ObjectSchema>();
    for (const schema of Object.values(model.objects)) {
      if (schema.deletedOf) deletedOf.set(schema.deletedOf, schema);
    }
    for (const schema of Object.values(model.objects)) {
      if (!schema.resource || schema.deletedOf) continue;
      const props = this.props(schema.name);
      const info: ResourceInfo = {
        name: schema.name,
        schema,
        object: schema.object ?? schema.name,
        hasId: props.has('id'),
        refProps: schema.props.filter((p) => p.type.k === 'ref'),
        inlineLists: [],
      };
      const deleted = deletedOf.get(schema.name);
      if (deleted) info.deleted = deleted;
      this.resources.set(schema.name, info);
    }
    const byId = new Map(model.operations.map((op) => [op.id, op]));
    for (const edge of model.relations) {
      if (edge.kind !== 'filter') continue;
      // Only a filter the child has a property for names its parent on the child
      // (`GET /v1/subscriptions?price=` does not: a subscription's prices are under its items).
      for (const child of this.resourcesNamed(byId.get(edge.operation)?.resource ?? ''))
        for (const parent of this.resourcesNamed(edge.parent))
          if (!this.relationProps.has(`${child}|${parent}`) && this.props(child).has(edge.param))
            this.relationProps.set(`${child}|${parent}`, edge.param);
    }
    for (const info of this.resources.values()) {
      for (const prop of info.schema.props) {
        const list = this.inlineListOf(prop.type);
        if (list) info.inlineLists.push({ prop, ...list });
      }
    }
  }

  schema(name: string): ObjectSchema {
    const schema = this.model.objects[name];
    if (!schema) throw new Error(`unknown schema ${name}`);
    return schema;
  }

  props(schemaName: string): Map<string, OutProp> {
    let map = this.propMaps.get(schemaName);
    if (!map) {
      map = new Map(this.schema(schemaName).props.map((p) => [p.name, p]));
      this.propMaps.set(schemaName, map);
    }
    return map;
  }

  prop(schemaName: string, name: string): OutProp | undefined {
    return this.props(schemaName).get(name);
  }

  resource(name: string): ResourceInfo | undefined {
    return this.resources.get(name);
  }

  /** Object schemas a value of `type` can be (an object, a union's members, a ref's target). */
  schemasOf(type: OutType): string[] {
    switch (type.k) {
      case 'object':
        return [type.name];
      case 'union':
        return this.model.unions[type.name]?.members ?? [];
      case 'ref':
        return this.schemasOf(type.to);
      case 'array':
        return this.schemasOf(type.of);
      default:
        return [];
    }
  }

  /** Live resources a type refers to: `customer_or_deleted_customer` → `customer`. */
  resourcesOf(type: OutType): string[] {
    const out: string[] = [];
    for (const name of this.schemasOf(type)) {
      const schema = this.model.objects[name];
      const live = schema?.deletedOf ?? name;
      if (this.resources.has(live) && !out.includes(live)) out.push(live);
    }
    return out;
  }

  /** Live resources behind a resource or polymorphic name (`payment_source` → account, bank_account, …). */
  resourcesNamed(name: string): string[] {
    if (this.resources.has(name)) return [name];
    const deleted = this.model.objects[name]?.deletedOf;
    if (deleted && this.resources.has(deleted)) return [deleted];
    const union = this.model.polymorphic[name];
    return union ? this.resourcesOf({ k: 'union', name: union }) : [];
  }

  /** The schema of `value` among the object schemas `type` allows, told apart by `object` and `deleted`. */
  schemaOfValue(type: OutType, value: Json): string | undefined {
    const names = this.schemasOf(type);
    if (names.length <= 1) return names[0];
    if (!isObject(value)) return undefined;
    const deleted = value.deleted === true;
    let fallback: string | undefined;
    for (const name of names) {
      const schema = this.model.objects[name]!;
      if (schema.object !== value.object) continue;
      const isDeletedSchema = this.props(name).has('deleted');
      if (isDeletedSchema === deleted) return name;
      fallback ??= name;
    }
    return fallback;
  }

  /** `{ object: 'list', data: [...] }` schemas: the list schema and the live resources it holds. */
  inlineListOf(type: OutType): { schema: string; items: string[] } | undefined {
    if (type.k !== 'object') return undefined;
    const schema = this.model.objects[type.name];
    if (!schema) return undefined;
    const object = schema.props.find((p) => p.name === 'object');
    const data = schema.props.find((p) => p.name === 'data');
    if (object?.type.k !== 'const' || object.type.value !== 'list' || data?.type.k !== 'array')
      return undefined;
    const items = this.resourcesOf(data.type.of);
    return items.length > 0 ? { schema: type.name, items } : undefined;
  }

  /**
   * Top-level props of `resource` that hold another object's id: references, plain strings the
   * model's list-filter relations name as the parent (`radar.value_list_item.value_list`), and plain
   * strings named after a resource (`subscription_item.subscription`, `person.account`). The store
   * indexes them.
   */
  linkProps(resource: string): string[] {
    let out = this.links.get(resource);
    if (!out) {
      const info = this.resources.get(resource);
      const byRelation = new Set(
        [...this.relationProps].filter(([key]) => key.startsWith(`${resource}|`)).map(([, prop]) => prop),
      );
      out = info
        ? info.schema.props
            .filter(
              (p) =>
                p.type.k === 'ref' ||
                (p.type.k === 'string' &&
                  p.name !== 'id' &&
                  (byRelation.has(p.name) || this.resources.has(p.name))),
            )
            .map((p) => p.name)
        : [];
      this.links.set(resource, out);
    }
    return out;
  }

  /**
   * The prop of `child` that holds the id of its `parent` resource: the parameter of the model's
   * relation that lists children by parent (`GET /v1/invoices?customer=` → `invoice.customer`);
   * else, where the model has none (nested collections do not name it), a reference to the parent
   * (`card.customer`), else a plain string prop named after the parent or its path parameter
   * (`subscription_item.subscription`, `person.account`). Undefined when the child does not say.
   */
  parentProp(child: string, parent: string): string | undefined {
    const key = `${child}|${parent}`;
    const cached = this.parentProps.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const info = this.resources.get(child);
    let found = this.relationProps.get(`${child}|${parent}`);
    if (info && !found) {
      const refs = info.refProps.filter((p) => this.resourcesOf(p.type).includes(parent));
      found =
        refs.find((p) => p.name === parent)?.name ??
        (refs.length === 1 ? refs[0]!.name : undefined) ??
        refs[0]?.name;
      if (!found) {
        const named = [parent, parent.split('.').pop()].find(
          (n) => n !== undefined && this.prop(child, n)?.type.k === 'string',
        );
        found = named;
      }
    }
    this.parentProps.set(key, found ?? null);
    return found;
  }
}

let registry: ResourceRegistry | undefined;

export function loadRegistry(): ResourceRegistry {
  registry ??= new ResourceRegistry(loadModel());
  return registry;
}
