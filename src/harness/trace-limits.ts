// The trace format's name, version and bounds, apart from its definition (trace-schema.ts), so
// that a command line can offer and check them without loading the schema library.

import { scenarioLimits } from './scenario.ts';

export const traceFormat = 'library-sim-trace';
export const traceFormatVersion = 1;

/** Bounds on a trace file: a file past any of them is refused, never half-used. */
export const traceFileLimits = {
  fileBytesMax: 64 * 1024 * 1024,
  booksMax: scenarioLimits.booksMax,
  membersMax: scenarioLimits.membersMax,
  operationsMax: scenarioLimits.operationsMax,
  choicesMax: 5_000_000,
  eventsMax: 5_000_000,
  violationsMax: 5_000_000,
  /** The step bound a trace may ask its replay to run under; `sim run --max-steps` shares it. */
  maxStepsMax: 100_000_000,
  /** Member names, the strategy, a bug's name. */
  nameLengthMax: 200,
  taskNameLengthMax: 1000,
  /** A deadlock's message names every blocked task, so it may be long. */
  messageLengthMax: 4_000_000,
  pathLengthMax: 4096,
  fileNameLengthMax: 200,
  /** Fields an engine may add to an event beyond the format's own (kept, and hashed with it). */
  extraEventFieldsMax: 16,
} as const;
