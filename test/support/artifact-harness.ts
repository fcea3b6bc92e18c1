import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { type ArchiveKeys, archiveKeys } from '../../lambda/contract/archive-keys.ts';
import { DEFAULTS } from '../../lambda/contract/constants.ts';
import { DEMO_CLIENT } from '../../local/isc-double.ts';
import { IscFront } from './isc-front.ts';
import { LambdaContainer } from './lambda-container.ts';
import { startTestStack, type TestStack } from './local-stack.ts';

// What every test of the built artifact shares: dist/lambda/handler.mjs in child Node 24
// processes ("containers") with only the contract's environment, against s3rver behind the
// conditional-write front, a Secrets Manager endpoint and the ISC double over HTTP.

export const hex = (): string => randomBytes(16).toString('hex');
export const sha = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');
/** The keys of a job's archive under the default prefix and the double's tenant. */
export const keysOf = (jobId: string, prefix: string = DEFAULTS.prefix): ArchiveKeys => archiveKeys(prefix, 'acme', jobId);
export const folder = (jobId: string): string => keysOf(jobId).folder;

export interface ArtifactHarness {
  readonly stack: TestStack;
  /** One warm container shared by a file's tests. */
  readonly lambda: LambdaContainer;
  /** Another container (a cold start), stopped after the file's tests. */
  container(env?: Record<string, string>): Promise<LambdaContainer>;
  /** The job's manifest as stored, or undefined. */
  manifestOf(jobId: string): Promise<any>;
  /** The claim object of the job as stored, or undefined. */
  claimOf(jobId: string): Promise<any>;
  /** Every object the manifest names is there, with the bytes and hash it claims. */
  expectManifestHonest(manifest: any): Promise<void>;
  /** An ISC front before the double, and the environment of a container that talks to ISC through it. */
  front(): Promise<{ front: IscFront; env: Record<string, string> }>;
}

/** Starts the stack and a container before the file's tests and stops everything after them. */
export function useArtifactHarness(env: Record<string, string> = {}): ArtifactHarness {
  let stack: TestStack | undefined;
  let lambda: LambdaContainer | undefined;
  const extra: LambdaContainer[] = [];
  const fronts: IscFront[] = [];

  beforeAll(async () => {
    stack = await startTestStack();
    lambda = await LambdaContainer.start(stack.env(env));
  });
  afterAll(async () => {
    await Promise.all([lambda, ...extra].map((c) => c?.stop()));
    await Promise.all(fronts.map((f) => f.close()));
    await stack?.stop();
  });

  const read = async (key: string) => {
    const stored = await harness.stack.getObject(key);
    return stored && JSON.parse(stored.body.toString());
  };
  const harness: ArtifactHarness = {
    get stack() {
      if (!stack) throw new Error('the stack starts in beforeAll');
      return stack;
    },
    get lambda() {
      if (!lambda) throw new Error('the container starts in beforeAll');
      return lambda;
    },
    async container(overrides = {}) {
      const started = await LambdaContainer.start(harness.stack.env({ ...env, ...overrides }));
      extra.push(started);
      return started;
    },
    manifestOf: (jobId) => read(keysOf(jobId).manifest),
    claimOf: (jobId) => read(keysOf(jobId).lease),
    async expectManifestHonest(manifest) {
      expect(manifest, 'a manifest').toBeDefined();
      for (const object of manifest.objects) {
        const stored = await harness.stack.getObject(object.key);
        expect(stored, object.key).toBeDefined();
        expect(stored!.body.length, object.key).toBe(object.bytes);
        expect(sha(stored!.body), object.key).toBe(object.sha256);
      }
    },
    async front() {
      const front = await IscFront.start(harness.stack.isc.url);
      fronts.push(front);
      const secretId = `isc-import-archiver/front-${randomUUID()}`;
      harness.stack.dev.secrets.setSecret(
        secretId,
        JSON.stringify({ baseUrl: front.url, tenant: 'acme', clientId: DEMO_CLIENT.clientId, clientSecret: DEMO_CLIENT.clientSecret }),
      );
      return { front, env: { ...env, ISC_SECRET_ID: secretId } };
    },
  };
  return harness;
}
