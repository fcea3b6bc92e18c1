import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArchiveClaim, type ClaimHolder } from '../../../lambda/archive/claim.ts';
import type { Log } from '../../../lambda/core/log.ts';
import type { ArchiveStore, ConditionalWrite } from '../../../lambda/storage/archive-store.ts';
import { type LocalS3Store, useLocalS3Store } from '../../support/local-s3-store.ts';

// The claim against a real local S3 that enforces conditional writes as S3 does: no fake that
// shares the code's assumptions decides who wins.

let s3: LocalS3Store;
useLocalS3Store((store) => (s3 = store));

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const key = () => `sp-config/acme/imports/${randomUUID().replace(/-/g, '')}/.archiving`;
const holder = (requestId: string, deadlineMs: number): ClaimHolder => ({ requestId, deadline: new Date(deadlineMs).toISOString() });

function recorder(): Log & { lines: { level: string; message: string; extra?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, extra?: Record<string, unknown>) =>
    lines.push({ level, message, ...(extra ? { extra } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The stored claim's holder and deadline (when it was taken, claimedAt, has a test of its own). */
async function stored(k: string) {
  const body = await s3.read(k);
  if (!body) return body;
  const { claimedAt: _claimedAt, ...holder } = JSON.parse(body.toString());
  return holder;
}

describe('taking the claim', () => {
  it('records when it was taken, so a manifest archived after it shows the holder finished', async () => {
    const k = key();
    await ArchiveClaim.take(s3.store, k, holder('req-at', NOW + 60_000), () => NOW + 1_234, recorder());
    expect(JSON.parse((await s3.read(k))!.toString()).claimedAt).toBe(new Date(NOW + 1_234).toISOString());
  });

  it('takes over at once a live claim whose holder has finished (its manifest was archived after the claim)', async () => {
    const k = key();
    await ArchiveClaim.take(s3.store, k, holder('req-done', NOW + 600_000), () => NOW, recorder());
    const seen: string[] = [];
    const finishedAfter = async (claimedAt: string) => {
      seen.push(claimedAt);
      return true;
    };
    const taken = await ArchiveClaim.take(
      s3.store,
      k,
      holder('req-next', NOW + 60_000),
      () => NOW + 5_000,
      recorder(),
      undefined,
      finishedAfter,
    );
    expect(taken).toBeInstanceOf(ArchiveClaim);
    expect(seen).toEqual([new Date(NOW).toISOString()]);
    expect(await stored(k)).toMatchObject(holder('req-next', NOW + 60_000));
    // Without a finished manifest the same live claim is busy.
    const busy = await ArchiveClaim.take(
      s3.store,
      k,
      holder('req-third', NOW + 60_000),
      () => NOW + 6_000,
      recorder(),
      undefined,
      async () => false,
    );
    expect(busy).toMatchObject({ requestId: 'req-next' });
  });

  it('creates the claim object naming the holder and its deadline', async () => {
    const k = key();
    const me = holder('req-1', NOW + 60_000);
    const claim = await ArchiveClaim.take(s3.store, k, me, () => NOW, recorder());
    expect(claim).toBeInstanceOf(ArchiveClaim);
    expect((claim as ArchiveClaim).held()).toBe(true);
    expect(await stored(k)).toEqual({ requestId: 'req-1', deadline: '2026-12-01T10:01:00.000Z' });
  });

  it('answers with the live holder and leaves its claim alone', async () => {
    const k = key();
    await ArchiveClaim.take(s3.store, k, holder('req-live', NOW + 60_000), () => NOW, recorder());
    const answer = await ArchiveClaim.take(s3.store, k, holder('req-other', NOW + 120_000), () => NOW, recorder());
    expect(answer).toMatchObject({ requestId: 'req-live', deadline: '2026-12-01T10:01:00.000Z' });
    expect(await stored(k)).toEqual({ requestId: 'req-live', deadline: '2026-12-01T10:01:00.000Z' });
  });

  it('lets the same request id take its own claim back at once, long before the deadline', async () => {
    const k = key();
    await ArchiveClaim.take(s3.store, k, holder('req-retry', NOW + 15 * 60_000), () => NOW, recorder());
    const log = recorder();
    const again = await ArchiveClaim.take(s3.store, k, holder('req-retry', NOW + 20 * 60_000), () => NOW + 1_000, log);
    expect(again).toBeInstanceOf(ArchiveClaim);
    expect(await stored(k)).toMatchObject(holder('req-retry', NOW + 20 * 60_000));
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'Taking over the claim: a retry of this request' }));
  });

  it('is live until the holder deadline itself, and taken over from that moment', async () => {
    const k = key();
    const deadline = NOW + 5 * 60_000;
    await ArchiveClaim.take(s3.store, k, holder('req-dead', deadline), () => NOW, recorder());
    expect(await ArchiveClaim.take(s3.store, k, holder('req-next', deadline + 60_000), () => deadline - 1, recorder())).toMatchObject(
      holder('req-dead', deadline),
    );
    const log = recorder();
    const taken = await ArchiveClaim.take(s3.store, k, holder('req-next', deadline + 60_000), () => deadline, log);
    expect(taken).toBeInstanceOf(ArchiveClaim);
    expect(await stored(k)).toMatchObject(holder('req-next', deadline + 60_000));
    expect(log.lines).toContainEqual({
      level: 'info',
      message: 'Taking over the claim: its holder has run out of time',
      extra: { key: k, holder: 'req-dead', holderDeadline: new Date(deadline).toISOString() },
    });
  });

  it.each([
    ['not JSON', 'garbage{'],
    ['an older format', JSON.stringify({ owner: 'x', claimedAt: '2026-12-01T09:59:00.000Z' })],
    ['a deadline that is not a time', JSON.stringify({ requestId: 'r', deadline: 'soon' })],
  ])('takes over a claim that is %s (nobody can be shown to hold it)', async (_what, body) => {
    const k = key();
    await s3.write(k, body);
    const taken = await ArchiveClaim.take(s3.store, k, holder('req-new', NOW + 60_000), () => NOW, recorder());
    expect(taken).toBeInstanceOf(ArchiveClaim);
    expect(await stored(k)).toMatchObject(holder('req-new', NOW + 60_000));
  });

  it('lets exactly one of many simultaneous deliveries win, and names the winner to the others', async () => {
    const k = key();
    const takers = Array.from({ length: 6 }, (_, i) => holder(`req-${i}`, NOW + 60_000 + i));
    const answers = await Promise.all(takers.map((me) => ArchiveClaim.take(s3.store, k, me, () => NOW, recorder())));
    const winners = answers.filter((a) => a instanceof ArchiveClaim);
    expect(winners).toHaveLength(1);
    const winner = await stored(k);
    expect(takers).toContainEqual(winner);
    for (const answer of answers.filter((a) => !(a instanceof ArchiveClaim))) expect(answer).toMatchObject(winner);
  });

  it('lets exactly one of several takers win an expired claim', async () => {
    const k = key();
    await ArchiveClaim.take(s3.store, k, holder('req-dead', NOW - 1), () => NOW - 60_000, recorder());
    const takers = Array.from({ length: 5 }, (_, i) => holder(`req-${i}`, NOW + 60_000));
    const answers = await Promise.all(takers.map((me) => ArchiveClaim.take(s3.store, k, me, () => NOW, recorder())));
    expect(answers.filter((a) => a instanceof ArchiveClaim)).toHaveLength(1);
    const winner = await stored(k);
    expect(winner.requestId).toMatch(/^req-\d$/);
    for (const answer of answers.filter((a) => !(a instanceof ArchiveClaim))) expect(answer).toMatchObject(winner);
  });

  it('tries again when the claim disappears between its write and its read', async () => {
    const k = key();
    let reads = 0;
    // A holder releases right after our create failed: the read finds nothing.
    const racing: ArchiveStore = {
      ...s3.store,
      get: async (name, version) => (name === k && reads++ === 0 ? (await s3.store.remove(k), undefined) : s3.store.get(name, version)),
    };
    await s3.write(k, JSON.stringify(holder('req-gone', NOW + 60_000)));
    const taken = await ArchiveClaim.take(racing, k, holder('req-me', NOW + 60_000), () => NOW, recorder());
    expect(taken).toBeInstanceOf(ArchiveClaim);
    expect(await stored(k)).toMatchObject(holder('req-me', NOW + 60_000));
  });

  it('reports an unknown live holder when the claim keeps changing hands under it', async () => {
    const k = key();
    // Every read finds an expired claim and every write loses: the claim is contended, not ours.
    const contended: ArchiveStore = {
      ...s3.store,
      putConditional: async () => undefined,
      get: async () => ({ body: Buffer.from(JSON.stringify(holder('req-dead', NOW - 1))), etag: '"x"' }),
    };
    const answer = await ArchiveClaim.take(contended, k, holder('req-me', NOW + 60_000), () => NOW, recorder());
    expect(answer).toEqual({ requestId: 'unknown', deadline: new Date(NOW + 1_000).toISOString() });
  });

  it('takes over with If-Match on the ETag it read, and with If-None-Match when the store gave none', async () => {
    const k = key();
    await s3.write(k, JSON.stringify(holder('req-dead', NOW - 1)));
    const conditions: ConditionalWrite[] = [];
    const watching = (etag: boolean): ArchiveStore => ({
      ...s3.store,
      putConditional: (name, body, type, condition) => (conditions.push(condition), s3.store.putConditional(name, body, type, condition)),
      get: async (name, version) => {
        const found = await s3.store.get(name, version);
        return found && (etag ? found : { ...found, etag: undefined });
      },
    });
    expect(await ArchiveClaim.take(watching(true), k, holder('req-a', NOW - 1), () => NOW, recorder())).toBeInstanceOf(ArchiveClaim);
    expect(conditions).toEqual([{ ifNoneMatch: '*' }, { ifMatch: expect.stringMatching(/^"[0-9a-f]{32}"$/) }]);
    conditions.length = 0;
    const answer = await ArchiveClaim.take(watching(false), k, holder('req-b', NOW + 60_000), () => NOW, recorder());
    // Without an ETag it cannot replace the object safely: both tries are creates, which fail while it exists.
    expect(conditions.every((c) => 'ifNoneMatch' in c)).toBe(true);
    expect(answer).not.toBeInstanceOf(ArchiveClaim);
  });
});

describe('releasing the claim', () => {
  it('removes the claim object once, and says it is no longer held', async () => {
    const k = key();
    const claim = (await ArchiveClaim.take(s3.store, k, holder('req-rel', NOW + 60_000), () => NOW, recorder())) as ArchiveClaim;
    await claim.release();
    expect(claim.held()).toBe(false);
    expect(await s3.read(k)).toBeUndefined();
    // A second release is a no-op: it must not remove a claim someone else has taken since.
    await s3.write(k, JSON.stringify(holder('req-next', NOW + 60_000)));
    await claim.release();
    expect(await stored(k)).toMatchObject(holder('req-next', NOW + 60_000));
  });

  it('leaves alone a claim another delivery took over once this one outlived its deadline', async () => {
    const k = key();
    const mine = (await ArchiveClaim.take(s3.store, k, holder('req-slow', NOW + 1_000), () => NOW, recorder())) as ArchiveClaim;
    const theirs = await ArchiveClaim.take(s3.store, k, holder('req-new', NOW + 60_000), () => NOW + 2_000, recorder());
    expect(theirs).toBeInstanceOf(ArchiveClaim);
    // The removal is conditional on the ETag this delivery wrote, so S3 refuses it.
    await mine.release();
    expect(await stored(k)).toMatchObject(holder('req-new', NOW + 60_000));
    expect(mine.held()).toBe(false);
  });

  it('logs, and does not throw, when S3 refuses the removal', async () => {
    const k = key();
    const failing: ArchiveStore = {
      ...s3.store,
      delete: async () => {
        throw new Error('SlowDown');
      },
    };
    const log = recorder();
    const claim = (await ArchiveClaim.take(failing, k, holder('req-fail', NOW + 60_000), () => NOW, log)) as ArchiveClaim;
    await expect(claim.release()).resolves.toBeUndefined();
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: 'Removing the archive claim failed',
      extra: { key: k, errorName: 'Error', errorMessage: 'SlowDown' },
    });
  });
});
