import type { ApiVersion } from '../lambda/contract/constants.ts';

/** Deployment choices, from CDK context (`-c name=value` or cdk.json); every one is optional. */
export interface ArchiverSettings {
  readonly bucketName?: string;
  readonly bucketKeyArn?: string;
  readonly secretArn?: string;
  readonly secretKeyArn?: string;
  readonly eventBusName?: string;
  readonly archivePrefix?: string;
  readonly iscApiVersion?: ApiVersion;
  readonly archiveBackup?: boolean;
  readonly archiveChanges?: boolean;
  readonly maxWaitMinutes?: number;
  readonly timeoutMinutes?: number;
  readonly maxConcurrency?: number;
  readonly reservedConcurrency?: number;
  readonly transitionAfterDays?: number;
  readonly objectLockMode?: 'GOVERNANCE' | 'COMPLIANCE';
  readonly objectLockDays?: number;
  readonly alarmEmail?: string;
}

/** Reads the settings from context values (strings on the command line, JSON types in cdk.json). */
export function settingsFromContext(get: (key: string) => unknown): ArchiverSettings {
  const text = (key: string) => {
    const value = get(key);
    return value === undefined || value === '' ? undefined : String(value);
  };
  const number = (key: string) => {
    const value = text(key);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n)) throw new Error(`Context ${key} must be a number, not "${value}".`);
    return n;
  };
  // A typo such as `-c archiveBackup=flase` must not quietly turn a feature off.
  const flag = (key: string) => {
    const value = text(key);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false') throw new Error(`Context ${key} must be true or false, not "${value}".`);
    return value === 'true';
  };
  return {
    bucketName: text('bucketName'),
    bucketKeyArn: text('bucketKeyArn'),
    secretArn: text('secretArn'),
    secretKeyArn: text('secretKeyArn'),
    eventBusName: text('eventBusName'),
    archivePrefix: text('archivePrefix'),
    iscApiVersion: text('iscApiVersion') as ApiVersion | undefined,
    archiveBackup: flag('archiveBackup'),
    archiveChanges: flag('archiveChanges'),
    maxWaitMinutes: number('maxWaitMinutes'),
    timeoutMinutes: number('timeoutMinutes'),
    maxConcurrency: number('maxConcurrency'),
    reservedConcurrency: number('reservedConcurrency'),
    transitionAfterDays: number('transitionAfterDays'),
    objectLockMode: text('objectLockMode') as ArchiverSettings['objectLockMode'],
    objectLockDays: number('objectLockDays'),
    alarmEmail: text('alarmEmail'),
  };
}
