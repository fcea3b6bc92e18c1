/**
 * An object this function stored itself (a restore link, a restore record), read back leniently:
 * undefined when it is not JSON, so one damaged object never blocks every retry of the job.
 */
export function readStoredJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
