import type { ApiVersion } from '../contract/constants.ts';

export { API_VERSIONS, type ApiVersion } from '../contract/constants.ts';

/** Paths of the sp-config endpoints the archiver calls, per API family (see isc-api.md). */
export interface IscPaths {
  importStatus(jobId: string): string;
  importResults(jobId: string): string;
  exportStatus(jobId: string): string;
  exportDocument(jobId: string): string;
  /** `POST`: starts an export (JSON ExportPayload); answers 202 with the job. */
  exportStart(): string;
  /** `POST`: starts an import (multipart `data` and `options`); with `preview`, ISC imports nothing. */
  importStart(preview: boolean): string;
}

export function iscPaths(version: ApiVersion): IscPaths {
  // v1 is the per-service family (/sp-config/v1/...); the others put the version first.
  const base = version === 'v1' ? '/sp-config/v1' : `/${version}/sp-config`;
  // Job ids are validated before they get here; encoding is a second guard on the path.
  const id = (jobId: string) => encodeURIComponent(jobId);
  return {
    importStatus: (jobId) => `${base}/import/${id(jobId)}`,
    importResults: (jobId) => `${base}/import/${id(jobId)}/download`,
    exportStatus: (jobId) => `${base}/export/${id(jobId)}`,
    exportDocument: (jobId) => `${base}/export/${id(jobId)}/download`,
    exportStart: () => `${base}/export`,
    importStart: (preview) => (preview ? `${base}/import?preview=true` : `${base}/import`),
  };
}
