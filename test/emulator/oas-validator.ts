/**
 * A small validator for response bodies against Stripe's OpenAPI schemas: `$ref`, `anyOf`,
 * `nullable`, `enum` (open enums marked `x-stripeBypassValidation` accept any string), `type`,
 * `required`, `properties`, `items`, `additionalProperties`.
 */
import { loadSpec } from '../../src/spec/source.ts';

export type Schema = any;

/** The spec document the product is built from: Stripe's, with the preview overlay merged in. */
export function loadRawSpec(): Schema {
  return loadSpec().spec;
}

export class OasValidator {
  private readonly components: Record<string, Schema>;
  /** also report properties the schema does not declare (the spec itself allows them) */
  private readonly strict: boolean;

  constructor(spec: Schema, options: { strict?: boolean } = {}) {
    this.components = spec.components.schemas;
    this.strict = options.strict ?? false;
  }

  /** The 200 JSON response schema of `method path`. */
  static responseSchema(spec: Schema, method: string, path: string): Schema | undefined {
    return spec.paths?.[path]?.[method]?.responses?.['200']?.content?.['application/json']?.schema;
  }

  /** Errors as `path: message`; empty when valid. */
  validate(schema: Schema, value: unknown, at = '$', errors: string[] = []): string[] {
    if (errors.length > 20) return errors;
    if (schema.$ref) return this.validate(this.resolve(schema.$ref), value, at, errors);
    if (value === null) {
      if (!schema.nullable) errors.push(`${at}: null but not nullable`);
      return errors;
    }
    if (schema.anyOf) {
      const attempts = (schema.anyOf as Schema[]).map((alternative) =>
        this.validate(alternative, value, at, []),
      );
      if (!attempts.some((a) => a.length === 0)) {
        const best = attempts.reduce((a, b) => (a.length <= b.length ? a : b));
        errors.push(`${at}: matches no anyOf alternative (closest: ${best.slice(0, 3).join('; ')})`);
      }
      return errors;
    }
    switch (schema.type) {
      case 'string':
        if (typeof value !== 'string') errors.push(`${at}: expected string, got ${JSON.stringify(value)}`);
        else if (
          Array.isArray(schema.enum) &&
          !schema['x-stripeBypassValidation'] &&
          !schema.enum.includes(value)
        ) {
          errors.push(`${at}: ${JSON.stringify(value)} not in enum ${JSON.stringify(schema.enum)}`);
        }
        return errors;
      case 'integer':
        if (!Number.isInteger(value)) errors.push(`${at}: expected integer, got ${JSON.stringify(value)}`);
        return errors;
      case 'number':
        if (typeof value !== 'number') errors.push(`${at}: expected number, got ${JSON.stringify(value)}`);
        return errors;
      case 'boolean':
        if (typeof value !== 'boolean') errors.push(`${at}: expected boolean, got ${JSON.stringify(value)}`);
        else if (Array.isArray(schema.enum) && !schema.enum.includes(value))
          errors.push(`${at}: ${value} not in enum`);
        return errors;
      case 'array':
        if (!Array.isArray(value))
          errors.push(`${at}: expected array, got ${JSON.stringify(value)?.slice(0, 60)}`);
        else {
          value.forEach((item, i) => {
            this.validate(schema.items ?? {}, item, `${at}[${i}]`, errors);
          });
        }
        return errors;
      case 'object':
      case undefined:
        if (schema.type === undefined && !schema.properties) return errors;
        if (typeof value !== 'object' || Array.isArray(value)) {
          errors.push(`${at}: expected object, got ${JSON.stringify(value)?.slice(0, 60)}`);
          return errors;
        }
        return this.validateObject(schema, value as Record<string, unknown>, at, errors);
      default:
        errors.push(`${at}: unknown schema type ${schema.type}`);
        return errors;
    }
  }

  private validateObject(
    schema: Schema,
    value: Record<string, unknown>,
    at: string,
    errors: string[],
  ): string[] {
    const properties: Record<string, Schema> = schema.properties ?? {};
    for (const name of schema.required ?? []) {
      if (!(name in value)) errors.push(`${at}.${name}: required but missing`);
    }
    for (const [name, item] of Object.entries(value)) {
      const property = properties[name];
      if (property) this.validate(property, item, `${at}.${name}`, errors);
      else if (
        schema.additionalProperties === false ||
        (this.strict && !schema.additionalProperties && Object.keys(properties).length > 0)
      ) {
        errors.push(`${at}.${name}: not in the schema`);
      } else if (typeof schema.additionalProperties === 'object')
        this.validate(schema.additionalProperties, item, `${at}.${name}`, errors);
    }
    return errors;
  }

  private resolve(ref: string): Schema {
    const name = ref.replace('#/components/schemas/', '');
    const schema = this.components[name];
    if (!schema) throw new Error(`unknown $ref ${ref}`);
    return schema;
  }
}
