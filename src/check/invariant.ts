// The shape every history checker has, and the one loop that drives them. Each checker is a pure
// function of the run's history: it reads the recorded events and the end state, and reports
// every place its rule broke.
//
// A checker does not walk the history itself. It sees the events one at a time, each with the
// model's state just before the event, and then the end of the run. That way checkHistory
// replays the model once for all rules, instead of once per rule, while each rule's logic stays
// in its own file.

import { type LibraryView, replayEvents } from './book-model.ts';
import type { InvariantName, RecordedEvent, RunHistory, Violation } from './history.ts';

/** Reports one violation at `step`. Callers build the message only once they know it is needed. */
export type Report = (step: number, message: string) => void;

/** One rule checking one history: shown every event in order, then the end of the run. */
export interface InvariantPass {
  /** One event, with the model as it was just before the event took effect. */
  onEvent?(event: RecordedEvent, before: LibraryView): void;
  /** After the last event, with the model as the events left it. */
  atEnd?(final: LibraryView): void;
}

/** A rule as its file writes it: a name, a sentence, and how to check one history. */
export interface InvariantRule {
  readonly name: InvariantName;
  /** The rule in one sentence, as a person reading a failure report needs it. */
  readonly description: string;
  /** Starts checking `history`; the pass keeps whatever it needs between events and sends violations to `report`. */
  begin(history: RunHistory, report: Report): InvariantPass;
}

export interface Invariant extends InvariantRule {
  /** Every violation of the rule in `history`, in the order the checker met them. */
  check(history: RunHistory): Violation[];
}

/** The rule, with `check` for using it on its own. */
export function defineInvariant(rule: InvariantRule): Invariant {
  return {
    ...rule,
    check: (history) => checkEach([rule], history)[0] ?? [],
  };
}

/**
 * Checks `history` against every rule in one replay of the model. Returns one list per rule, in
 * the order of `rules`, each holding that rule's violations in the order it reported them.
 */
export function checkEach(rules: readonly InvariantRule[], history: RunHistory): Violation[][] {
  const found: Violation[][] = [];
  const passes: InvariantPass[] = [];
  for (const rule of rules) {
    const violations: Violation[] = [];
    const invariant = rule.name;
    found.push(violations);
    passes.push(rule.begin(history, (step, message) => violations.push({ invariant, step, message })));
  }
  const final = replayEvents(history.events, (event, before) => {
    for (const pass of passes) pass.onEvent?.(event, before);
  });
  for (const pass of passes) pass.atEnd?.(final);
  return found;
}

/** The recorded event of one type, e.g. `EventOf<'borrowed'>`. */
export type EventOf<Type extends RecordedEvent['type']> = Extract<RecordedEvent, { readonly type: Type }>;
