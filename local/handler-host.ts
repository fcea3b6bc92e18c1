import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export type Handler = (event: unknown, context: LambdaLikeContext) => Promise<unknown>;

export interface LambdaLikeContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  getRemainingTimeInMillis(): number;
}

/** The deployed default: long enough to wait for a typical import. */
export const LOCAL_TIMEOUT_MS = 5 * 60_000;

/** A context whose clock counts down as Lambda's does. */
export function lambdaContext(functionName: string, timeoutMs = LOCAL_TIMEOUT_MS): LambdaLikeContext {
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/**
 * Imports the built bundle, the same file Lambda runs. The environment must be in place first:
 * the function reads it once, at import, as at a Lambda cold start.
 */
export async function loadHandler(env: Record<string, string>): Promise<Handler> {
  Object.assign(process.env, env);
  const module = (await import(pathToFileURL(resolve('dist/lambda/handler.mjs')).href)) as { handler: Handler };
  return module.handler;
}

export interface FunctionLog {
  readonly level?: string;
  readonly message?: string;
  readonly jobId?: string;
  readonly bytes?: number;
  readonly [key: string]: unknown;
}

/**
 * The function logs JSON lines to stdout (Powertools) and EMF metrics. Locally those are routed to
 * `onLog` instead of the terminal, so the CLI can show progress; `passThrough` prints them as well.
 */
export function captureFunctionOutput(onLog: (entry: FunctionLog) => void, passThrough = false): () => void {
  // Powertools writes errors to stderr and everything else to stdout: take both.
  const restores = [process.stdout, process.stderr].map((stream) => intercept(stream, onLog, passThrough));
  return () => {
    for (const restore of restores) restore();
  };
}

function intercept(stream: NodeJS.WriteStream, onLog: (entry: FunctionLog) => void, passThrough: boolean): () => void {
  const original = stream.write.bind(stream);
  let pending = '';
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (!text.startsWith('{') && pending === '') return original(chunk, ...(rest as []));
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as FunctionLog & { _aws?: unknown };
        if (entry._aws === undefined) onLog(entry);
      } catch {
        original(`${line}\n`);
        continue;
      }
      if (passThrough) original(`${line}\n`);
    }
    return true;
  }) as typeof stream.write;
  return () => {
    stream.write = original;
  };
}
