import { readFileSync } from 'node:fs';

/** The official sp-config spec extract the double must follow. */
export const SPEC = JSON.parse(readFileSync('../shared/reference/openapi/sp-config-beta.json', 'utf8')) as Record<string, any>;

/** The schema of a response in the spec, e.g. ('/sp-config/import/{id}', '200'). */
export function responseSchema(path: string, status: string): unknown {
  let response = SPEC.paths[path].get.responses[status];
  if (response.$ref) response = resolve(response.$ref);
  return response.content['application/json'].schema;
}

function resolve(ref: string): any {
  return ref.replace(/^#\//, '').split('/').reduce((node: any, key) => node[key], SPEC);
}

/**
 * Checks a value against the subset of JSON Schema the spec uses ($ref, allOf, type, properties,
 * required, enum, items, nullable) and returns what does not match, one line per problem.
 */
export function schemaProblems(value: unknown, schema: any, at = '$'): string[] {
  if (schema.$ref) return schemaProblems(value, resolve(schema.$ref), at);
  if (schema.allOf) return schema.allOf.flatMap((part: unknown) => schemaProblems(value, part, at));
  if (value === null) return schema.nullable ? [] : [`${at}: null is not allowed`];
  const problems: string[] = [];
  const type = Array.isArray(value) ? 'array' : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
  if (schema.type && !(schema.type === type || (schema.type === 'number' && type === 'integer'))) return [`${at}: expected ${schema.type}, got ${type}`];
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  if (type === 'object') {
    const record = value as Record<string, unknown>;
    for (const name of schema.required ?? []) if (!(name in record)) problems.push(`${at}.${name}: required`);
    for (const [name, child] of Object.entries(schema.properties ?? {})) {
      if (name in record) problems.push(...schemaProblems(record[name], child, `${at}.${name}`));
    }
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      for (const [name, child] of Object.entries(record)) {
        if (!(name in (schema.properties ?? {}))) problems.push(...schemaProblems(child, schema.additionalProperties, `${at}.${name}`));
      }
    }
  }
  if (type === 'array' && schema.items) (value as unknown[]).forEach((item, i) => problems.push(...schemaProblems(item, schema.items, `${at}[${i}]`)));
  return problems;
}
