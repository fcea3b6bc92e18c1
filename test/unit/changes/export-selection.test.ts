import { describe, expect, it } from 'vitest';
import { exportSelection } from '../../../lambda/changes/export-selection.ts';
import { schemaProblems } from '../../support/openapi-check.ts';
import { OBJECT_TYPES } from '../../support/sp-config-schemas.ts';

// ExportPayload of the sp-config beta spec (../shared/reference/openapi/sp-config-beta.json):
// ExportOptions plus `description`; every field optional, `objectOptions` a map of
// ObjectExportImportOptions. The type enum is the spec's.
const TYPES = OBJECT_TYPES;
const EXPORT_PAYLOAD = {
  type: 'object',
  properties: {
    description: { type: 'string' },
    excludeTypes: { type: 'array', items: { type: 'string', enum: TYPES } },
    includeTypes: { type: 'array', items: { type: 'string', enum: TYPES } },
    objectOptions: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: {
          includedIds: { type: 'array', items: { type: 'string' } },
          includedNames: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

describe('exportSelection', () => {
  it('selects exactly the touched objects, by id, in a payload the spec accepts', () => {
    const payload = exportSelection(
      [
        { type: 'TRANSFORM', id: 'b2', name: 'Department Lowercase' },
        { type: 'SOURCE', id: 'a1', name: 'Active Directory EMEA' },
        { type: 'TRANSFORM', id: 'a2', name: 'Title Case' },
      ],
      'After-state of import ef38f94347e94562b5bb8424a56397d8',
    );
    expect(payload).toEqual({
      description: 'After-state of import ef38f94347e94562b5bb8424a56397d8',
      excludeTypes: [],
      includeTypes: ['SOURCE', 'TRANSFORM'],
      objectOptions: { SOURCE: { includedIds: ['a1'], includedNames: [] }, TRANSFORM: { includedIds: ['a2', 'b2'], includedNames: [] } },
    });
    expect(schemaProblems(payload, EXPORT_PAYLOAD)).toEqual([]);
    for (const selection of Object.values(payload!.objectOptions))
      expect(Object.keys(selection).sort()).toEqual(['includedIds', 'includedNames']);
    expect(Object.keys(payload!).sort()).toEqual(Object.keys(EXPORT_PAYLOAD.properties).sort());
  });

  it('selects by name where the results give no id, and asks for each object once', () => {
    const payload = exportSelection(
      [
        { type: 'RULE', id: '', name: 'Build Department' },
        { type: 'RULE', id: 'C3', name: 'x' },
        { type: 'RULE', id: 'c3', name: 'x' },
        { type: 'RULE', id: ' ', name: 'Build Department' },
      ],
      'd',
    );
    expect(payload?.objectOptions).toEqual({ RULE: { includedIds: ['C3'], includedNames: ['Build Department'] } });
  });

  it('leaves out a type with nothing to select, as an empty selection would export all of it', () => {
    expect(
      exportSelection(
        [
          { type: 'SOURCE', id: '', name: '' },
          { type: 'RULE', id: 'r1', name: '' },
        ],
        'd',
      )?.includeTypes,
    ).toEqual(['RULE']);
    expect(exportSelection([{ type: 'SOURCE', id: '', name: '' }], 'd')).toBeUndefined();
    expect(exportSelection([], 'd')).toBeUndefined();
  });
});
