import { describe, expect, it } from 'vitest';
import { hex, useArtifactHarness } from '../support/artifact-harness.ts';
import { restEvent } from '../support/events.ts';

// Anything that is not a valid request is refused before any network call, with a short error
// (docs/contract.md: a job id is 32 hex characters or a dashed UUID).

const h = useArtifactHarness();

describe('bad input', () => {
  it.each([
    ['a path traversal', '../x'],
    ['an empty id', ''],
    ['10 000 characters', 'a'.repeat(10_000)],
    ['URL-encoded slashes', 'ab%2F..%2Fcd'],
  ])('refuses %s before any network call', async (_what, jobId) => {
    const before = h.stack.isc.requests.length;
    const secretReads = h.stack.dev.secrets.reads.length;
    const result = await h.lambda.invoke({ jobId });
    expect(result).toMatchObject({ ok: false, error: { name: 'Permanent.InvalidInput' } });
    expect(result.ok || result.error.message.length).toBeLessThan(200);
    const api = await h.lambda.invoke(restEvent('POST', `/imports/${encodeURIComponent(jobId)}/archive`, jobId));
    expect(api).toMatchObject({ ok: true, value: { statusCode: 400 } });
    expect(JSON.parse((api as any).value.body)).toMatchObject({
      detailCode: '400.1 Bad Request Content',
      messages: [{ locale: 'en-US', localeOrigin: 'DEFAULT' }],
    });
    expect(h.stack.isc.requests.length).toBe(before);
    expect(h.stack.dev.secrets.reads.length).toBe(secretReads);
  });

  it.each([
    ['null', null],
    ['a string', 'ef38f94347e94562b5bb8424a56397d8'],
    ['an object without a job id', { hello: 'world' }],
    ['an EventBridge event without detail', { source: 'sailpoint.sp-config', 'detail-type': 'SP-Config Import Submitted' }],
    ['a non-boolean force', { jobId: hex(), force: 'yes' }],
    ['a waitingSince that is not a time', { jobId: hex(), waitingSince: 'yesterday' }],
    ['an unknown action', { jobId: hex(), action: 'delete' }],
  ])('refuses %s as an event with a clear error', async (_what, event) => {
    const before = h.stack.isc.requests.length;
    const result = await h.lambda.invoke(event);
    expect(result).toMatchObject({ ok: false, error: { name: 'Permanent.InvalidInput' } });
    expect(h.stack.isc.requests.length).toBe(before);
  });

  it('answers an unknown route with 400', async () => {
    const jobId = hex();
    const result = await h.lambda.invoke(restEvent('DELETE', `/imports/${jobId}`, jobId));
    expect(result).toMatchObject({ ok: true, value: { statusCode: 400 } });
    expect(JSON.parse((result as any).value.body).messages[0].text).toMatch(/No route for DELETE/);
  });
});
