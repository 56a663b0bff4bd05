import { describe, expect, it } from 'vitest';
import { printable, printableJson, printableLines } from '../src/printable.ts';

describe('printable', () => {
  it('escapes C0 and C1 controls, DEL, line breaks, the Unicode separators and bidirectional controls', () => {
    expect(printable('a\x1b]0;title\x07b')).toBe('a\\x1b]0;title\\x07b');
    expect(printable('x\nsummary: passes now\r')).toBe('x\\nsummary: passes now\\r');
    expect(printable('\x9b2J\x7f\t')).toBe('\\x9b2J\\x7f\\t');
    expect(printable('a\u2028b\u2029c\u202ed\u2066e')).toBe('a\\u2028b\\u2029c\\u202ed\\u2066e');
  });

  it('leaves ordinary text alone, accents, symbols and emoji included', () => {
    for (const text of ['Ada', 'Zoë', '✗ single-reserver at step 3', 'member 2 (Ìñës) 🙂', 'c:\\path']) expect(printable(text)).toBe(text);
  });

  it('keeps line feeds in a multi-line text, and nothing else', () => {
    expect(printableLines('at a\n  at b\x1b[2J')).toBe('at a\n  at b\\x1b[2J');
  });

  it('writes JSON that parses back to the same value, with no raw control or separator in it', () => {
    const value = { name: 'A\x1b[2J\x9b\u2028\u202e', list: ['\n'] };
    const text = printableJson(value);
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202e]/u);
    expect(JSON.parse(text)).toEqual(value);
  });
});
