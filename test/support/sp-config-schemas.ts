// The request and response shapes of ISC's sp-config beta API that the archiver uses, written down
// from the official spec extract (../shared/reference/openapi/sp-config-beta.json) in the subset of
// JSON Schema that spec uses, so the tests need nothing outside this repository. The spec's `allOf`
// compositions are written out flat.

/** The spec's object type enum, written down independently of the code it checks. */
export const OBJECT_TYPES = [
  'ACCESS_PROFILE',
  'ACCESS_REQUEST_CONFIG',
  'ATTR_SYNC_SOURCE_CONFIG',
  'AUTH_ORG',
  'CAMPAIGN_FILTER',
  'CONNECTOR_RULE',
  'FORM_DEFINITION',
  'GOVERNANCE_GROUP',
  'IDENTITY_OBJECT_CONFIG',
  'IDENTITY_PROFILE',
  'LIFECYCLE_STATE',
  'NOTIFICATION_TEMPLATE',
  'PASSWORD_POLICY',
  'PASSWORD_SYNC_GROUP',
  'PUBLIC_IDENTITIES_CONFIG',
  'ROLE',
  'RULE',
  'SEGMENT',
  'SERVICE_DESK_INTEGRATION',
  'SOD_POLICY',
  'SOURCE',
  'TAG',
  'TRANSFORM',
  'TRIGGER_SUBSCRIPTION',
  'WORKFLOW',
];

const IMPORTABLE = ['CONNECTOR_RULE', 'IDENTITY_OBJECT_CONFIG', 'IDENTITY_PROFILE', 'RULE', 'SOURCE', 'TRANSFORM', 'TRIGGER_SUBSCRIPTION'];

const JOB_PROPERTIES = {
  jobId: { type: 'string' },
  status: { type: 'string', enum: ['NOT_STARTED', 'IN_PROGRESS', 'COMPLETE', 'CANCELLED', 'FAILED'] },
  type: { type: 'string', enum: ['EXPORT', 'IMPORT'] },
  expiration: { type: 'string' },
  created: { type: 'string' },
  modified: { type: 'string' },
};

export const SCHEMAS: Record<string, object> = {
  /** POST .../sp-config/export body: ExportOptions plus a description. */
  ExportPayload: {
    type: 'object',
    properties: {
      description: { type: 'string' },
      excludeTypes: { type: 'array', items: { type: 'string', enum: OBJECT_TYPES } },
      includeTypes: { type: 'array', items: { type: 'string', enum: OBJECT_TYPES } },
      objectOptions: { type: 'object', additionalProperties: { $ref: 'ObjectExportImportOptions' } },
    },
  },
  ObjectExportImportOptions: {
    type: 'object',
    properties: {
      includedIds: { type: 'array', items: { type: 'string' } },
      includedNames: { type: 'array', items: { type: 'string' } },
    },
  },
  /** The `options` part of POST .../sp-config/import: types limited to those import supports. */
  ImportOptions: {
    type: 'object',
    properties: {
      excludeTypes: { type: 'array', items: { type: 'string', enum: IMPORTABLE } },
      includeTypes: { type: 'array', items: { type: 'string', enum: IMPORTABLE } },
      objectOptions: { type: 'object', additionalProperties: { $ref: 'ObjectExportImportOptions' } },
      defaultReferences: { type: 'array', items: { type: 'string', enum: IMPORTABLE } },
      excludeBackup: { type: 'boolean' },
    },
  },
  /** The 202 answer of POST .../sp-config/import. */
  SpConfigJob: { type: 'object', required: ['jobId', 'status', 'type', 'created', 'modified'], properties: JOB_PROPERTIES },
  /** The 202 answer of POST .../sp-config/export (the double answers a missing description as null). */
  SpConfigExportJob: {
    type: 'object',
    required: ['jobId', 'status', 'type', 'created', 'modified'],
    properties: { ...JOB_PROPERTIES, description: { type: 'string', nullable: true } },
  },
  /** GET .../sp-config/export/{id}. */
  SpConfigExportJobStatus: {
    type: 'object',
    required: ['jobId', 'status', 'type', 'created', 'modified'],
    properties: { ...JOB_PROPERTIES, description: { type: 'string', nullable: true }, completed: { type: 'string' } },
  },
  ImportJobStatus: {
    type: 'object',
    required: ['jobId', 'status', 'type', 'created', 'modified'],
    properties: {
      jobId: { type: 'string' },
      status: { type: 'string', enum: ['NOT_STARTED', 'IN_PROGRESS', 'COMPLETE', 'CANCELLED', 'FAILED'] },
      type: { type: 'string', enum: ['EXPORT', 'IMPORT'] },
      expiration: { type: 'string' },
      created: { type: 'string' },
      modified: { type: 'string' },
      message: { type: 'string' },
      completed: { type: 'string' },
    },
  },
  ImportResults: {
    type: 'object',
    required: ['results'],
    properties: {
      results: { type: 'object', additionalProperties: { $ref: 'ObjectImportResult' } },
      exportJobId: { type: 'string' },
    },
  },
  ObjectImportResult: {
    type: 'object',
    required: ['infos', 'warnings', 'errors', 'importedObjects'],
    properties: {
      infos: { type: 'array', items: { $ref: 'SpConfigMessage' } },
      warnings: { type: 'array', items: { $ref: 'SpConfigMessage' } },
      errors: { type: 'array', items: { $ref: 'SpConfigMessage' } },
      importedObjects: { type: 'array', items: { $ref: 'ImportObject' } },
    },
  },
  SpConfigMessage: {
    type: 'object',
    required: ['key', 'text', 'details'],
    properties: {
      key: { type: 'string' },
      text: { type: 'string' },
      details: { type: 'object', additionalProperties: { type: 'object' } },
    },
  },
  ImportObject: {
    type: 'object',
    properties: {
      type: { type: 'string', enum: IMPORTABLE },
      id: { type: 'string' },
      name: { type: 'string' },
    },
  },
  ExportResults: {
    type: 'object',
    properties: {
      version: { type: 'integer' },
      timestamp: { type: 'string' },
      tenant: { type: 'string' },
      description: { type: 'string' },
      options: {
        type: 'object',
        properties: {
          excludeTypes: { type: 'array', items: { type: 'string', enum: OBJECT_TYPES } },
          includeTypes: { type: 'array', items: { type: 'string', enum: OBJECT_TYPES } },
          objectOptions: { type: 'object' },
        },
      },
      objects: { type: 'array', items: { $ref: 'ConfigObject' } },
    },
  },
  ConfigObject: {
    type: 'object',
    properties: {
      version: { type: 'integer' },
      self: {
        type: 'object',
        properties: { type: { type: 'string', enum: OBJECT_TYPES }, id: { type: 'string' }, name: { type: 'string' } },
      },
      object: { type: 'object' },
    },
  },
  ErrorResponse: {
    type: 'object',
    properties: {
      detailCode: { type: 'string' },
      trackingId: { type: 'string' },
      messages: { type: 'array', items: { $ref: 'ErrorMessage' } },
      causes: { type: 'array', items: { $ref: 'ErrorMessage' } },
    },
  },
  ErrorMessage: {
    type: 'object',
    properties: {
      locale: { type: 'string', nullable: true },
      localeOrigin: { type: 'string', enum: ['DEFAULT', 'REQUEST'], nullable: true },
      text: { type: 'string' },
    },
  },
};
