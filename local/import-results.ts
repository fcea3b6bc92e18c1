import { Readable } from 'node:stream';

/** Import results documents shaped like ISC's (SpConfigImportResults), for the double and the demo. */

export interface ResultsMessage {
  readonly key: string | null;
  readonly text: string;
  readonly detail?: unknown;
}

export interface TypeResults {
  readonly infos?: readonly ResultsMessage[];
  readonly warnings?: readonly ResultsMessage[];
  readonly errors?: readonly ResultsMessage[];
  readonly importedObjects?: readonly { readonly type: string; readonly id: string; readonly name: string }[];
}

export interface ResultsOptions {
  readonly exportJobId?: string;
  /** Real payloads say `detail`; the spec says `details`. */
  readonly detailField?: 'detail' | 'details';
  /** The spec's generated example nests `results` twice. */
  readonly nestTwice?: boolean;
}

/** Serialised the way ISC sends it: compact JSON, `key` often null, `detail` usually null. */
export function importResultsDocument(results: Readonly<Record<string, TypeResults>>, options: ResultsOptions = {}): string {
  const field = options.detailField ?? 'detail';
  const message = (m: ResultsMessage) => ({ key: m.key, text: m.text, [field]: m.detail ?? null });
  const byType = Object.fromEntries(
    Object.entries(results).map(([type, r]) => [
      type,
      {
        infos: (r.infos ?? []).map(message),
        warnings: (r.warnings ?? []).map(message),
        errors: (r.errors ?? []).map(message),
        importedObjects: r.importedObjects ?? [],
      },
    ]),
  );
  return JSON.stringify({
    results: options.nestTwice ? { results: byType } : byType,
    ...(options.exportJobId ? { exportJobId: options.exportJobId } : {}),
  });
}

/** A successful import of a few objects of the common types. */
export function completeResults(exportJobId?: string): string {
  return importResultsDocument(
    {
      SOURCE: {
        infos: [{ key: 'IMPORT_PREVIEW', text: 'Object to be imported: [2c9180835d2e5168015d32f890ca1581, Active Directory]' }],
        importedObjects: [{ type: 'SOURCE', id: '2c9180835d2e5168015d32f890ca1581', name: 'Active Directory' }],
      },
      TRANSFORM: {
        infos: [{ key: null, text: 'Transform imported: [b8d4c2e1-3a5f-4f2e-9d1c-7e6a5b4c3d2e, Lowercase Email]' }],
        importedObjects: [{ type: 'TRANSFORM', id: 'b8d4c2e1-3a5f-4f2e-9d1c-7e6a5b4c3d2e', name: 'Lowercase Email' }],
      },
      RULE: {
        infos: [{ key: null, text: 'Rule imported: [0f3e5d7c9b1a2c4e6f8a0b2d4f6e8c1a, Build Account Map]' }],
        warnings: [
          {
            key: 'RULE_SIGNATURE',
            text: 'Rule signature was re-applied for this tenant.',
            detail: { ruleId: '0f3e5d7c9b1a2c4e6f8a0b2d4f6e8c1a' },
          },
        ],
        importedObjects: [{ type: 'RULE', id: '0f3e5d7c9b1a2c4e6f8a0b2d4f6e8c1a', name: 'Build Account Map' }],
      },
      TRIGGER_SUBSCRIPTION: {
        infos: [
          { key: 'IMPORT_PREVIEW', text: 'Object to be imported: [c953134c-2224-42f2-a84e-fa5cbb395904, Test 2]' },
          { key: 'IMPORT_PREVIEW', text: 'Object to be imported: [be9e116d-08e1-49fc-ab7f-fa585e96c9e4, Test 1]' },
        ],
        importedObjects: [
          { type: 'TRIGGER_SUBSCRIPTION', id: 'c953134c-2224-42f2-a84e-fa5cbb395904', name: 'Test 2' },
          { type: 'TRIGGER_SUBSCRIPTION', id: 'be9e116d-08e1-49fc-ab7f-fa585e96c9e4', name: 'Test 1' },
        ],
      },
    },
    exportJobId ? { exportJobId } : {},
  );
}

/** An import ISC halted: errors per object, nothing imported of the failing types. */
export function failedResults(exportJobId?: string): string {
  return importResultsDocument(
    {
      IDENTITY_PROFILE: {
        errors: [
          {
            key: 'REFERENCE_NOT_FOUND',
            text: 'Unable to resolve reference [SOURCE, Workday HR] for object [Employees].',
            detail: { objectType: 'IDENTITY_PROFILE', objectName: 'Employees', missing: { type: 'SOURCE', name: 'Workday HR' } },
          },
        ],
      },
      TRANSFORM: {
        errors: [{ key: null, text: 'Transform [Title Case Department] failed validation: attribute "input" is required.' }],
        warnings: [{ key: null, text: 'Transform [Legacy Mapper] uses a deprecated operation.' }],
      },
      SOURCE: {
        infos: [{ key: 'IMPORT_PREVIEW', text: 'Object to be imported: [2c9180835d2e5168015d32f890ca1581, Active Directory]' }],
        importedObjects: [{ type: 'SOURCE', id: '2c9180835d2e5168015d32f890ca1581', name: 'Active Directory' }],
      },
    },
    exportJobId ? { exportJobId } : {},
  );
}

/**
 * A large FAILED import's results, generated as a stream of about `bytes` bytes: many object types,
 * each with errors, warnings, infos and imported objects. Deterministic, never held whole in memory.
 */
export function largeResultsStream(bytes: number): Readable {
  const types = ['SOURCE', 'TRANSFORM', 'RULE', 'IDENTITY_PROFILE', 'CONNECTOR_RULE', 'TRIGGER_SUBSCRIPTION'];
  const perList = Math.max(1, Math.ceil(bytes / types.length / 4 / 134));
  const message = (kind: string, type: string, i: number) =>
    JSON.stringify({
      key: i % 3 ? null : 'REFERENCE_NOT_FOUND',
      text: `${kind} ${i} for ${type}: unable to resolve reference [SOURCE, Workday HR ${i}] for object [Object ${i}]`,
      detail: null,
    });
  const object = (type: string, t: number, i: number) =>
    JSON.stringify({ type, id: `${t}${i}`.padStart(32, '0'), name: `${type} object ${i}` });
  function* list(name: string, item: (i: number) => string): Generator<Buffer> {
    yield Buffer.from(`"${name}":[`);
    for (let i = 0; i < perList; i += 500) {
      const end = Math.min(perList, i + 500);
      yield Buffer.from((i ? ',' : '') + Array.from({ length: end - i }, (_, k) => item(i + k)).join(','));
    }
    yield Buffer.from(']');
  }
  function* chunks(): Generator<Buffer> {
    yield Buffer.from('{"results":{');
    for (const [t, type] of types.entries()) {
      yield Buffer.from(`${t ? ',' : ''}"${type}":{`);
      for (const kind of ['infos', 'warnings', 'errors']) {
        yield* list(kind, (i) => message(kind, type, i));
        yield Buffer.from(',');
      }
      yield* list('importedObjects', (i) => object(type, t, i));
      yield Buffer.from('}');
    }
    yield Buffer.from('}}');
  }
  return Readable.from(chunks(), { objectMode: false });
}
