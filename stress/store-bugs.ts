// The engines `npm run stress` can run for --bug: the bug zoo's, and its crash variants, which
// break a rule only across a crash and so only show on a store with --kill.

import type { BugVariant } from '../src/engine/bugs/bug-variant.ts';
import { bugNames, crashBugZoo, findBug } from '../src/engine/bugs/index.ts';

/** The variant named `name`, from the zoo or among the crash variants; undefined for none. */
export function findStressBug(name: string): BugVariant | undefined {
  return findBug(name) ?? crashBugZoo.find((variant) => variant.name === name);
}

/** Every name --bug takes, ordered. */
export function stressBugNames(): string[] {
  return [...bugNames(), ...crashBugZoo.map((variant) => variant.name)].sort();
}

/** A crash variant shows only on a store: the stress command needs --store or --kill for it. */
export function needsStore(variant: BugVariant): boolean {
  return variant.needs === 'crashes';
}
