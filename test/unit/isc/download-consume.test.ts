import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { IscError, StorageError } from '../../../lambda/core/errors.ts';
import type { DownloadInfo } from '../../../lambda/isc/isc-client.ts';
import { answer, instantDeadline, type ScriptedIsc, scriptedIsc } from '../../support/scripted-isc.ts';

const DOWNLOAD = '/beta/sp-config/import/j1/download';
const DOCUMENT = JSON.stringify({ results: { SOURCE: { infos: [], warnings: [], errors: [] } } });
const ctx = () => ({ phase: 'download' as const, jobId: 'j1', deadline: instantDeadline() });

let isc: ScriptedIsc | undefined;
afterEach(async () => {
  await isc?.api.close();
  isc = undefined;
});

async function text(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

/** Downloads, recording what `consume` was handed each time. */
async function download(consume: (body: Readable, info: DownloadInfo, n: number) => Promise<string> = (body) => text(body)) {
  const handed: DownloadInfo[] = [];
  const result = await isc!.client
    .download(DOWNLOAD, ctx(), (body, info) => {
      handed.push(info);
      return consume(body, info, handed.length);
    })
    .catch((e: unknown) => e);
  return { result, handed };
}

describe('what a download hands to its consumer', () => {
  it('the document and its Content-Length, so a body cut short can be told', async () => {
    isc = await scriptedIsc([(res) => res.writeHead(200, { 'content-length': String(DOCUMENT.length) }).end(DOCUMENT)]);
    expect(await download()).toEqual({ result: DOCUMENT, handed: [{ contentLength: DOCUMENT.length }] });
  });

  it('no length for a compressed body: the header counts the compressed bytes, the consumer reads them unpacked', async () => {
    const packed = gzipSync(DOCUMENT);
    isc = await scriptedIsc([
      (res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(packed.length) }).end(packed),
    ]);
    expect(await download()).toEqual({ result: DOCUMENT, handed: [{ contentLength: undefined }] });
  });

  it('no length when ISC sends none (chunked)', async () => {
    isc = await scriptedIsc([(res) => res.writeHead(200).end(DOCUMENT)]);
    expect(await download()).toEqual({ result: DOCUMENT, handed: [{ contentLength: undefined }] });
  });

  it('nothing of a failed answer: a 503 is asked again and only the 200 reaches the consumer', async () => {
    isc = await scriptedIsc([answer(503, { message: 'busy' }), (res) => res.writeHead(200).end(DOCUMENT)]);
    const { result, handed } = await download();
    expect(result).toBe(DOCUMENT);
    expect(handed).toHaveLength(1);
    expect(isc.calls()).toHaveLength(2);
  });
});

describe('a consumer that fails', () => {
  it('with a retryable ISC error (a body cut short) gets the whole download again', async () => {
    isc = await scriptedIsc([(res) => res.writeHead(200).end(DOCUMENT)]);
    const { result, handed } = await download(async (body, _info, n) => {
      const read = await text(body);
      if (n === 1) throw new IscError('IscTruncatedBody', 'cut short', { phase: 'download', retryable: true });
      return read;
    });
    expect(result).toBe(DOCUMENT);
    expect(handed).toHaveLength(2);
  });

  it('with a storage error is not downloaded again: S3 already retried inside its SDK', async () => {
    isc = await scriptedIsc([(res) => res.writeHead(200).end(DOCUMENT)]);
    const failure = new StorageError('S3 is slow', { retryable: true });
    const { result, handed } = await download(async (body) => {
      await text(body);
      throw failure;
    });
    expect(result).toBe(failure);
    expect(handed).toHaveLength(1);
    expect(isc.calls()).toHaveLength(1);
  });

  it('with a permanent error is not downloaded again', async () => {
    isc = await scriptedIsc([(res) => res.writeHead(200).end(DOCUMENT)]);
    const failure = new IscError('IscInvalidBody', 'not a results document', { phase: 'download', retryable: false });
    const { result, handed } = await download(async () => {
      throw failure;
    });
    expect(result).toBe(failure);
    expect(handed).toHaveLength(1);
  });
});
