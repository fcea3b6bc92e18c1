// Export entries shaped like ISC's (SpConfigExportResults), for the changes tests.

export const TRANSFORM_ID = '2c91808b7c3f4e2a017c4f1e2d3a0001';
export const SOURCE_ID = '2c91808b7c3f4e2a017c4f1e2d3a0002';
export const RULE_ID = '2c91808b7c3f4e2a017c4f1e2d3a0003';

export function transform(attributeName: string, modified = '2026-11-20T09:00:00.000Z'): Record<string, unknown> {
  return {
    id: TRANSFORM_ID,
    name: 'Department Lowercase',
    type: 'lower',
    attributes: { input: { type: 'accountAttribute', attributes: { sourceName: 'Workday', attributeName } } },
    internal: false,
    created: '2025-03-02T10:11:12.000Z',
    modified,
  };
}

export function source(): Record<string, unknown> {
  return {
    id: SOURCE_ID,
    name: 'Active Directory EMEA',
    description: 'Employees and contractors in EMEA',
    owner: { type: 'IDENTITY', id: '2c9180857a0e6c2d017a0f5b8f6e0042', name: 'ada.admin' },
    connector: 'active-directory',
    connectorAttributes: {
      forestSettings: [{ forestName: 'emea.acme.local', gcServer: 'gc.emea.acme.local:3268' }],
      searchDNs: [{ searchDN: 'OU=Users,DC=emea,DC=acme,DC=local', iterateSearchFilter: '(objectclass=user)' }],
    },
    features: ['AUTHENTICATE', 'PROVISIONING', 'PASSWORD', 'ENABLE', 'UNLOCK'],
    created: '2026-11-20T09:01:00.000Z',
    modified: '2026-11-20T09:01:00.000Z',
  };
}

export const RULE_SCRIPT = `import sailpoint.object.Identity;\n${'// keeps the attribute as HR sends it\n'.repeat(80)}return identity.getAttribute("department");`;

export function rule(modified = '2026-01-15T08:00:00.000Z'): Record<string, unknown> {
  return {
    id: RULE_ID,
    name: 'Build Department',
    type: 'IdentityAttribute',
    sourceCode: { version: '1.0', script: RULE_SCRIPT },
    attributes: {},
    jwsHeader: 'eyJhbGciOiJFUzI1NiIsImtpZCI6InJ1bGUtc2lnbmluZyJ9',
    jwsSignature: 'MEUCIQDx3-7kTz0b4fQ1n2k3Ztq_Yb8Ue8gkq7oFv2oHc2Yv4QIgS9w3lPp0c4J1o2nYpWj6m7bQ',
    created: '2026-01-15T08:00:00.000Z',
    modified,
  };
}

export interface Entry {
  readonly self: { type: string; id: string; name: string };
  readonly object: unknown;
}

export function entryOf(type: string, object: Record<string, unknown>): Entry {
  return { self: { type, id: object.id as string, name: object.name as string }, object };
}

/** Filler entries of a tenant's other objects. */
export function others(count: number, type = 'IDENTITY_PROFILE'): Entry[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `2c91808b7c3f4e2a017c4f1e2d3b${i.toString(16).padStart(4, '0')}`;
    return entryOf(type, { id, name: `Profile ${i}`, priority: i, authoritativeSource: { type: 'SOURCE', id: SOURCE_ID, name: 'HR' } });
  });
}

/** An export document's text; `objectFirst` writes `object` before `self` in each entry. */
export function exportDocument(entries: readonly Entry[], options: { objectFirst?: boolean } = {}): string {
  const objects = entries.map((e) =>
    options.objectFirst ? { version: 1, object: e.object, self: e.self } : { version: 1, self: e.self, object: e.object },
  );
  return JSON.stringify(
    {
      version: 1,
      timestamp: '2026-11-20T09:14:03Z',
      tenant: 'acme',
      description: 'Pre-import backup',
      options: { excludeTypes: [], includeTypes: [], objectOptions: {} },
      objects,
    },
    null,
    1,
  );
}

/** Feeds `text` to `sink` in chunks ending at `cuts` (byte offsets). */
export function feed(sink: { write(chunk: Uint8Array): void }, text: string | Buffer, cuts: readonly number[] = []): void {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut <= from || cut >= bytes.length) continue;
    sink.write(bytes.subarray(from, cut));
    from = cut;
  }
  sink.write(bytes.subarray(from));
}
