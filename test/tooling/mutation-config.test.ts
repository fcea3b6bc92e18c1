import { readdirSync, readFileSync } from 'node:fs';
import { join, matchesGlob } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ISOLATED, LEAKS } from '../../vitest.mutation.config.ts';

// Mutation testing shares one worker between most unit test files (vitest.mutation.config.ts). A
// new test file that mocks a client class or stubs process-wide state, left in the shared worker,
// would change the results of the files after it: mutants killed or kept by accident.

const unitTests = (readdirSync('test/unit', { recursive: true }) as string[])
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => join('test/unit', f));

describe('the mutation run’s shared worker', () => {
  it('holds no test file that mocks a client or module or stubs process-wide state', () => {
    const leaking = unitTests.filter((f) => LEAKS.test(readFileSync(f, 'utf8')));
    expect(leaking.length).toBeGreaterThan(0);
    expect(leaking.filter((f) => !ISOLATED.some((glob) => matchesGlob(f, glob)))).toEqual([]);
  });
});
