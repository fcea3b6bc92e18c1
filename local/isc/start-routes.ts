import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ConfigEntry, entryProblem } from './config-entry.ts';
import { BodyTooLarge, drain, FORBIDDEN_TEXT, readBody, send, sendError } from './http-answers.ts';
import type { Fault } from './job-book.ts';
import { exportStatus, startedImport } from './job-status.ts';
import { MultipartError, MultipartParser, multipartBoundary, type PartHeaders, type PartSink } from './multipart.ts';
import { checkExportPayload, checkImportOptions, type ImportOptions } from './payload-check.ts';
import type { TenantJobs } from './tenant-jobs.ts';

/** POST .../sp-config/export and POST .../sp-config/import: what they accept, refuse and record. */

/** An import request as it reached the double, whatever the answer (see IscDouble.importRequests). */
export interface ImportRecord {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** `preview` as ISC reads it (false when absent); undefined when the value was not a boolean. */
  preview: boolean | undefined;
  /** The `options` part: parsed JSON, or its text when it is not JSON; undefined without one. */
  options: unknown;
  /** SHA-256 (hex) and size of the `data` part's bytes as received. */
  dataSha256: string | undefined;
  dataBytes: number;
  parts: { name: string; filename: string | undefined; contentType: string | undefined; bytes: number }[];
  /** Whether the body reached its closing boundary (false: malformed, or the client went away). */
  complete: boolean;
  /** The HTTP status answered; 0 when the client went away first. */
  status: number;
  jobId: string | undefined;
  readonly at: number;
}

export interface ExportRecord {
  readonly path: string;
  payload: unknown;
  status: number;
  jobId: string | undefined;
  readonly at: number;
}

export interface RouteContext {
  readonly jobs: TenantJobs;
  /** Whether the caller's token has the scope the operation needs. */
  readonly allowed: boolean;
  readonly fault: Fault | undefined;
  /** Answers a fault; returns the status it answered (0 for a reset). */
  answerFault(res: ServerResponse, fault: Fault): number;
  record(status: number): void;
}

const MAX_JSON_BYTES = 1024 * 1024;

export async function startExportRoute(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  ctx: RouteContext,
  log: ExportRecord[],
): Promise<void> {
  const entry: ExportRecord = { path, payload: undefined, status: 0, jobId: undefined, at: Date.now() };
  log.push(entry);
  const answer = (status: number, body: () => void) => {
    entry.status = status;
    ctx.record(status);
    body();
  };
  let text: string;
  try {
    text = (await readBody(req, MAX_JSON_BYTES)).toString('utf8');
  } catch (error) {
    if (error instanceof BodyTooLarge) return answer(400, () => sendError(res, 400, error.message));
    return answer(0, () => res.destroy());
  }
  const parsed = parseJson(text);
  entry.payload = parsed.ok ? parsed.value : text;
  if (ctx.fault) return answer(ctx.answerFault(res, ctx.fault), () => {});
  if (!ctx.allowed || ctx.jobs.behaviour.exports === 'refuse') return answer(403, () => sendError(res, 403, FORBIDDEN_TEXT));
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    return answer(415, () =>
      sendError(
        res,
        415,
        `Content type '${req.headers['content-type'] ?? ''}' is not supported: send the ExportPayload as application/json.`,
      ),
    );
  }
  if (!parsed.ok) return answer(400, () => sendError(res, 400, 'The request body is not valid JSON.'));
  const checked = checkExportPayload(entry.payload);
  if (!checked.ok)
    return answer(400, () => sendError(res, 400, `The ExportPayload is not valid: ${checked.problems[0]}`, checked.problems));
  const job = ctx.jobs.startExport(checked.value);
  entry.jobId = job.jobId;
  return answer(202, () => send(res, 202, exportStatus(job, false)));
}

export async function startImportRoute(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: RouteContext,
  log: ImportRecord[],
): Promise<void> {
  const rawPreview = url.searchParams.get('preview');
  const entry: ImportRecord = {
    method: req.method ?? 'POST',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    preview: rawPreview === null ? false : /^(true|false)$/i.test(rawPreview) ? rawPreview.toLowerCase() === 'true' : undefined,
    options: undefined,
    dataSha256: undefined,
    dataBytes: 0,
    parts: [],
    complete: false,
    status: 0,
    jobId: undefined,
    at: Date.now(),
  };
  log.push(entry);
  const answer = (status: number, body: () => void) => {
    entry.status = status;
    ctx.record(status);
    body();
  };
  const type = req.headers['content-type'];
  const boundary = multipartBoundary(type);
  if (!boundary) {
    await drain(req);
    if (/^multipart\/form-data\b/i.test(type ?? ''))
      return answer(400, () => sendError(res, 400, 'The multipart request has no boundary.'));
    return answer(415, () =>
      sendError(res, 415, `Content type '${type ?? ''}' is not supported: send multipart/form-data with a "data" part.`),
    );
  }
  const form = await readForm(req, boundary, entry);
  if (form.aborted) return answer(0, () => res.destroy());
  if (ctx.fault) return answer(ctx.answerFault(res, ctx.fault), () => {});
  if (!ctx.allowed || ctx.jobs.behaviour.imports === 'refuse') return answer(403, () => sendError(res, 403, FORBIDDEN_TEXT));
  const bad = (text: string, causes: readonly string[] = []) => answer(400, () => sendError(res, 400, text, causes));
  if (form.problem) return bad(`The multipart request is malformed: ${form.problem}`);
  if (entry.preview === undefined) return bad(`Query parameter "preview" must be true or false, not ${JSON.stringify(rawPreview)}.`);
  if (!form.data) return bad(`Required part 'data' is not present.`);
  let options: ImportOptions = {};
  if (form.options) {
    if (!form.optionsJson) return bad('The "options" part is not valid JSON.');
    const checked = checkImportOptions(entry.options);
    if (!checked.ok) return bad(`The ImportOptions are not valid: ${checked.problems[0]}`, checked.problems);
    options = checked.value;
  }
  const document = exportDocumentObjects(Buffer.concat(form.data).toString('utf8'));
  if (typeof document === 'string') return bad(`The "data" part is not an export document: ${document}`);
  const jobId = ctx.jobs.startImport({ objects: document, options, preview: entry.preview });
  entry.jobId = jobId;
  return answer(202, () => send(res, 202, startedImport(jobId, ctx.jobs.book.imports.get(jobId)!)));
}

interface Form {
  data: Buffer[] | undefined;
  options: Buffer[] | undefined;
  optionsJson: boolean;
  problem: string | undefined;
  aborted: boolean;
}

/** Streams the request through the parser, hashing `data` and keeping it and `options`. */
async function readForm(req: IncomingMessage, boundary: string, entry: ImportRecord): Promise<Form> {
  const form: Form = { data: undefined, options: undefined, optionsJson: false, problem: undefined, aborted: false };
  const hash = createHash('sha256');
  let parser: MultipartParser;
  try {
    parser = new MultipartParser(boundary, onPart);
  } catch (error) {
    await drain(req);
    form.problem = (error as Error).message;
    return form;
  }
  function onPart(headers: PartHeaders): PartSink {
    const part = { name: headers.name, filename: headers.filename, contentType: headers.contentType, bytes: 0 };
    entry.parts.push(part);
    const kept: Buffer[] | undefined = headers.name === 'data' || headers.name === 'options' ? [] : undefined;
    if (kept && form[headers.name as 'data' | 'options']) throw new MultipartError(`More than one part is named "${headers.name}".`);
    if (headers.name === 'data') form.data = kept;
    if (headers.name === 'options') form.options = kept;
    return {
      write(chunk) {
        part.bytes += chunk.length;
        if (headers.name === 'options' && part.bytes > MAX_JSON_BYTES) throw new MultipartError('The "options" part is too large.');
        if (headers.name === 'data') {
          hash.update(chunk);
          entry.dataBytes += chunk.length;
        }
        kept?.push(chunk);
      },
      end() {
        if (headers.name === 'data') entry.dataSha256 = hash.copy().digest('hex');
        if (headers.name === 'options') {
          const text = Buffer.concat(kept!).toString('utf8');
          const parsed = parseJson(text);
          form.optionsJson = parsed.ok;
          entry.options = parsed.ok ? parsed.value : text;
        }
      },
    };
  }
  try {
    for await (const chunk of req) {
      if (form.problem) continue;
      try {
        parser.write(chunk as Buffer);
      } catch (error) {
        if (!(error instanceof MultipartError)) throw error;
        form.problem = error.message;
      }
    }
  } catch {
    form.aborted = true;
    return form;
  }
  try {
    if (!form.problem) parser.end();
  } catch (error) {
    form.problem = (error as Error).message;
  }
  entry.complete = parser.finished;
  return form;
}

/** The document's objects, or what is wrong with it. */
function exportDocumentObjects(text: string): ConfigEntry[] | string {
  const parsed = parseJson(text);
  if (!parsed.ok) return 'not valid JSON';
  const value = parsed.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected a JSON object';
  const objects = (value as { objects?: unknown }).objects;
  if (!Array.isArray(objects)) return '"objects" must be an array';
  for (const [i, item] of objects.entries()) {
    const problem = entryProblem(item, `objects[${i}]`);
    if (problem) return problem;
  }
  return objects as ConfigEntry[];
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
