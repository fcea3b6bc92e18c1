// Runs inside a child Node 24 process, like one Lambda container: imports the built bundle once,
// then serves invocations sent over IPC with a context whose clock counts down like Lambda's.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const { handler } = await import(pathToFileURL(process.argv[2]).href);

process.on('message', async (message) => {
  if (message.rss) return process.send({ id: message.id, ok: true, value: process.resourceUsage().maxRSS / 1024 });
  if (message.prototype) return process.send({ id: message.id, ok: true, value: Object.getOwnPropertyNames(Object.prototype) });
  const deadline = Date.now() + message.timeoutMs;
  const context = {
    awsRequestId: message.requestId ?? randomUUID(),
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'isc-import-archiver',
    functionVersion: '$LATEST',
    memoryLimitInMB: '512',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:isc-import-archiver',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const value = await handler(message.event, context);
    process.send({ id: message.id, ok: true, value });
  } catch (error) {
    process.send({ id: message.id, ok: false, error: { ...(error?.toLog?.() ?? {}), name: error?.name, message: error?.message } });
  }
});
process.send({ ready: true });
