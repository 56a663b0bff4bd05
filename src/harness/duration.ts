// Durations as people type them on a command line or in an environment variable.

/** `90s`, `10m`, `1h`, `500ms`, `1.5h`, in milliseconds. Throws a RangeError that shows the form. */
export function parseDurationMs(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(text);
  if (match === null) throw new RangeError(`expected a duration such as 90s, 10m or 1h, got '${text}'`);
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  const durationMs = Math.round(Number(match[1]) * unitMs);
  if (durationMs < 1 || durationMs > 366 * 24 * 3_600_000) throw new RangeError(`a duration must be from 1 ms to a year, got '${text}'`);
  return durationMs;
}
