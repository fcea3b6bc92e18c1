import { IMPORTABLE_TYPES, SP_CONFIG_OBJECT_TYPES } from '../../lambda/contract/constants.ts';

/** Every object type sp-config knows (the spec's enum, from the contract's constants). */
export const OBJECT_TYPES = SP_CONFIG_OBJECT_TYPES;

export interface ConfigSelf {
  readonly type: string;
  readonly id: string;
  readonly name: string;
}

/** One entry of an export document's `objects`; RULE entries also carry the JWS fields. */
export interface ConfigEntry {
  readonly version: number;
  readonly self: ConfigSelf;
  readonly object: Record<string, unknown>;
  readonly jwsHeader?: string;
  readonly jwsSignature?: string;
}

export function isImportable(type: string): boolean {
  return (IMPORTABLE_TYPES as readonly string[]).includes(type);
}

export function isObjectType(type: string): boolean {
  return (OBJECT_TYPES as readonly string[]).includes(type);
}

/** What an export or import keeps: ExportOptions / ImportOptions without the import-only fields. */
export interface Selection {
  readonly includeTypes?: readonly string[] | null;
  readonly excludeTypes?: readonly string[] | null;
  readonly objectOptions?: Readonly<
    Record<string, { readonly includedIds?: readonly string[] | null; readonly includedNames?: readonly string[] | null } | null>
  > | null;
}

/**
 * Whether a selection keeps an object. includeTypes wins over excludeTypes (the spec says it takes
 * precedence); objectOptions narrow a type to the listed ids or names, and empty lists narrow nothing.
 */
export function selects(selection: Selection, self: ConfigSelf): boolean {
  const include = selection.includeTypes ?? [];
  const typeKept = include.length > 0 ? include.includes(self.type) : !(selection.excludeTypes ?? []).includes(self.type);
  if (!typeKept) return false;
  const narrow = selection.objectOptions?.[self.type];
  const ids = narrow?.includedIds ?? [];
  const names = narrow?.includedNames ?? [];
  if (ids.length === 0 && names.length === 0) return true;
  return ids.includes(self.id) || names.includes(self.name);
}

/** The entry's own problem as an export document item, or undefined when it is one. */
export function entryProblem(value: unknown, at: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${at}: expected an object`;
  const entry = value as Record<string, unknown>;
  const self = entry.self as Record<string, unknown> | undefined;
  if (typeof self !== 'object' || self === null) return `${at}.self: required`;
  for (const field of ['type', 'id', 'name']) if (typeof self[field] !== 'string') return `${at}.self.${field}: expected a string`;
  if (typeof entry.object !== 'object' || entry.object === null || Array.isArray(entry.object)) return `${at}.object: expected an object`;
  return undefined;
}
