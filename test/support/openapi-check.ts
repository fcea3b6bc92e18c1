import { SCHEMAS } from './sp-config-schemas.ts';

/** A named response shape from the sp-config spec (see sp-config-schemas.ts). */
export function schema(name: keyof typeof SCHEMAS & string): unknown {
  return SCHEMAS[name];
}

/**
 * Checks a value against the subset of JSON Schema the spec uses ($ref by name, type, properties,
 * required, enum, items, additionalProperties, nullable) and returns one line per mismatch.
 */
export function schemaProblems(value: unknown, shape: any, at = '$'): string[] {
  if (shape.$ref) return schemaProblems(value, SCHEMAS[shape.$ref], at);
  if (value === null) return shape.nullable ? [] : [`${at}: null is not allowed`];
  const problems: string[] = [];
  const type = Array.isArray(value) ? 'array' : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
  if (shape.type && !(shape.type === type || (shape.type === 'number' && type === 'integer')))
    return [`${at}: expected ${shape.type}, got ${type}`];
  if (shape.enum && !shape.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${shape.enum.join(', ')}`);
  if (type === 'object') {
    const record = value as Record<string, unknown>;
    for (const name of shape.required ?? []) if (!(name in record)) problems.push(`${at}.${name}: required`);
    for (const [name, child] of Object.entries(shape.properties ?? {})) {
      if (name in record) problems.push(...schemaProblems(record[name], child, `${at}.${name}`));
    }
    if (shape.additionalProperties && typeof shape.additionalProperties === 'object') {
      for (const [name, child] of Object.entries(record)) {
        if (!(name in (shape.properties ?? {}))) problems.push(...schemaProblems(child, shape.additionalProperties, `${at}.${name}`));
      }
    }
  }
  if (type === 'array' && shape.items) {
    for (const [i, item] of (value as unknown[]).entries()) problems.push(...schemaProblems(item, shape.items, `${at}[${i}]`));
  }
  return problems;
}
