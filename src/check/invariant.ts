// The shape every history checker has, and the one loop that drives them. Each checker is a pure
// function of the run's history: it reads the recorded events and the end state, and reports
// every place its rule broke.
//
// A checker does not walk the history itself. It sees the events one at a time, each with the
// model's state just before the event, and then the end of the run. That way every rule is
// checked in one replay of the model, instead of one per rule, while each rule's logic stays in
// its own file; and a run can be checked as its events are recorded (`RunCheck`), while they
// are fresh, with no second pass over them once it ends.

import { type LibraryView, LibraryModel } from './book-model.ts';
import type { InvariantName, RecordedEvent, RunEnd, RunHistory, RunSettings, Violation } from './history.ts';

/** Reports one violation at `step`. Callers build the message only once they know it is needed. */
export type Report = (step: number, message: string) => void;

/** One rule checking one history: shown every event in order, then the end of the run. */
export interface InvariantPass {
  /** One event, with the model as it was just before the event took effect. */
  onEvent?(event: RecordedEvent, before: LibraryView): void;
  /** After the last event, with the model as the events left it, and how the run ended. */
  atEnd?(final: LibraryView, end: RunEnd): void;
}

/** A rule as its file writes it: a name, a sentence, and how to check one history. */
export interface InvariantRule {
  readonly name: InvariantName;
  /** The rule in one sentence, as a person reading a failure report needs it. */
  readonly description: string;
  /** Starts checking a run with these settings; the pass keeps whatever it needs between events and sends violations to `report`. */
  begin(run: RunSettings, report: Report): InvariantPass;
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

type EventHandler = (event: RecordedEvent, before: LibraryView) => void;

/**
 * Some rules checking one run, fed its events one at a time as they happen (`onEvent`), then
 * its end (`finish`). Every rule sees each event with the model just before the event.
 */
export class RunCheck {
  private readonly model = new LibraryModel();
  private readonly passes: InvariantPass[] = [];
  /** The passes' event handlers alone, bound: most events reach every rule, and a few rules have none. */
  private readonly handlers: EventHandler[] = [];
  private readonly found: Violation[][] = [];

  constructor(rules: readonly InvariantRule[], run: RunSettings) {
    for (const rule of rules) {
      const violations: Violation[] = [];
      const invariant = rule.name;
      this.found.push(violations);
      const pass = rule.begin(run, (step, message) => violations.push({ invariant, step, message }));
      this.passes.push(pass);
      if (pass.onEvent !== undefined) this.handlers.push(pass.onEvent.bind(pass));
    }
  }

  /** The next event of the run. */
  onEvent(event: RecordedEvent): void {
    const handlers = this.handlers;
    const model = this.model;
    for (let index = 0; index < handlers.length; index += 1) (handlers[index] as EventHandler)(event, model);
    model.apply(event);
  }

  /**
   * The run ended so: returns one list per rule, in the order of the rules, each holding that
   * rule's violations in the order it reported them.
   */
  finish(end: RunEnd): Violation[][] {
    for (const pass of this.passes) pass.atEnd?.(this.model, end);
    return this.found;
  }
}

/** Checks `history` against every rule in one replay of the model; the lists of `RunCheck.finish`. */
export function checkEach(rules: readonly InvariantRule[], history: RunHistory): Violation[][] {
  const check = new RunCheck(rules, history);
  for (const event of history.events) check.onEvent(event);
  return check.finish(history);
}

/** The recorded event of one type, e.g. `EventOf<'borrowed'>`. */
export type EventOf<Type extends RecordedEvent['type']> = Extract<RecordedEvent, { readonly type: Type }>;
