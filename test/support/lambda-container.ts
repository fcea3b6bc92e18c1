import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const BUNDLE = resolve('dist/lambda/handler.mjs');
const RUNNER = resolve('test/support/container-runner.mjs');

export type Invocation =
  | { ok: true; value: any }
  | { ok: false; error: { name: string; message: string; [key: string]: unknown } };

/** One warm Lambda container: a child Node 24 process with only the given environment. */
export class LambdaContainer {
  output = '';
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (result: Invocation) => void>();
  #next = 0;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.on('message', (message: { id?: number } & Invocation) => {
      if (message.id === undefined) return;
      this.#pending.get(message.id)?.(message);
      this.#pending.delete(message.id);
    });
  }

  static async start(env: Record<string, string>): Promise<LambdaContainer> {
    const child = fork(RUNNER, [BUNDLE], { execPath: process.execPath, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const container = new LambdaContainer(child);
    await new Promise<void>((resolveReady, reject) => {
      child.once('message', () => resolveReady());
      child.once('exit', (code) => reject(new Error(`container exited with ${code} before it was ready:\n${container.output}`)));
    });
    return container;
  }

  /** Invokes the handler; `requestId` stands for Lambda's request id (the same on Lambda's own retries). */
  invoke(event: unknown, timeoutMs = 60_000, requestId?: string): Promise<Invocation> {
    const id = this.#next++;
    return new Promise((resolveResult) => {
      this.#pending.set(id, resolveResult);
      this.#child.send({ id, event, timeoutMs, requestId });
    });
  }

  /** The process's peak resident memory so far, in MB, as the OS counts it. */
  async peakRssMb(): Promise<number> {
    const id = this.#next++;
    const answer = await new Promise<Invocation>((resolveResult) => {
      this.#pending.set(id, resolveResult);
      this.#child.send({ id, rss: true });
    });
    return answer.ok ? (answer.value as number) : Number.NaN;
  }

  /** Log lines the function printed that parse as JSON (Powertools logs and EMF metrics). */
  jsonLines(): Record<string, any>[] {
    return this.output.split('\n').flatMap((line) => {
      try {
        return line.trim().startsWith('{') ? [JSON.parse(line) as Record<string, any>] : [];
      } catch {
        return [];
      }
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((r) => this.#child.once('exit', r));
    this.#child.kill();
    await exited;
  }
}
