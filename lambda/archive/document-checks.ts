import { IscError, type Phase } from '../core/errors.ts';
import { JsonStreamWalker } from '../results/json-stream-walker.ts';
import { ResultsScanner, type ResultsDigest } from '../results/results-scanner.ts';
import type { StreamCheck } from './checked-upload.ts';

/** The import results: scanned for the summary, the samples and the touched objects. */
export function resultsCheck(): StreamCheck<ResultsDigest> {
  const scanner = new ResultsScanner();
  return { write: (chunk) => scanner.write(chunk), finish: () => scanner.finish() };
}

/** An export document (the backup, the after-state): an object with an `objects` array. */
export function exportCheck(): StreamCheck<{ entries: number }> {
  let objects = false;
  let entries = 0;
  const walker = new JsonStreamWalker({
    visit: (path) => {
      if (path.length === 0) return 'descend';
      if (path.length === 1 && path[0] === 'objects') {
        objects = true;
        return 'descend';
      }
      // Entries of `objects` are counted when it ends, read at full speed.
      return path.length === 2 ? 'skip-rest' : 'skip';
    },
    onValue: () => {},
    onEnd: (path, count) => {
      if (path.length === 1 && path[0] === 'objects') entries = count;
    },
  });
  return {
    write: (chunk) => walker.write(chunk),
    finish: () => {
      walker.end();
      if (!objects) throw new Error('the document has no "objects" array: it is not an export document');
      return { entries };
    },
  };
}

/**
 * Turns a check's verdict into the error the ISC client retries: ISC sometimes sends an error page
 * or a cut-short body with a 200, and a second download usually brings the real document.
 */
export function invalidDocument(error: unknown, what: string, phase: Phase, jobId: string): unknown {
  if (error instanceof IscError) return error;
  if (!(error instanceof Error) || (error.name !== 'InvalidJsonError' && !/not an export document|not import results/.test(error.message))) return error;
  return new IscError('IscInvalidBody', `ISC sent ${what} for ${jobId} that ${error.name === 'InvalidJsonError' ? 'is not valid JSON' : 'is not the expected document'} (${error.message.slice(0, 200)}); nothing was archived.`, {
    phase, retryable: true, jobId, cause: error,
  });
}
