import { IMPORTABLE_TYPES } from '../../lambda/contract/constants.ts';
import { OBJECT_TYPES, type Selection } from './config-entry.ts';

/**
 * The request bodies of POST .../sp-config/export (ExportPayload) and the `options` part of
 * POST .../sp-config/import (ImportOptions), checked against the spec extract. The double is
 * stricter than the spec in one way: a property the spec does not name is refused, so a misspelt
 * option (which ISC might silently ignore, exporting everything) fails here, not in production.
 * `null` is taken for an absent optional field, as ISC's JSON binding does.
 */

export interface ExportPayload extends Selection {
  readonly description?: string | null;
}

/** A reference ISC may resolve against: the spec's schema says a type name, its own example an object. */
export type DefaultReference = string | { readonly type: string; readonly id?: string; readonly name?: string };

export interface ImportOptions extends Selection {
  readonly defaultReferences?: readonly DefaultReference[] | null;
  readonly excludeBackup?: boolean | null;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly string[] };

export function checkExportPayload(value: unknown): Checked<ExportPayload> {
  return check<ExportPayload>(value, OBJECT_TYPES, {
    description: (v, at) => (typeof v === 'string' ? [] : [`${at}: expected a string`]),
  });
}

export function checkImportOptions(value: unknown): Checked<ImportOptions> {
  return check<ImportOptions>(value, IMPORTABLE_TYPES, {
    excludeBackup: (v, at) => (typeof v === 'boolean' ? [] : [`${at}: expected a boolean`]),
    defaultReferences: (v, at) => arrayOf(v, at, (item, here) => referenceProblems(item, here)),
  });
}

type FieldCheck = (value: unknown, at: string) => string[];

function check<T>(value: unknown, types: readonly string[], extra: Record<string, FieldCheck>): Checked<T> {
  if (!isRecord(value)) return { ok: false, problems: ['$: expected a JSON object'] };
  const typeList: FieldCheck = (v, at) => arrayOf(v, at, (item, here) => oneOf(item, here, types));
  const fields: Record<string, FieldCheck> = {
    includeTypes: typeList,
    excludeTypes: typeList,
    objectOptions: (v, at) => objectOptionsProblems(v, at, types),
    ...extra,
  };
  const problems: string[] = [];
  for (const [name, field] of Object.entries(value)) {
    const rule = fields[name];
    if (!rule) problems.push(`$.${name}: not a property of this request`);
    else if (field !== null) problems.push(...rule(field, `$.${name}`));
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: value as T };
}

function objectOptionsProblems(value: unknown, at: string, types: readonly string[]): string[] {
  if (!isRecord(value)) return [`${at}: expected an object`];
  const problems: string[] = [];
  for (const [type, narrow] of Object.entries(value)) {
    const here = `${at}.${type}`;
    problems.push(...oneOf(type, `${at} key`, types));
    if (narrow === null) continue;
    if (!isRecord(narrow)) {
      problems.push(`${here}: expected an object`);
      continue;
    }
    for (const [name, list] of Object.entries(narrow)) {
      if (name !== 'includedIds' && name !== 'includedNames') problems.push(`${here}.${name}: not a property of ObjectExportImportOptions`);
      else if (list !== null)
        problems.push(...arrayOf(list, `${here}.${name}`, (item, i) => (typeof item === 'string' ? [] : [`${i}: expected a string`])));
    }
  }
  return problems;
}

function referenceProblems(value: unknown, at: string): string[] {
  if (typeof value === 'string') return oneOf(value, at, IMPORTABLE_TYPES);
  if (!isRecord(value)) return [`${at}: expected an object type or a {type, id, name} reference`];
  const problems = oneOf(value.type, `${at}.type`, IMPORTABLE_TYPES);
  for (const name of ['id', 'name'])
    if (value[name] !== undefined && typeof value[name] !== 'string') problems.push(`${at}.${name}: expected a string`);
  return problems;
}

function arrayOf(value: unknown, at: string, item: (value: unknown, at: string) => string[]): string[] {
  if (!Array.isArray(value)) return [`${at}: expected an array`];
  return value.flatMap((v, i) => item(v, `${at}[${i}]`));
}

function oneOf(value: unknown, at: string, allowed: readonly string[]): string[] {
  return typeof value === 'string' && allowed.includes(value)
    ? []
    : [`${at}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
