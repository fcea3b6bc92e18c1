import { describe, expect, it } from 'vitest';
import { planRestore, sameSelection } from '../../../lambda/restore/restore-plan.ts';

const touched = [
  { type: 'TRANSFORM', id: 'T-AFTER', name: 'Lowercase' },
  { type: 'SOURCE', id: 'S-NEW', name: 'HR feed' },
  { type: 'RULE', id: 'r1', name: 'Rule One' },
  { type: 'IDENTITY_PROFILE', id: '', name: 'Employees' },
  { type: 'ACCESS_PROFILE', id: 'a1', name: 'Not importable' },
];
const backup = [
  { type: 'TRANSFORM', id: 'T-BEFORE', name: 'Lowercase' },
  { type: 'RULE', id: 'r1', name: 'Rule One renamed since' },
  { type: 'IDENTITY_PROFILE', id: 'ip-9', name: 'Employees' },
  { type: 'RULE', id: 'r2', name: 'Untouched rule' },
];

describe('planRestore', () => {
  it("selects the touched objects the backup holds, by the backup's ids, matching by id then by name", () => {
    const plan = planRestore(touched, backup);
    expect(plan.selection).toEqual({
      includeTypes: ['IDENTITY_PROFILE', 'RULE', 'TRANSFORM'],
      objectOptions: {
        IDENTITY_PROFILE: { includedIds: ['ip-9'], includedNames: [] },
        RULE: { includedIds: ['r1'], includedNames: [] },
        TRANSFORM: { includedIds: ['T-BEFORE'], includedNames: [] },
      },
    });
  });

  it('lists what cannot come back: objects the import created, types import does not support', () => {
    const plan = planRestore(touched, backup);
    expect(plan.notRestorable).toEqual([
      { type: 'SOURCE', id: 'S-NEW', name: 'HR feed', reason: expect.stringMatching(/created it, and restore cannot delete/) },
      { type: 'ACCESS_PROFILE', id: 'a1', name: 'Not importable', reason: 'Import does not support ACCESS_PROFILE objects.' },
    ]);
  });

  it('narrows to the types the caller names, and never selects an untouched object', () => {
    const plan = planRestore(touched, backup, ['RULE']);
    expect(plan.selection).toEqual({ includeTypes: ['RULE'], objectOptions: { RULE: { includedIds: ['r1'], includedNames: [] } } });
    expect(plan.notRestorable).toEqual([]);
  });

  it('selects nothing when the backup holds none of the touched objects', () => {
    expect(planRestore(touched, []).selection.includeTypes).toEqual([]);
  });

  it("matches as the changes do: an id whatever its case, a name by its first backup entry (by the backup's own id)", () => {
    const plan = planRestore(
      [
        { type: 'TRANSFORM', id: 'ABCDEF', name: 'x' },
        { type: 'RULE', id: '', name: 'Twice' },
      ],
      [
        { type: 'TRANSFORM', id: 'abcdef', name: 'x' },
        { type: 'RULE', id: 'first', name: 'Twice' },
        { type: 'RULE', id: 'second', name: 'Twice' },
      ],
    );
    expect(plan.notRestorable).toEqual([]);
    expect(plan.selection.objectOptions).toEqual({
      RULE: { includedIds: ['first'], includedNames: [] },
      TRANSFORM: { includedIds: ['abcdef'], includedNames: [] },
    });
  });

  it('gives keys from ISC no power over the maps it builds', () => {
    const plan = planRestore([{ type: '__proto__', id: 'x', name: 'y' }], [{ type: '__proto__', id: 'x', name: 'y' }]);
    expect(plan.selection.includeTypes).toEqual([]);
    expect(({} as Record<string, unknown>).includedIds).toBeUndefined();
  });
});

describe('sameSelection', () => {
  const a = {
    includeTypes: ['RULE', 'TRANSFORM'],
    objectOptions: { RULE: { includedIds: ['r1', 'r2'], includedNames: [] }, TRANSFORM: { includedIds: ['t'], includedNames: [] } },
  };

  it('ignores order', () => {
    const b = {
      includeTypes: ['TRANSFORM', 'RULE'],
      objectOptions: { TRANSFORM: { includedIds: ['t'], includedNames: [] }, RULE: { includedIds: ['r2', 'r1'], includedNames: [] } },
    };
    expect(sameSelection(a, b)).toBe(true);
  });

  it.each([
    ['another id', { ...a, objectOptions: { ...a.objectOptions, RULE: { includedIds: ['r1'], includedNames: [] } } }],
    ['another type', { ...a, includeTypes: ['RULE'] }],
    ['a name', { ...a, objectOptions: { ...a.objectOptions, TRANSFORM: { includedIds: ['t'], includedNames: ['x'] } } }],
  ])('tells %s apart', (_what, b) => {
    expect(sameSelection(a, b)).toBe(false);
  });
});
