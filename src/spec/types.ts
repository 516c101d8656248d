/**
 * The model: what the generator distils from Stripe's OpenAPI spec and what everything else
 * (schema, emulator, loaders, tests) interprets. Compact on purpose: no descriptions (they live in a
 * separate generated file loaded only when the runtime schema wants them).
 */

/** An output (response) type reference. */
export type OutType =
  /** `id`: holds a Stripe object's id (`charge.payment_method`): GraphQL `ID` */
  | { k: 'string'; id?: true }
  | { k: 'int' }
  | { k: 'float' }
  | { k: 'bool' }
  | { k: 'time' }
  | { k: 'json' }
  /** a named enum (see Model.enums) */
  | { k: 'enum'; name: string }
  /** a single-value string enum such as `object: "customer"`; exposed as String */
  | { k: 'const'; value: string }
  /** a named object schema: a resource or a sub-object (see Model.objects) */
  | { k: 'object'; name: string }
  /** a named union of object schemas (see Model.unions) */
  | { k: 'union'; name: string }
  | { k: 'array'; of: OutType }
  /**
   * An expandable reference: an id string on the wire, or the object itself once expanded.
   * `to` is an object or union reference for the expanded form.
   */
  | { k: 'ref'; to: OutType & { k: 'object' | 'union' } };

export interface OutProp {
  /** wire name, snake_case */
  name: string;
  type: OutType;
  /** the spec says `nullable` (an optional property may also be absent: see `required`) */
  nullable: boolean;
  /** listed in the schema's `required` */
  required: boolean;
  /**
   * GraphQL reads the field as nullable though Stripe always sends it, so that the members of a
   * union agree on it (src/spec/unions.ts). The wire shape is unchanged.
   */
  optionalInUnion?: true;
  /** listed in the schema's `x-expandableFields` */
  expandable: boolean;
  /** Stripe sends it only when a request names it in `expand[]` (see `INCLUDABLE`, src/spec/stripe.ts) */
  includable?: true;
  /** the GraphQL field name, where the naming table renames the property */
  gql?: string;
  /** a relation edge serves this inline list: the property is read through that field */
  relation?: string;
}

export interface ObjectSchema {
  /** component name, or `parent.field` path for an inline object */
  name: string;
  /** GraphQL type name */
  gql: string;
  /** x-resourceId, for resources */
  resource?: string;
  /** for `deleted_x` resources: the live resource's schema name */
  deletedOf?: string;
  /** the value of the single-valued `object` property, where there is one */
  object?: string;
  /** true for inline schemas (not a component) */
  inline: boolean;
  props: OutProp[];
  /** from a preview API the pinned spec lacks (src/spec/overlay.ts): `x-stripePreview` */
  preview?: true;
}

export interface EnumSchema {
  name: string;
  gql: string;
  /** wire values in spec order */
  values: string[];
  /** GraphQL value names, parallel to `values` */
  gqlValues: string[];
  /** `x-stripeBypassValidation`: the API may send values not listed */
  open: boolean;
  /**
   * Values only a list filter takes (`all`, `ended` for a subscription's status), joined to the enum
   * of the field it filters (src/spec/inputs.ts); Stripe never sends them.
   */
  filterValues?: string[];
  /** GraphQL value names, parallel to `filterValues` */
  filterGqlValues?: string[];
  /** from a preview API the pinned spec lacks (src/spec/overlay.ts): `x-stripePreview` */
  preview?: true;
}

export interface UnionSchema {
  name: string;
  gql: string;
  /** member object schema names (flattened: a union never contains a union) */
  members: string[];
  /** from a preview API the pinned spec lacks (src/spec/overlay.ts): `x-stripePreview` */
  preview?: true;
}

/**
 * An input (request parameter) type: the structure is the spec's, per operation; the naming pass
 * (src/spec/inputs.ts) annotates it with what the schema exposes: the GraphQL names of input objects
 * and enums (`gql`), the output enum an enumerated parameter shares (`enum`), an id (`id`), and a
 * string parameter that writes an integer or enumerated property (`as`, `enum`).
 */
export type InType =
  | {
      k: 'string';
      maxLength?: number;
      format?: string;
      /** holds a Stripe object's id: GraphQL `ID` */
      id?: true;
      /** typed as the number property it writes (`exp_month`): form encoding sends the digits */
      as?: 'int' | 'float';
      /** typed as the output enum (model name) of the property it writes */
      enum?: string;
    }
  /** `as`: typed as the time property it writes (`tax_date`): sent as unix seconds */
  | { k: 'int'; as?: 'time' }
  | { k: 'float' }
  | { k: 'bool' }
  | { k: 'time' }
  | { k: 'json' }
  | {
      k: 'enum';
      values: string[];
      /** the output enum (model name) this parameter shares: its values are a subset of that enum's */
      enum?: string;
      /** the GraphQL name of the parameter's own enum (absent with `enum`, or when values clash) */
      gql?: string;
    }
  | {
      k: 'object';
      props: InParam[];
      additional: boolean;
      /** the GraphQL input object's name */
      gql?: string;
    }
  | { k: 'array'; of: InType }
  | {
      k: 'anyOf';
      of: InType[];
      /** the GraphQL name of the `@oneOf` input, when more than one alternative is left */
      gql?: string;
      /** the name of the input merging several object alternatives (the `details` field) */
      details?: string;
      /**
       * The merged input's parameters that its objects type as different enums (a hash's kind,
       * `object`: `bank_account` in one, `card` in another): one enum of all their values, by name
       */
      merged?: Record<string, InType>;
    };

export interface InParam {
  name: string;
  required: boolean;
  type: InType;
  /** Stripe's description, until the naming pass moves it to the descriptions (not in the model) */
  description?: string;
}

export type OperationKind = 'retrieve' | 'list' | 'search' | 'create' | 'update' | 'delete' | 'action';

/** A path parameter that names an ancestor of what an operation addresses. */
export interface PathParent {
  /** the path parameter */
  param: string;
  /** the resource (or polymorphic resource) it names; absent when the paths do not say */
  resource?: string;
}

export interface Operation {
  /** operationId */
  id: string;
  method: 'get' | 'post' | 'delete';
  /** path template, e.g. /v1/customers/{customer}/sources/{id} */
  path: string;
  kind: OperationKind;
  /** the resource (object schema name) this operation is about */
  resource?: string;
  /** the template's parameters, in path order */
  pathParams: string[];
  /** query parameters (GET, DELETE), without expand */
  query: InParam[];
  /** form body parameters (POST), without expand */
  body: InParam[];
  /** the response type; for list and search, the item type */
  response: OutType;
  /** response is a list (`object: "list"`) or search result of `response` */
  paged?: 'list' | 'search';
  /** accepts expand[] */
  expand: boolean;
  /** the response media type when it is not JSON (e.g. application/pdf); the response is then binary */
  produces?: string;
  /** the body is multipart/form-data (file uploads) rather than form-encoded */
  multipart?: boolean;
  /**
   * The object is addressed by the path alone, not by an id in its last segment (`GET /v1/balance`,
   * `POST /v1/account`, `DELETE /v1/customers/{customer}/discount`). Retrieve, update and delete only.
   */
  singleton?: true;
  /**
   * Path parameters that name ancestors, outermost first: every parameter but the object's own id
   * (retrieve, update, delete), or all of them (list, create, an action that makes a new object).
   * An action on a subject has its subject's parents. Absent when the path has none.
   */
  parents?: PathParent[];
  /**
   * The object the operation addresses, as the id of the operation that retrieves it:
   * update and delete: the retrieve at the same path (`GET /v1/customers/{customer}/sources/{id}`);
   * action: the nearest enclosing retrieve of the same resource (`POST /v1/invoices/{invoice}/pay`),
   * with the verb (`pay`, `shipping/deliver`); an action without a subject makes a new object
   * (`POST /v1/accounts/{account}/login_links`); list: the path-addressed object whose inline list it
   * pages (`GET /v1/invoices/upcoming/lines`, verb `lines`).
   */
  subject?: { operation: string; verb?: string };
  /** from a preview API the pinned spec lacks (src/spec/overlay.ts): `x-stripePreview` */
  preview?: true;
}

export interface RelationEdge {
  /**
   * `nested`: a collection under the parent, GET /v1/<parents>/{p}/<children>;
   * `filter`: a top-level list filtered by a parameter that names the parent.
   */
  kind: 'nested' | 'filter';
  /** the parent resource (object schema name) */
  parent: string;
  /** the wire name of the collection (last path segment) */
  name: string;
  /** the GraphQL field on the parent type, settled at codegen (src/spec/relations.ts) */
  field: string;
  /** the list operation */
  operation: string;
  /** the path parameter (nested) or query parameter (filter) bound to the parent's id */
  param: string;
  /** the parent's property that embeds the first page of this list, when it has one */
  inline?: string;
}

export interface Model {
  apiVersion: string;
  objects: Record<string, ObjectSchema>;
  enums: Record<string, EnumSchema>;
  unions: Record<string, UnionSchema>;
  operations: Operation[];
  relations: RelationEdge[];
  /** polymorphic resources (x-resourceId on an anyOf), e.g. payment_source → union name */
  polymorphic: Record<string, string>;
}
