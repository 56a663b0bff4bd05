// The shape every history checker has. Each checker is a pure function of the run's history:
// it reads the recorded events and the end state, and reports every place its rule broke.

import type { InvariantName, RecordedEvent, RunHistory, Violation } from './history.ts';

export interface Invariant {
  readonly name: InvariantName;
  /** The rule in one sentence, as a person reading a failure report needs it. */
  readonly description: string;
  /** Every violation of the rule in `history`, in the order the checker met them. */
  check(history: RunHistory): Violation[];
}

/** The recorded event of one type, e.g. `EventOf<'borrowed'>`. */
export type EventOf<Type extends RecordedEvent['type']> = Extract<RecordedEvent, { readonly type: Type }>;
