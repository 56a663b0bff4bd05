// How the stress command prints: one line at a time, escaped, and distributions as percentiles.

import { printable } from '../src/printable.ts';

export function say(line: string): void {
  process.stdout.write(`${printable(line)}\n`);
}

/** The value at percentile `p` (0-100) of `values`, by nearest rank; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export function distribution(values: readonly number[]): string {
  if (values.length === 0) return 'none';
  const ms = (value: number): string => value.toFixed(1);
  return `p50 ${ms(percentile(values, 50))} p90 ${ms(percentile(values, 90))} p99 ${ms(percentile(values, 99))} max ${ms(percentile(values, 100))} ms (${values.length})`;
}
