import { describe, expect, it } from 'vitest';
import { IscError } from '../../../lambda/core/errors.ts';
import { isRunning, parseImportStatus, STATUS_TEXT_LIMITS } from '../../../lambda/isc/job-status.ts';

describe('isRunning', () => {
  it.each([
    ['NOT_STARTED', true],
    ['IN_PROGRESS', true],
    ['COMPLETE', false],
    ['FAILED', false],
    ['CANCELLED', false],
  ] as const)('%s is running: %s', (status, running) => {
    expect(isRunning(status)).toBe(running);
  });
});

describe('parseImportStatus', () => {
  it('keeps the fields the archiver uses', () => {
    expect(
      parseImportStatus(
        {
          status: 'COMPLETE',
          type: 'IMPORT',
          message: 'done',
          created: '2026-01-01T00:00:00Z',
          modified: '2026-01-01T00:01:00Z',
          completed: '2026-01-01T00:02:00Z',
          expiration: '2026-01-08T00:00:00Z',
          jobId: 'not-this-one',
          extra: 'ignored',
        },
        'j1',
      ),
    ).toEqual({
      jobId: 'j1',
      status: 'COMPLETE',
      type: 'IMPORT',
      message: 'done',
      created: '2026-01-01T00:00:00Z',
      modified: '2026-01-01T00:01:00Z',
      completed: '2026-01-01T00:02:00Z',
      expiration: '2026-01-08T00:00:00Z',
    });
  });

  it('reads absent or non-string fields as null (expiration is optional since 2026)', () => {
    expect(parseImportStatus({ status: 'IN_PROGRESS', type: 1, message: null, completed: {} }, 'j')).toEqual({
      jobId: 'j',
      status: 'IN_PROGRESS',
      type: null,
      message: null,
      created: null,
      modified: null,
      completed: null,
      expiration: null,
    });
  });

  it('shortens a message past its limit and drops a date or type longer than any real one (they go into every answer)', () => {
    const long = 'm'.repeat(STATUS_TEXT_LIMITS.message + 1);
    const parsed = parseImportStatus(
      {
        status: 'FAILED',
        message: long,
        type: 'T'.repeat(65),
        created: `2026-01-01T00:00:00Z${' '.repeat(60)}`,
        completed: '2026-01-01T00:02:00Z',
      },
      'j',
    );
    expect(parsed.message).toBe(`${long.slice(0, STATUS_TEXT_LIMITS.message - 1)}…`);
    expect(parsed.message).toHaveLength(STATUS_TEXT_LIMITS.message);
    expect(parsed).toMatchObject({ type: null, created: null, completed: '2026-01-01T00:02:00Z' });
    const exact = 'm'.repeat(STATUS_TEXT_LIMITS.message);
    expect(parseImportStatus({ status: 'FAILED', message: exact, type: 'T'.repeat(64) }, 'j')).toMatchObject({
      message: exact,
      type: 'T'.repeat(64),
    });
  });

  it.each(['NOT_STARTED', 'IN_PROGRESS', 'COMPLETE', 'FAILED', 'CANCELLED'])('accepts %s', (status) => {
    expect(parseImportStatus({ status }, 'j').status).toBe(status);
  });

  it.each([
    ['an unknown status', { status: 'PENDING' }, 'ISC reported import j with status "PENDING".'],
    ['a lower-case status', { status: 'complete' }, 'ISC reported import j with status "complete".'],
    ['a missing status', {}, 'ISC reported import j with status missing.'],
    ['a numeric status', { status: 3 }, 'ISC reported import j with status missing.'],
    ['a null body', null, 'ISC reported import j with status missing.'],
    ['a string body', 'COMPLETE', 'ISC reported import j with status missing.'],
    ['a long status, cut at 40 characters', { status: 'X'.repeat(100) }, `ISC reported import j with status "${'X'.repeat(40)}".`],
  ])('refuses %s with a retryable IscUnexpectedStatus', (_case, body, message) => {
    let thrown: unknown;
    try {
      parseImportStatus(body, 'j');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IscError);
    expect(thrown).toMatchObject({
      name: 'IscUnexpectedStatus',
      code: 'IscUnexpectedStatus',
      retryable: true,
      phase: 'status',
      jobId: 'j',
      message,
    });
  });
});
