import type { ResultsMessage, TypeResults } from '../import-results.ts';
import { type ConfigEntry, isImportable, selects } from './config-entry.ts';
import type { ImportOptions } from './payload-check.ts';
import type { TenantState } from './tenant-state.ts';

/** An object the double is told to refuse on import, by type and id or name (to make imports fail). */
export interface ImportRejection {
  readonly type: string;
  readonly id?: string;
  readonly name?: string;
  readonly text?: string;
}

export interface ImportPlan {
  /** Per type, as the results document lists it. */
  readonly results: Record<string, TypeResults>;
  /** The entries to store, already matched to the tenant's own objects. Empty for a preview. */
  readonly upserts: readonly ConfigEntry[];
  readonly failed: boolean;
}

const STAMPS = new Set(['created', 'modified']);

/**
 * What an import of `objects` does to the tenant, without doing it. Per selected object, in the
 * document's order: an IMPORT_PREVIEW info ("Object to be imported: [id, name]"); for an apply, an
 * importedObjects entry and the upsert. ISC matches an object to the tenant's by id, then by name
 * (objects exported from another tenant carry that tenant's ids), and keeps the tenant's id.
 * Types import does not support are skipped with a warning each; a rejected object gets an error
 * and makes the job FAILED, while the others are still imported (ISC can half-apply an import).
 */
export function planImport(
  state: TenantState,
  objects: readonly ConfigEntry[],
  options: ImportOptions,
  preview: boolean,
  rejections: readonly ImportRejection[],
  now: string,
): ImportPlan {
  const results: Record<
    string,
    {
      infos: ResultsMessage[];
      warnings: ResultsMessage[];
      errors: ResultsMessage[];
      importedObjects: { type: string; id: string; name: string }[];
    }
  > = {};
  const upserts: ConfigEntry[] = [];
  let failed = false;
  for (const entry of objects) {
    const { type, id, name } = entry.self;
    if (!selects(options, entry.self)) continue;
    results[type] ??= { infos: [], warnings: [], errors: [], importedObjects: [] };
    const bucket = results[type];
    if (!isImportable(type)) {
      bucket.warnings.push({
        key: 'UNSUPPORTED_TYPE',
        text: `Objects of type [${type}] cannot be imported; skipped [${id}, ${name}].`,
        detail: null,
      });
      continue;
    }
    const rejection = rejections.find((r) => r.type === type && (r.id === id || r.name === name));
    if (rejection) {
      failed = true;
      bucket.errors.push({
        key: 'IMPORT_ERROR',
        text: rejection.text ?? `Unable to import object [${id}, ${name}].`,
        detail: { objectType: type, objectId: id, objectName: name },
      });
      continue;
    }
    bucket.infos.push({ key: 'IMPORT_PREVIEW', text: `Object to be imported: [${id}, ${name}]`, detail: null });
    if (preview) continue;
    const existing = state.get(type, id) ?? state.findByName(type, name);
    const stored = merge(existing, entry, now);
    upserts.push(stored);
    bucket.importedObjects.push({ type, id: stored.self.id, name: stored.self.name });
  }
  return { results, upserts, failed };
}

/**
 * The entry as the tenant stores it: under the tenant's id when the object exists. An object whose
 * content did not change keeps its stored stamps; a changed one keeps `created` and gets a new
 * `modified` (where the object has these stamps), as a tenant's save would.
 */
function merge(existing: ConfigEntry | undefined, incoming: ConfigEntry, now: string): ConfigEntry {
  const id = existing?.self.id ?? incoming.self.id;
  const object: Record<string, unknown> = { ...incoming.object };
  if ('id' in object) object.id = id;
  if (existing && sameContent(existing.object, object)) return { ...incoming, self: { ...incoming.self, id }, object: existing.object };
  if (existing && 'created' in existing.object && 'created' in object) object.created = existing.object.created;
  if ('modified' in object) object.modified = now;
  if (!existing && 'created' in object) object.created = now;
  return { ...incoming, self: { ...incoming.self, id }, object };
}

function sameContent(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = (o: Record<string, unknown>) =>
    Object.keys(o)
      .filter((k) => !STAMPS.has(k))
      .sort();
  const [ka, kb] = [keys(a), keys(b)];
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && deepEqual(a[k], b[k]));
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const [ra, rb] = [a as Record<string, unknown>, b as Record<string, unknown>];
  const [ka, kb] = [Object.keys(ra), Object.keys(rb)];
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(rb, k) && deepEqual(ra[k], rb[k]));
}
