import { Readable } from 'node:stream';
import type { ConfigEntry, Selection } from './isc/config-entry.ts';

/** What an export document says about itself, besides its objects. */
export interface ExportHeader {
  readonly tenant: string;
  readonly description: string | null;
  readonly options: Selection;
  readonly timestamp: string;
}

/**
 * An export document as ISC's download serves it (SpConfigExportResults): compact JSON, entries as
 * stored (RULE entries keep their jwsHeader and jwsSignature untouched).
 */
export function exportDocument(entries: readonly ConfigEntry[], header: ExportHeader): string {
  return JSON.stringify({
    version: 1,
    timestamp: header.timestamp,
    tenant: header.tenant,
    description: header.description,
    options: {
      excludeTypes: header.options.excludeTypes ?? [],
      includeTypes: header.options.includeTypes ?? [],
      objectOptions: header.options.objectOptions ?? {},
    },
    objects: entries,
  });
}

/**
 * A pre-import backup as ISC's export download serves it (SpConfigExportResults), generated as a
 * stream of about `bytes` bytes so a 200 MB document never sits in memory. Deterministic: the same
 * arguments give the same bytes. `tail` entries end the document (after about `bytes` of generated
 * ones): the objects a benchmark's import touched, placed where a streaming reader finds them last.
 */
export function exportDocumentStream(options: {
  bytes: number;
  tenant: string;
  exportJobId: string;
  tail?: readonly ConfigEntry[];
}): Readable {
  const head = JSON.stringify({
    version: 1,
    timestamp: '2026-11-20T09:14:03Z',
    tenant: options.tenant,
    description: `Pre-import backup ${options.exportJobId}`,
    options: { excludeTypes: [], includeTypes: ['RULE', 'SOURCE', 'TRANSFORM', 'IDENTITY_PROFILE'], objectOptions: {} },
  }).slice(0, -1);
  function* chunks(): Generator<Buffer> {
    let pending = `${head},"objects":[`;
    let size = pending.length;
    for (let i = 0; size < options.bytes || i === 0; i++) {
      const item = (i === 0 ? '' : ',') + JSON.stringify(generatedEntry(i));
      pending += item;
      size += item.length;
      if (pending.length >= 64 * 1024) {
        yield Buffer.from(pending);
        pending = '';
      }
    }
    for (const entry of options.tail ?? []) pending += `,${JSON.stringify(entry)}`;
    yield Buffer.from(`${pending}]}`);
  }
  return Readable.from(chunks(), { objectMode: false });
}

const TYPES = ['RULE', 'SOURCE', 'TRANSFORM', 'IDENTITY_PROFILE'] as const;

/** The i-th object of a generated tenant: deterministic, of the common types, RULEs signed. */
export function generatedEntry(i: number): ConfigEntry {
  const type = TYPES[i % TYPES.length]!;
  const id = `${(0x10000000 + i).toString(16)}-7c1a-4b2e-9f3d-${(0x100000000000 + i * 7919).toString(16).slice(-12)}`;
  const name = `${type === 'RULE' ? 'Rule' : type === 'SOURCE' ? 'Source' : type === 'TRANSFORM' ? 'Transform' : 'Profile'} ${i}`;
  const object =
    type === 'RULE'
      ? { id, name, type: 'BuildMap', sourceCode: { version: '1.0', script: `return "value-${i}";` } }
      : type === 'SOURCE'
        ? {
            id,
            name,
            connector: 'active-directory',
            description: `Source number ${i}`,
            owner: { type: 'IDENTITY', id: 'c9e1a4', name: 'owner' },
          }
        : type === 'TRANSFORM'
          ? { id, name, type: 'lower', attributes: { input: { type: 'accountAttribute', attributes: { attributeName: 'mail' } } } }
          : { id, name, priority: i % 100, authoritativeSource: { type: 'SOURCE', id: 'a1b2c3', name: 'HR' } };
  const entry: ConfigEntry = { version: 1, self: { type, id, name }, object };
  if (type === 'RULE') return { ...entry, jwsHeader: 'eyJhbGciOiJFUzI1NiJ9', jwsSignature: `sig${i.toString(36)}AbC-_xYz0123456789` };
  return entry;
}
