// Text that came from a file or an engine (a member's name, a task's name, a saved violation, a
// snippet of a bad file) is printed only through these, so that it cannot drive the terminal or
// forge a line of the report: control characters (C0, DEL, C1, which include ESC and the 8-bit
// CSI), the Unicode line and paragraph separators and the bidirectional controls are written as
// escapes, and within one line of output a line break is an escape too.

/** Code points written as escapes wherever they appear. */
const unsafeCharacters = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
/** The same, less the line feed that separates the lines of a multi-line text. */
const unsafeExceptLineFeed = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const named: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(character: string): string {
  const named_ = named[character];
  if (named_ !== undefined) return named_;
  const code = character.codePointAt(0) ?? 0;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line, safe to print: every control character and line break escaped. */
export function printable(text: string): string {
  return text.replace(unsafeCharacters, escape);
}

/** A text of several lines, safe to print: line feeds kept, every other control escaped. */
export function printableLines(text: string): string {
  return text.replace(unsafeExceptLineFeed, escape);
}

/**
 * JSON for a terminal: JSON.stringify escapes C0 controls already; this also writes C1 controls,
 * the line separators and the bidirectional controls as \u escapes, which parse back the same.
 */
export function printableJson(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(unsafeCharacters, (character) => `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}
