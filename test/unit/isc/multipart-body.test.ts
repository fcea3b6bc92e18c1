import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { importRequestBody, type MultipartParts } from '../../../lambda/isc/multipart-body.ts';

const DATA = Buffer.from('{"version":1,"objects":[]}');

function body(data: Iterable<Buffer | string> | AsyncIterable<Buffer | string>, more: Partial<MultipartParts> = {}) {
  return importRequestBody({
    data: Readable.from(data),
    fileName: 'backup.json',
    options: { includeTypes: ['RULE'] },
    phase: 'restore',
    ...more,
  });
}

/** What a server would receive: every byte the body gave before it ended or failed, and how it failed. */
async function drain(stream: Readable): Promise<{ bytes: Buffer; error: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return { bytes: Buffer.concat(chunks), error: undefined };
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
}

/** Parses a body as a server framework would. */
async function form(contentType: string, bytes: Buffer) {
  const parsed = await new Request('http://isc.test/', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: new Uint8Array(bytes),
  }).formData();
  const data = parsed.get('data') as File;
  return { name: data.name, bytes: Buffer.from(await data.arrayBuffer()), options: JSON.parse(String(parsed.get('options'))) as unknown };
}

describe('the multipart body of an import', () => {
  it('has exactly the announced length when the data does, and is complete only once the data has ended', async () => {
    const made = body([DATA.subarray(0, 10), DATA.subarray(10)], { dataBytes: DATA.length });
    expect(made.progress).toStrictEqual({ dataError: undefined, complete: false });
    const { bytes, error } = await drain(made.stream);
    expect(error).toBeUndefined();
    expect(bytes.length).toBe(made.contentLength);
    expect(made.progress).toStrictEqual({ dataError: undefined, complete: true });
    expect(await form(made.contentType, bytes)).toEqual({ name: 'backup.json', bytes: DATA, options: { includeTypes: ['RULE'] } });
  });

  it('counts string chunks by their UTF-8 bytes, not their characters', async () => {
    const text = ['{"name":"Zoë — ', '✓"}'];
    const expected = Buffer.from(text.join(''));
    const made = body(text, { dataBytes: expected.length });
    const { bytes, error } = await drain(made.stream);
    expect(error).toBeUndefined();
    expect((await form(made.contentType, bytes)).bytes).toEqual(expected);
  });

  it('keeps a file name from breaking out of its header', async () => {
    const made = body([DATA], { fileName: 'a"b\\c\r\nContent-Type: text/html.json' });
    const { bytes } = await drain(made.stream);
    expect((await form(made.contentType, bytes)).name).toBe('a_b_c__Content-Type: text/html.json');
  });

  it('stops a longer stream at the first byte past the announced length, before handing that byte on', async () => {
    const made = body([DATA, Buffer.from('EXTRA'), Buffer.from('MORE')], { dataBytes: DATA.length });
    const { bytes, error } = await drain(made.stream);
    expect(error).toMatchObject({ name: 'Permanent.IscImportDataLength', code: 'IscImportDataLength', phase: 'restore', retryable: false });
    expect(made.progress).toStrictEqual({ dataError: error, complete: false });
    expect(bytes.toString()).toMatch(/\r\n\r\n\{"version":1,"objects":\[\]\}$/);
    expect(bytes.toString()).not.toContain('EXTRA');
  });

  it('fails a shorter stream at its end, before the options part and the closing boundary', async () => {
    const made = body([DATA], { dataBytes: DATA.length + 1, phase: 'download' });
    const { bytes, error } = await drain(made.stream);
    expect(error).toMatchObject({ code: 'IscImportDataLength', phase: 'download', retryable: false });
    expect(made.progress).toStrictEqual({ dataError: error, complete: false });
    expect(bytes.toString()).not.toContain('name="options"');
  });

  it('takes a stream of any length when none was announced', async () => {
    const made = body([DATA, DATA]);
    expect(made.contentLength).toBeUndefined();
    const { bytes, error } = await drain(made.stream);
    expect(error).toBeUndefined();
    expect((await form(made.contentType, bytes)).bytes).toEqual(Buffer.concat([DATA, DATA]));
  });
});
