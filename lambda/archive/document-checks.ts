import { IscError, type Phase } from '../core/errors.ts';
import { ExportDocumentCheck } from '../results/export-document-check.ts';
import { InvalidJsonError, NotExportDocumentError, NotImportResultsError } from '../results/invalid-json-error.ts';
import { type ResultsDigest, ResultsScanner } from '../results/results-scanner.ts';
import type { StreamCheck } from './checked-upload.ts';

/** The import results: scanned for the summary, the samples and (when `touched`) every touched object. */
export function resultsCheck(touched: boolean): StreamCheck<ResultsDigest> {
  const scanner = new ResultsScanner(touched ? {} : { touchedLimit: 0 });
  return { write: (chunk) => scanner.write(chunk), finish: () => scanner.finish() };
}

/** An export document (the backup, the after-state): an object with an `objects` array. */
export function exportCheck(): StreamCheck<{ entries: number }> {
  const check = new ExportDocumentCheck();
  return { write: (chunk) => check.write(chunk), finish: () => ({ entries: check.finish().objects }) };
}

/**
 * Turns a check's verdict into the error the ISC client retries: ISC sometimes sends an error page
 * or a cut-short body with a 200, and a second download usually brings the real document.
 */
export function invalidDocument(error: unknown, what: string, phase: Phase, jobId: string): unknown {
  if (error instanceof IscError) return error;
  if (!(error instanceof InvalidJsonError)) return error;
  // Not JSON, cut short, or valid JSON of the wrong shape (NotImportResults, NotExportDocument): the message says which.
  const [code, kind] =
    error instanceof NotImportResultsError
      ? ['IscNotImportResults', 'are not import results']
      : error instanceof NotExportDocumentError
        ? ['IscNotExportDocument', 'is not an export document']
        : ['IscInvalidBody', 'is not valid JSON'];
  return new IscError(code, `ISC sent ${what} for ${jobId} that ${kind} (${error.message.slice(0, 300)}); nothing was stored.`, {
    phase,
    retryable: true,
    jobId,
    cause: error,
  });
}
