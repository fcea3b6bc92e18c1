// The bench's figures: each case a value against a floor, the ratio, the target and the verdict.

export interface Case {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly floor: number;
  readonly ratio: number;
  readonly target: number;
  /** `=`: the ratio must equal the target exactly (a count); `<=` otherwise. */
  readonly compare: '<=' | '=';
  pass: boolean;
  readonly note?: string;
}

export class Scorecard {
  readonly cases: Case[] = [];

  record(name: string, unit: string, value: number, floor: number, target: number, options: { exact?: boolean; note?: string } = {}): Case {
    // The ratio is of the figures as reported, so anyone can check it from the table.
    const [shownValue, shownFloor] = [round(value, 2), round(floor, 2)];
    // Judged on the ratio as shown too, so a verdict never contradicts its own table (1.1002 shows 1.1).
    const ratio = round(shownValue / shownFloor, 3);
    const compare = options.exact ? '=' : '<=';
    const c: Case = {
      name,
      unit,
      value: shownValue,
      floor: shownFloor,
      ratio,
      target,
      compare,
      pass: compare === '=' ? ratio === target : ratio <= target,
      ...(options.note ? { note: options.note } : {}),
    };
    this.cases.push(c);
    console.log(
      `  ${c.pass ? 'pass' : 'FAIL'}  ${name}: ${c.value} ${unit} vs ${c.floor} → ${c.ratio} (target ${compare} ${target})${c.note ? `  [${c.note}]` : ''}`,
    );
    return c;
  }

  table(): string {
    const rows = [
      ['case', 'value', 'floor', 'ratio', 'target', 'pass'],
      ...this.cases.map((c) => [
        c.name,
        `${c.value} ${c.unit}`,
        `${c.floor} ${c.unit}`,
        String(c.ratio),
        `${c.compare} ${c.target}`,
        c.pass ? 'yes' : 'NO',
      ]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n');
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
