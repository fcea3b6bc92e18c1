import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../lambda/domain/manifest.ts';
import { archivedEventDetail, publishArchived } from '../../../lambda/telemetry/archived-event.ts';

const eventBridge = mockClient(EventBridgeClient);
beforeEach(() => eventBridge.reset());

const manifest = {
  schemaVersion: 1,
  tenant: 'acme',
  jobId: 'ef38f94347e94562b5bb8424a56397d8',
  status: 'FAILED',
  exportJobId: null,
  archivedAt: '2026-11-28T10:00:00.000Z',
  backup: { state: 'NONE', reason: '' },
  summary: { byType: {}, totals: { infos: 1, warnings: 0, errors: 3, importedObjects: 0 } },
  changes: {
    state: 'COMPUTED',
    reason: '',
    afterExportJobId: null,
    afterExportedAt: null,
    counts: { created: 1, changed: 2, unchanged: 0, unknown: 0 },
  },
} as unknown as Manifest;

function recorder() {
  const lines: { message: string; extra?: Record<string, unknown> }[] = [];
  const log = {
    debug() {},
    info() {},
    error() {},
    warn: (message: string, extra?: Record<string, unknown>) => lines.push({ message, extra }),
  };
  return { lines, log };
}

describe('the SP-Config Import Archived event', () => {
  it('carries the job, its status, totals and where the manifest is', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    const detail = archivedEventDetail(manifest, 'archive-bucket', 'sp-config/acme/imports/ef38f94347e94562b5bb8424a56397d8/manifest.json');
    await publishArchived(
      new EventBridgeClient({ region: 'us-east-1' }),
      'identity-events',
      detail,
      recorder().log,
      AbortSignal.timeout(5_000),
    );
    const entry = eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({
      EventBusName: 'identity-events',
      Source: 'isc-import-archiver',
      DetailType: 'SP-Config Import Archived',
    });
    expect(JSON.parse(entry.Detail!)).toEqual({
      jobId: manifest.jobId,
      tenant: 'acme',
      status: 'FAILED',
      exportJobId: null,
      backup: 'NONE',
      changes: { state: 'COMPUTED', counts: { created: 1, changed: 2, unchanged: 0, unknown: 0 } },
      totals: { infos: 1, warnings: 0, errors: 3, importedObjects: 0 },
      manifest: {
        bucket: 'archive-bucket',
        key: 'sp-config/acme/imports/ef38f94347e94562b5bb8424a56397d8/manifest.json',
        uri: 's3://archive-bucket/sp-config/acme/imports/ef38f94347e94562b5bb8424a56397d8/manifest.json',
      },
      archivedAt: '2026-11-28T10:00:00.000Z',
    });
  });

  it('logs a warning instead of failing the archive when publishing fails', async () => {
    eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const { lines, log } = recorder();
    await publishArchived(
      new EventBridgeClient({ region: 'us-east-1' }),
      'default',
      archivedEventDetail(manifest, 'b', 'k'),
      log,
      AbortSignal.timeout(5_000),
    );
    expect(lines).toEqual([{ message: 'Archived event not published', extra: { jobId: manifest.jobId, error: 'AccessDeniedException' } }]);
  });
  it('warns with ISC’s error code when EventBridge does not accept the entry, and stays quiet when it does', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }] })
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    const { lines, log } = recorder();
    const client = new EventBridgeClient({ region: 'us-east-1' });
    await publishArchived(client, 'default', archivedEventDetail(manifest, 'b', 'k'), log, AbortSignal.timeout(5_000));
    await publishArchived(client, 'default', archivedEventDetail(manifest, 'b', 'k'), log, AbortSignal.timeout(5_000));
    expect(lines).toEqual([{ message: 'Archived event not accepted', extra: { jobId: manifest.jobId, errorCode: 'InternalFailure' } }]);
  });

  it('says changes were DISABLED, with no counts, when the manifest has no changes record', () => {
    const { changes: _changes, ...withoutChanges } = manifest as unknown as Record<string, unknown>;
    const detail = archivedEventDetail(withoutChanges as unknown as Manifest, 'b', 'k');
    expect(detail.changes).toEqual({ state: 'DISABLED', counts: null });
    expect(detail.manifest).toEqual({ bucket: 'b', key: 'k', uri: 's3://b/k' });
  });
});
