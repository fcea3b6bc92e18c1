import { ResultsScanner, type ResultsDigest } from './results-scanner.ts';
import { eventLoopTurns } from '../core/event-loop-turns.ts';

/**
 * Scans import results beside their upload. A body that S3 takes in one PUT (under `heldUpTo`
 * bytes) is held unscanned until it has all arrived, then scanned in slices while S3 stores it:
 * the scan no longer stands between the download and the write. A larger body is scanned as it
 * streams, so it is known good before its multipart upload completes. With `heldUpTo` 0 every
 * chunk is scanned as it comes (used when a write could clobber an archive that is already there).
 */
export class ResultsScan {
  readonly #scanner = new ResultsScanner();
  readonly #heldUpTo: number;
  #held: Buffer[] | undefined = [];
  #heldBytes = 0;
  #stopped = false;

  constructor(heldUpTo: number) {
    this.#heldUpTo = heldUpTo;
    if (heldUpTo <= 0) this.#held = undefined;
  }

  write(chunk: Buffer): void {
    if (!this.#held) return this.#scanner.write(chunk);
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
    if (this.#heldBytes >= this.#heldUpTo) {
      // Too big for one PUT after all: catch up now and scan the rest as it streams.
      const held = this.#held;
      this.#held = undefined;
      for (const c of held) this.#scanner.write(c);
    }
  }

  /**
   * The body has ended: its digest now (throwing if it is not valid JSON), or, for a held body, a
   * promise of it that rejects the same way.
   */
  end(): ResultsDigest | Promise<ResultsDigest> {
    const held = this.#held;
    this.#held = undefined;
    if (!held?.length) return this.#scanner.finish();
    return this.#scanHeld(held);
  }

  /** The upload failed: a scan still going is of no use. */
  stop(): void {
    this.#stopped = true;
  }

  async #scanHeld(held: Buffer[]): Promise<ResultsDigest> {
    // Let the upload send its request first: the scan is meant to run while S3 works on it.
    await new Promise(setImmediate);
    const pause = eventLoopTurns();
    for (const chunk of held) {
      await pause();
      if (this.#stopped) throw new Error('The scan stopped: the upload failed.');
      this.#scanner.write(chunk);
    }
    return this.#scanner.finish();
  }
}
