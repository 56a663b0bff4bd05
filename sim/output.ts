// Everything the command line prints goes through here (a lint rule keeps it so): each line is
// made printable (src/printable.ts), so a crafted trace or engine cannot clear the screen, set
// the window title or add a line such as `summary: passes now` of its own.

import { printable, printableJson, printableLines } from '../src/printable.ts';

/** Prints each string as one line of standard output. */
export function printLines(lines: readonly string[]): void {
  if (lines.length === 0) return;
  process.stdout.write(`${lines.map(printable).join('\n')}\n`);
}

export function printLine(line: string): void {
  printLines([line]);
}

/** Prints one JSON document as one line of standard output. */
export function printJson(value: unknown): void {
  process.stdout.write(`${printableJson(value)}\n`);
}

/** One line on standard error, `sim: ` first: a problem, a warning, a note on progress. */
export function warn(message: string): void {
  process.stderr.write(`sim: ${printable(message)}\n`);
}

/** One line on standard error as it is given, without the `sim: ` prefix. */
export function note(line: string): void {
  process.stderr.write(`${printable(line)}\n`);
}

/** Text of several lines on standard error (a stack trace), line breaks kept, controls escaped. */
export function noteLines(text: string): void {
  process.stderr.write(`${printableLines(text)}\n`);
}

/**
 * The sweep's progress line on a terminal: its own carriage return and erase-line sequence are
 * the only control characters the command line writes, around text of its own (numbers).
 */
export function drawProgressLine(text: string): void {
  process.stderr.write(`\r\x1b[2K${printable(text)}`);
}

/** Erases the progress line. */
export function clearProgressLine(): void {
  process.stderr.write('\r\x1b[2K');
}

/** Commander's own output (help, errors), controls escaped. */
export const commanderOutput = {
  writeOut: (text: string): void => {
    process.stdout.write(printableLines(text));
  },
  writeErr: (text: string): void => {
    process.stderr.write(printableLines(text));
  },
};
