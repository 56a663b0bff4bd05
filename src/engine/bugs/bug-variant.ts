// What the bug zoo records about each variant. A variant is a subclass of the production engine
// that gets one step wrong, so the harness can show that it finds the bug and which rule breaks.

import type { InvariantName } from '../../check/history.ts';
import type { EngineFactory } from '../api.ts';

export interface BugVariant {
  /** Kebab-case, unique; the file is `bug-<name>.ts`. */
  readonly name: string;
  /** One sentence: what the variant does wrong. */
  readonly summary: string;
  /**
   * The invariant the variant's smallest failing scenario breaks. A larger run may trip another
   * rule first (a variant that loses requests can also fill the queue and deadlock).
   */
  readonly breaks: InvariantName;
  readonly createEngine: EngineFactory;
  /**
   * 'crashes' for a variant whose mistake is in what it makes durable or how it recovers: it
   * shows only when the engine runs on a store and the simulation crashes and restarts it, which
   * the harness then turns on for it.
   */
  readonly needs?: 'crashes';
}
