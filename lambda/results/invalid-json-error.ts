// The errors the results layer raises about what ISC sent. The archive flow retries every one of
// them like a body cut short (InvalidJsonError is the family), and names the last one when it
// gives up.

/** The document is not valid JSON, or ended before it was complete. */
export class InvalidJsonError extends Error {
  override readonly name: string = 'InvalidJsonError';
}

/** Valid JSON, but not import results: no top-level object with a `results` object in it. */
export class NotImportResultsError extends InvalidJsonError {
  override readonly name: string = 'NotImportResultsError';
}

/** Valid JSON, but not an export document: no top-level object with an `objects` array in it. */
export class NotExportDocumentError extends InvalidJsonError {
  override readonly name: string = 'NotExportDocumentError';
}

/**
 * A syntax error found by a lexer that knows only its position in the current chunk; the walker
 * turns it into an InvalidJsonError naming the byte offset in the whole document.
 */
export class JsonSyntaxError extends Error {
  readonly at: number;
  constructor(message: string, at: number) {
    super(message);
    this.at = at;
  }
}
