// The benchmark's small shared helpers: medians and how a rate is printed.

/** The median of `values` (the upper middle one for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted.length === 0 ? Number.NaN : (sorted[Math.floor(sorted.length / 2)] as number);
}

/** A rate for a table: rounded, with thousands separators. */
export function perSecond(value: number): string {
  return Math.round(value).toLocaleString('en');
}
