import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type Answer, instantDeadline, type ScriptedIsc, scriptedIsc } from '../../support/scripted-isc.ts';

const STATUS = '/beta/sp-config/import/j1';
const ctx = () => ({ phase: 'status' as const, jobId: 'j1', deadline: instantDeadline() });

let isc: ScriptedIsc | undefined;
afterEach(async () => {
  await isc?.api.close();
  isc = undefined;
});

describe('the body of an ISC error answer', () => {
  it('is read across several chunks, so the trackingId at its end reaches the error', async () => {
    const envelope = JSON.stringify({ detailCode: '404 Not found', messages: [{ text: 'x'.repeat(2_000) }], trackingId: 't-late' });
    isc = await scriptedIsc([
      async (res) => {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.write(envelope.slice(0, 100));
        await sleep(20);
        res.end(envelope.slice(100));
      },
    ]);
    await expect(isc.client.getJson(STATUS, ctx())).rejects.toMatchObject({ name: 'Permanent.IscNotFound', trackingId: 't-late' });
  });

  it('is read no further than its first 64 KiB: an endless error page is cut off', async () => {
    const total = 32 * 1024 * 1024;
    let closed: { sent: number; finished: boolean } | undefined;
    const endless: Answer = (res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      res.on('close', () => {
        closed = { sent, finished: res.writableFinished };
      });
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    isc = await scriptedIsc([endless]);
    await expect(isc.client.getJson(STATUS, ctx())).rejects.toMatchObject({ name: 'Permanent.IscNotFound', httpStatus: 404 });
    for (let i = 0; i < 100 && closed === undefined; i++) await sleep(10);
    expect(closed).toMatchObject({ finished: false });
    expect(closed!.sent).toBeLessThan(total);
  });
});
