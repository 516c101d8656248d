/** Shared by the model's builders: the error that names where the spec surprised us, and helpers. */

/** A node of the OpenAPI document, read as it comes (the builders check what they use). */
export type SpecNode = any;

export class SpecError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'SpecError';
  }
}

export interface Descriptions {
  /** `Type` or `Type.field` (GraphQL names) → description */
  [key: string]: string;
}

/** The model's type for an integer, number or boolean schema (a `unix-time` integer is a time). */
export function primitiveOf(schema: SpecNode): { k: 'time' | 'int' | 'float' | 'bool' } | undefined {
  switch (schema.type) {
    case 'integer':
      return schema.format === 'unix-time' ? { k: 'time' } : { k: 'int' };
    case 'number':
      return { k: 'float' };
    case 'boolean':
      return { k: 'bool' };
    default:
      return undefined;
  }
}

export const sorted = <T>(record: Record<string, T>): [string, T][] =>
  Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
