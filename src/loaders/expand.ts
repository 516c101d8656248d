/**
 * Expand folding: reads the GraphQL selection under a field that fetches from Stripe and lists the
 * expandable references it selects, as Stripe `expand[]` paths, so that one request brings the
 * objects inline instead of one more call per reference. Optional lists that Stripe includes only
 * on request (`customer.sources`, `customer.subscriptions`, `charge.refunds`) are asked for too. Stripe expands at most four levels deep;
 * a list's `data.` counts as one (design for the stricter reading), so deeper references are left
 * to the loaders.
 */
import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  isAbstractType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';

import type { WireFacts } from '../schema/plans.ts';
import { DEFAULT_PAGE_SIZE, MAX_EXPAND_DEPTH } from '../spec/stripe.ts';

export { MAX_EXPAND_DEPTH };

export interface ExpandPlanInput {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  fieldNodes: readonly FieldNode[];
  /** the GraphQL type the fetched object has (object, union or interface) */
  type: GraphQLNamedType;
  /** the selection is a connection over the fetched list (`edges.node`, `nodes`): paths start at `data.` */
  connection?: boolean;
  /** the operation's coerced variables (whether an inline list's page answers depends on arguments) */
  variables?: Readonly<Record<string, unknown>>;
}

/**
 * Whether the first page Stripe embeds in its parent (up to 10 items) answers a connection asked
 * with `args`: no cursor, no `last`, no filter, and `first` within the embedded page. The expand
 * planner folds such a connection (and what its items select) into the parent's request, the
 * resolver serves it from there, and the cost estimate counts it as no call: all three ask this.
 */
export function inlinePageAnswers(args: Readonly<Record<string, unknown>>): boolean {
  if (args.after != null || args.before != null || args.last != null) return false;
  const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE;
  if (first > DEFAULT_PAGE_SIZE) return false;
  return Object.keys(args).every((k) => ['first', 'after', 'last', 'before'].includes(k) || args[k] == null);
}

function possibleTypes(schema: GraphQLSchema, type: GraphQLNamedType): readonly GraphQLObjectType[] {
  if (isObjectType(type)) return [type];
  if (isAbstractType(type)) return schema.getPossibleTypes(type);
  return [];
}

/**
 * The field nodes of a selection set that apply to `type`, fragments flattened. Like graphql-js's
 * field collection, a fragment is followed once per call however often it is spread, so fragments
 * that spread the next one twice stay linear rather than exponential.
 */
function fieldsFor(
  selectionSet: SelectionSetNode,
  type: GraphQLObjectType,
  input: ExpandPlanInput,
  out: FieldNode[] = [],
  visited: Set<string> = new Set(),
): FieldNode[] {
  const applies = (condition: string | undefined) => {
    if (!condition || condition === type.name) return true;
    const conditionType = input.schema.getType(condition);
    return Boolean(
      conditionType && isAbstractType(conditionType) && input.schema.isSubType(conditionType, type),
    );
  };
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) out.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(selection.typeCondition?.name.value))
        fieldsFor(selection.selectionSet, type, input, out, visited);
    } else {
      const name = selection.name.value;
      const fragment = input.fragments[name];
      if (!fragment || visited.has(name)) continue;
      visited.add(name);
      if (applies(fragment.typeCondition.name.value))
        fieldsFor(fragment.selectionSet, type, input, out, visited);
    }
  }
  return out;
}

function walk(
  selectionSets: readonly SelectionSetNode[],
  types: readonly GraphQLObjectType[],
  path: readonly string[],
  input: ExpandPlanInput,
  out: Set<string>,
): void {
  for (const type of types) {
    const fields = type.getFields();
    for (const selectionSet of selectionSets) {
      for (const node of fieldsFor(selectionSet, type, input)) {
        const field = fields[node.name.value];
        // Where the field sits in the parent's object (src/schema/plans.ts); a field that is not
        // read from it (a reference Stripe does not expand, one on another account) folds nothing.
        const info = field?.extensions?.stripeWire as WireFacts | undefined;
        if (!info || !field || !node.selectionSet) continue;
        const next = [...path, info.wire];
        if (next.length > MAX_EXPAND_DEPTH) continue;
        const fieldType = getNamedType(field.type);
        if (info.fold === 'list') {
          // A connection served by an inline list: folded when its embedded page answers the
          // arguments; its items are at `wire.data` (a plain array's at `wire`), and what they
          // select folds below them.
          if (!isObjectType(fieldType) || !inlinePageAnswers(argumentsOf(field, node, input))) continue;
          if (info.optIn) out.add(next.join('.'));
          const items = itemSelections({ ...input, fieldNodes: [node] }, fieldType);
          const nodeField = fieldType.getFields().nodes;
          const itemsPath = info.array ? next : [...next, 'data'];
          if (!nodeField || itemsPath.length > MAX_EXPAND_DEPTH) continue;
          const itemTypes = possibleTypes(input.schema, getNamedType(nodeField.type));
          walkAll(items, itemTypes, itemsPath, input, out);
          continue;
        }
        if (info.fold === 'reference' || info.optIn) out.add(next.join('.'));
        walkAll([node.selectionSet], possibleTypes(input.schema, fieldType), next, input, out);
      }
    }
  }
}

function argumentsOf(
  field: ReturnType<GraphQLObjectType['getFields']>[string],
  node: FieldNode,
  input: ExpandPlanInput,
): Record<string, unknown> {
  if (!node.arguments || node.arguments.length === 0) return {};
  try {
    return getArgumentValues(field, node, input.variables ?? {});
  } catch {
    // Invalid arguments fail the field before it resolves: nothing to fold.
    return { after: 'invalid' };
  }
}

/**
 * Walks into a field whose value may be any of `types`. Stripe refuses an expand path that is not
 * valid for the object it meets, so under a union only the paths valid for every member are kept;
 * the others are left to the loaders.
 */
function walkAll(
  selectionSets: readonly SelectionSetNode[],
  types: readonly GraphQLObjectType[],
  path: readonly string[],
  input: ExpandPlanInput,
  out: Set<string>,
): void {
  if (types.length <= 1) {
    walk(selectionSets, types, path, input, out);
    return;
  }
  let common: Set<string> | undefined;
  for (const type of types) {
    const own = new Set<string>();
    walk(selectionSets, [type], path, input, own);
    common = common ? new Set([...common].filter((p) => own.has(p))) : own;
  }
  for (const p of common ?? []) out.add(p);
}

/** The selection sets under a connection that select its items (`edges { node }` and `nodes`). */
function itemSelections(input: ExpandPlanInput, connectionType: GraphQLObjectType): SelectionSetNode[] {
  const sets: SelectionSetNode[] = [];
  for (const fieldNode of input.fieldNodes) {
    if (!fieldNode.selectionSet) continue;
    for (const node of fieldsFor(fieldNode.selectionSet, connectionType, input)) {
      if (node.name.value === 'nodes' && node.selectionSet) sets.push(node.selectionSet);
      if (node.name.value === 'edges' && node.selectionSet) {
        const edgeType = getNamedType(connectionType.getFields().edges!.type) as GraphQLObjectType;
        for (const edgeField of fieldsFor(node.selectionSet, edgeType, input)) {
          if (edgeField.name.value === 'node' && edgeField.selectionSet) sets.push(edgeField.selectionSet);
        }
      }
    }
  }
  return sets;
}

/** The `expand[]` paths for what the query selects under the fetched object (or list). */
export function planExpand(input: ExpandPlanInput): string[] {
  const out = new Set<string>();
  if (input.connection) {
    if (!isObjectType(input.type)) return [];
    const nodeField = input.type.getFields().nodes;
    if (!nodeField) return [];
    const itemTypes = possibleTypes(input.schema, getNamedType(nodeField.type));
    walkAll(itemSelections(input, input.type), itemTypes, ['data'], input, out);
  } else {
    const sets = input.fieldNodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
    walkAll(sets, possibleTypes(input.schema, input.type), [], input, out);
  }
  return [...out].sort();
}
