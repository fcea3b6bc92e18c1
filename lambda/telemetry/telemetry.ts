import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, PRODUCT } from '../contract/constants.ts';
import { ArchiverError } from '../core/errors.ts';
import type { Log } from '../core/log.ts';
import type { ChangesRecord } from '../domain/changes.ts';
import type { Summary } from '../domain/summary.ts';

export const SERVICE = PRODUCT;
export { METRICS_NAMESPACE };

/** Structured JSON logs; the level follows POWERTOOLS_LOG_LEVEL / AWS_LAMBDA_LOG_LEVEL (default INFO). */
export function createLogger(): Logger {
  return new Logger({ serviceName: SERVICE });
}

export function asLog(logger: Logger): Log {
  return {
    debug: (message, extra) => (extra ? logger.debug(message, extra) : logger.debug(message)),
    info: (message, extra) => (extra ? logger.info(message, extra) : logger.info(message)),
    warn: (message, extra) => (extra ? logger.warn(message, extra) : logger.warn(message)),
    error: (message, extra) => (extra ? logger.error(message, extra) : logger.error(message)),
  };
}

/** Embedded-metric-format metrics, one flush per invocation. */
export class ArchiveMetrics {
  readonly #metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE, serviceName: SERVICE });
  // Reads (GET routes) record nothing; flushing then would only print Powertools' empty warning.
  #recorded = false;

  archived(
    outcome: string,
    archive: { readonly summary: Summary; readonly changes?: ChangesRecord },
    bytes: number,
    durationMs: number,
  ): void {
    const m = this.#metrics;
    const { summary, changes } = archive;
    this.#recorded = true;
    if (outcome === 'ALREADY_ARCHIVED') m.addMetric('AlreadyArchived', MetricUnit.Count, 1);
    else {
      m.addMetric(outcome === 'CANCELLED' ? 'CancelledArchived' : 'JobsArchived', MetricUnit.Count, 1);
      m.addMetric('ImportErrors', MetricUnit.Count, summary.totals.errors);
      m.addMetric('ImportWarnings', MetricUnit.Count, summary.totals.warnings);
      m.addMetric('ImportsWithErrors', MetricUnit.Count, summary.totals.errors > 0 ? 1 : 0);
      m.addMetric('BytesArchived', MetricUnit.Bytes, bytes);
      if (changes?.state === 'COMPUTED') {
        m.addMetric('ObjectsChanged', MetricUnit.Count, changes.counts.changed);
        m.addMetric('ObjectsCreated', MetricUnit.Count, changes.counts.created);
      }
      m.addMetric('ArchiveDuration', MetricUnit.Milliseconds, durationMs);
    }
  }

  /** A running import's wait continues in a new invocation: busy, not broken. */
  continued(): void {
    this.#recorded = true;
    this.#metrics.addMetric('ContinuedWaiting', MetricUnit.Count, 1);
  }

  /** A restore preview or apply was submitted to ISC. */
  restoreStarted(preview: boolean): void {
    this.#recorded = true;
    this.#metrics.addMetric(preview ? 'RestorePreviews' : 'RestoresApplied', MetricUnit.Count, 1);
  }

  accepted(): void {
    this.#recorded = true;
    this.#metrics.addMetric('HandedOff', MetricUnit.Count, 1);
  }

  failed(error: unknown): void {
    const kind = error instanceof ArchiverError ? error.code : 'Unexpected';
    const single = this.#metrics.singleMetric();
    single.addDimension('FailureKind', kind);
    single.addMetric('Failures', MetricUnit.Count, 1);
    this.#metrics.addMetric('Failures', MetricUnit.Count, 1);
    this.#recorded = true;
  }

  flush(): void {
    if (!this.#recorded) return;
    this.#recorded = false;
    this.#metrics.publishStoredMetrics();
  }
}
