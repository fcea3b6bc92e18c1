import { describe, expect, it } from 'vitest';
import { needleFor, touchedNeedles } from '../../../lambda/changes/touched-needles.ts';

describe('needleFor: what any JSON writing of an id or name contains', () => {
  it('is the value after its opening quote when every character is written as it is', () => {
    expect(needleFor('2c91808b7c3f4e2a017c4f1e2d3a0001')).toBe('"2c91808b7c3f4e2a017c4f1e2d3a0001');
    expect(needleFor('b8d4c2e1-3a5f-4f2e-9d1c-7e6a5b4c3d2e')).toBe('"b8d4c2e1-3a5f-4f2e-9d1c-7e6a5b4c3d2e');
    expect(needleFor('Build Account Map (v2)')).toBe('"Build Account Map (v2)');
  });

  it('leaves out the quote for a number’s text, which a self may hold unquoted', () => {
    expect(needleFor('1234')).toBe('1234');
    expect(needleFor('-12.5e3')).toBe('-12.5e3');
    // Not a number: quoted as usual.
    expect(needleFor('2FA Policy')).toBe('"2FA Policy');
  });

  it('is the longest run of characters no writer escapes, when others may be escaped', () => {
    expect(needleFor('Zoë Operations Team')).toBe(' Operations Team');
    expect(needleFor('HR/Payroll feed')).toBe('Payroll feed');
    expect(needleFor('Say "hello" world')).toBe(' world');
    expect(needleFor('<Admins & Ops>')).toBe('Admins ');
  });

  it('gives none when that run is too short to pick out entries', () => {
    expect(needleFor('Ü/Ö')).toBeUndefined();
    expect(needleFor('é/ab')).toBeUndefined();
    expect(needleFor('12')).toBeUndefined();
  });
});

describe('touchedNeedles', () => {
  const ref = (type: string, id: string, name: string) => ({ type, id, name });

  it('gives one needle per distinct id and name', () => {
    expect(touchedNeedles([ref('RULE', 'abc123', 'Build Map'), ref('SOURCE', 'abc123', ''), ref('SOURCE', ' ', 'HR feed')])).toEqual([
      '"abc123',
      '"Build Map',
      '"HR feed',
    ]);
  });

  it('gives none when some id or name has no needle: then every entry must be read', () => {
    expect(touchedNeedles([ref('RULE', 'abc123', 'Build Map'), ref('SOURCE', '', 'é/ü')])).toBeUndefined();
    expect(touchedNeedles([ref('RULE', '12', 'Build Map')])).toBeUndefined();
    expect(touchedNeedles([])).toBeUndefined();
  });
});
