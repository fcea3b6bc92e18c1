import { type ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';

export const BUNDLE = resolve('dist/lambda/handler.mjs');
const RUNNER = resolve('test/support/container-runner.mjs');

export type Invocation = { ok: true; value: any } | { ok: false; error: { name: string; message: string; [key: string]: unknown } };

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
    return this.#ask({ event, timeoutMs, requestId });
  }

  /** The process's peak resident memory so far, in MB, as the OS counts it. */
  async peakRssMb(): Promise<number> {
    const answer = await this.#ask({ rss: true });
    return answer.ok ? (answer.value as number) : Number.NaN;
  }

  /** The own property names of `Object.prototype` in the container (a polluted prototype shows here). */
  async prototypeNames(): Promise<string[]> {
    const answer = await this.#ask({ prototype: true });
    return answer.ok ? (answer.value as string[]) : [];
  }

  /** A mark in the output: `jsonLines(mark)` then reads only what was printed after it. */
  mark(): number {
    return this.output.length;
  }

  /** Log lines the function printed (since `from`) that parse as JSON (Powertools logs and EMF metrics). */
  jsonLines(from = 0): Record<string, any>[] {
    return this.output
      .slice(from)
      .split('\n')
      .flatMap((line) => {
        try {
          return line.trim().startsWith('{') ? [JSON.parse(line) as Record<string, any>] : [];
        } catch {
          return [];
        }
      });
  }

  /** Ends the process as Lambda does an out-of-memory or timed-out container: SIGKILL, no cleanup. */
  async kill(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((r) => this.#child.once('exit', r));
    this.#child.kill('SIGKILL');
    await exited;
    for (const settle of this.#pending.values()) settle({ ok: false, error: { name: 'Killed', message: 'the container was killed' } });
    this.#pending.clear();
  }

  #ask(message: Record<string, unknown>): Promise<Invocation> {
    const id = this.#next++;
    return new Promise<Invocation>((resolveResult) => {
      this.#pending.set(id, resolveResult);
      this.#child.send({ id, ...message });
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((r) => this.#child.once('exit', r));
    this.#child.kill();
    await exited;
  }
}
