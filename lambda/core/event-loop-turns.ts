/**
 * For CPU work over data that is already there (a fast download, held chunks): calling the
 * returned function between pieces lets the event loop run once `sliceMs` of work has gone by, so
 * replies to requests in flight (the claim, S3 writes) are handled meanwhile. A promise chain over
 * buffered data never leaves the microtask queue on its own.
 */
export function eventLoopTurns(sliceMs = 1): () => Promise<void> | undefined {
  let turn = performance.now();
  return () => {
    if (performance.now() - turn <= sliceMs) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        turn = performance.now();
        resolve();
      }),
    );
  };
}
