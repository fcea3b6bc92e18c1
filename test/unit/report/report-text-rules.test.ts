import { describe, expect, it } from 'vitest';
import { BoundedText, clipText, cut, newline } from '../../../lambda/report/bounded-text.ts';
import { escapeHtml, escapeText } from '../../../lambda/report/html-escape.ts';
import { detailText, jsonText } from '../../../lambda/report/json-text.ts';
import { PageBudget, pageCost } from '../../../lambda/report/page-budget.ts';
import { valueText } from '../../../lambda/report/value-text.ts';

describe('pageCost (bytes the page costs inside a JSON response)', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['"', 2],
    ['\\', 2],
    ['\n', 2],
    ['\u001f', 2],
    [' ', 1],
    ['\u007f', 1],
    ['é', 2],
    ['\u07ff', 2],
    ['\u0800', 3],
    ['€', 3],
    ['😀', 4],
    ['\ud83d', 3],
    ['\ud83dx', 4],
    ['\ud83d\ud83d', 6],
    ['\ude00', 3],
    ['\uffff', 3],
    ['a"😀é', 9],
  ])('%j costs %i', (html, cost) => {
    expect(pageCost(html)).toBe(cost);
  });
});

describe('PageBudget', () => {
  it('takes a piece that fits exactly, refuses one that does not, and charges only what it took', () => {
    const budget = new PageBudget(5);
    expect(budget.take('abcd')).toBe(true);
    expect(budget.left).toBe(1);
    expect(budget.take('"')).toBe(false);
    expect(budget.left).toBe(1);
    expect(budget.take('a')).toBe(true);
    expect(budget.left).toBe(0);
    expect(budget.take('')).toBe(true);
  });

  it('starts at zero for a negative size', () => {
    expect(new PageBudget(-10).left).toBe(0);
  });

  it('always spends headings, even into debt, and returns them as they are', () => {
    const budget = new PageBudget(2);
    expect(budget.spend('<h2>')).toBe('<h2>');
    expect(budget.left).toBe(-2);
    expect(budget.take('')).toBe(false);
  });

  it('gives a share no more than it has left, and charges the parent for what the share takes', () => {
    const page = new PageBudget(10);
    const section = page.share(4);
    expect(section.left).toBe(4);
    expect(section.take('abc')).toBe(true);
    expect(page.left).toBe(7);
    expect(section.left).toBe(1);
    section.spend('xy');
    expect(page.left).toBe(5);
    expect(page.share(100).left).toBe(5);
  });

  it('limits a share by what the parent has left now, not when it was made', () => {
    const page = new PageBudget(10);
    const section = page.share(8);
    page.spend('1234567');
    expect(section.left).toBe(3);
    expect(section.take('abcd')).toBe(false);
    expect(section.take('abc')).toBe(true);
    expect(page.left).toBe(0);
  });

  it('charges every ancestor', () => {
    const page = new PageBudget(100);
    const inner = page.share(50).share(10);
    inner.take('12345');
    expect(page.left).toBe(95);
  });
});

describe('escapeHtml and escapeText', () => {
  it.each([
    ['<b a="1">&\'</b>', '&lt;b a=&quot;1&quot;&gt;&amp;&#39;&lt;/b&gt;'],
    ['\u0000\u0008\u000b\u000c\u000e\u001f', '\u2400\u2408\u240b\u240c\u240e\u241f'],
    ['\t\n\r', '\t\n\r'],
    ['\u007f', '\u2421'],
    ['\u0080\u009f', '\ufffd\ufffd'],
    ['\ud800 x \udfff', '\ufffd x \ufffd'],
    ['\ufdd0\uffff', '\ufffd\ufffd'],
    ['😀 é €', '😀 é €'],
  ])('escapeHtml(%j) is %j', (input, output) => {
    expect(escapeHtml(input)).toBe(output);
  });

  it.each([
    [null, ''],
    [undefined, ''],
    [0, '0'],
    [false, 'false'],
    [12.5, '12.5'],
  ])('escapeHtml(%j) is %j', (input, output) => {
    expect(escapeHtml(input)).toBe(output);
  });

  it('leaves quotes alone between tags but escapes the rest', () => {
    expect(escapeText('"a" \'b\' <c> & \u0001 \u0085')).toBe('"a" \'b\' &lt;c&gt; &amp; \u2401 \ufffd');
  });
});

describe('bounded text', () => {
  it.each([
    ['abc', 0, ''],
    ['abc', -1, ''],
    ['abc', 2, 'ab'],
    ['abc', 5, 'abc'],
    ['a😀', 2, 'a'],
    ['a😀', 3, 'a😀'],
  ])('cut(%j, %i) is %j', (text, length, out) => {
    expect(cut(text, length)).toBe(out);
  });

  it('indents two spaces a level, up to 16 levels', () => {
    expect(newline(0)).toBe('\n');
    expect(newline(2)).toBe('\n    ');
    expect(newline(16)).toBe(`\n${' '.repeat(32)}`);
    expect(newline(40)).toBe(`\n${' '.repeat(32)}`);
  });

  it('clipText keeps text at the limit whole', () => {
    expect(clipText('abc', 3)).toEqual({ text: 'abc', shortened: false });
    expect(clipText('abcd', 3)).toEqual({ text: 'abc', shortened: true });
  });

  it('BoundedText fills to the limit, then ignores the rest', () => {
    const out = new BoundedText(5);
    out.write('abc');
    expect(out.full).toBe(false);
    out.write('de');
    expect(out.full).toBe(false);
    expect(out.result()).toEqual({ text: 'abcde', shortened: false });
    out.write('f');
    expect(out.full).toBe(true);
    out.write('g');
    expect(out.result()).toEqual({ text: 'abcde', shortened: true });
  });

  it('BoundedText says shortened when something was elided', () => {
    const out = new BoundedText(100);
    out.write('x');
    out.elide();
    expect(out.result()).toEqual({ text: 'x', shortened: true });
    expect(out.full).toBe(false);
  });
});

describe('valueText, value by value', () => {
  it.each([
    ['a non-finite number', Number.NaN, 'null'],
    ['infinity', Number.POSITIVE_INFINITY, 'null'],
    ['a bigint', 12n, '12'],
    ['true', true, 'true'],
    ['undefined at the top', undefined, 'null'],
    ['a function at the top', () => 1, 'null'],
    ['an empty array', [], '[]'],
    ['an object of only undefined and functions', { a: undefined, b: () => 1, c: Symbol('s') }, '{}'],
    ['undefined items of an array', [undefined, () => 1, 1], '[\n  null,\n  null,\n  1\n]'],
    ['skipped keys in between', { a: 1, b: undefined, c: 2 }, '{\n  "a": 1,\n  "c": 2\n}'],
    ['a skipped first key', { a: undefined, b: 2 }, '{\n  "b": 2\n}'],
  ])('writes %s as JSON would', (_case, value, text) => {
    expect(valueText(value, 1000)).toEqual({ text, shortened: false });
  });

  it('cuts a long key to the limit', () => {
    expect(valueText({ ['k'.repeat(30)]: 1 }, 10)).toEqual({ text: '{\n  "kkkkk', shortened: true });
  });

  it('shows a value with a throwing getter as far as it went, marked shortened', () => {
    const value = {
      a: 1,
      get b(): number {
        throw new Error('no');
      },
    };
    expect(valueText(value, 1000)).toEqual({ text: '{\n  "a": 1 …', shortened: true });
  });

  it('stops exactly at the limit and says so', () => {
    expect(valueText([1, 2, 3], 6)).toEqual({ text: '[\n  1,', shortened: true });
    expect(valueText([1], 7)).toEqual({ text: '[\n  1\n]', shortened: false });
  });
});

describe('jsonText and detailText', () => {
  it.each([
    ['{"a":[1,2],"b":{}}', '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {}\n}'],
    [' [ "x" , true ]\n', '[\n  "x",\n  true\n]'],
    ['{"s":"a,b:{c}[d]\\"e"}', '{\n  "s": "a,b:{c}[d]\\"e"\n}'],
    ['[]', '[]'],
  ])('indents %j', (text, shown) => {
    expect(jsonText(text, 1000)).toEqual({ text: shown, shortened: false });
  });

  it('marks JSON text cut short by the scanner', () => {
    expect(jsonText('{"a":"unterminated', 1000)).toEqual({ text: '{\n  "a": "unterminated', shortened: false });
  });

  it('collapses containers deeper than 32 levels and says shortened', () => {
    const deep = `${'['.repeat(33)}{"x":[1]}${']'.repeat(33)}`;
    const shown = jsonText(deep, 100_000);
    expect(shown.shortened).toBe(true);
    expect(shown.text).toContain(`${' '.repeat(32)}[…]`);
    expect(shown.text).not.toContain('"x"');
    expect(jsonText(`${'['.repeat(32)}${']'.repeat(32)}`, 100_000).shortened).toBe(false);
    expect(shown.text.endsWith(']')).toBe(true);
  });

  it('reads at most 16 times its limit (at least 64 KiB) and marks the rest', () => {
    const long = `[${'1,'.repeat(40_000)}1]`;
    const shown = jsonText(long, 10_000);
    expect(shown.shortened).toBe(true);
    expect(shown.text.length).toBe(10_000);
    const padded = `[${' '.repeat(70_000)}1]`;
    expect(jsonText(padded, 100)).toEqual({ text: '[ …', shortened: true });
    expect(jsonText(padded, 5_000)).toEqual({ text: '[\n  1\n]', shortened: false });
  });

  it.each([
    ['a JSON object text', '  {"a":1}', { text: '{\n  "a": 1\n}', shortened: false }],
    ['a JSON array text', '[1]', { text: '[\n  1\n]', shortened: false }],
    ['plain text', 'not { json', { text: 'not { json', shortened: false }],
    ['plain text over the limit', 'abcdef', { text: 'abc', shortened: true }],
    ['a value', { a: 1 }, { text: '{\n  "a": 1\n}', shortened: false }],
    ['a number', 5, { text: '5', shortened: false }],
  ])('detailText shows %s', (_case, detail, shown) => {
    expect(detailText(detail, _case === 'plain text over the limit' ? 3 : 1000)).toEqual(shown);
  });

  it('treats text with more than 256 leading spaces as plain text', () => {
    const text = `${' '.repeat(257)}{"a":1}`;
    expect(detailText(text, 1000)).toEqual({ text, shortened: false });
    expect(detailText(`${' '.repeat(256)}{"a":1}`, 1000).text).toBe('{\n  "a": 1\n}');
  });
});
