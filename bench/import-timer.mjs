// One fresh process: how long importing a bundle takes (module evaluation included), in ms.
import { pathToFileURL } from 'node:url';

const started = performance.now();
await import(pathToFileURL(process.argv[2]).href);
process.stdout.write(`${JSON.stringify({ ms: performance.now() - started })}\n`);
