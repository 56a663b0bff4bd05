// The engines `npm run stress` can run for --bug: the bug zoo's, and the variants whose mistake
// is in what they make durable or how they recover, which only a run with a store and kills shows.

import type { BugVariant } from '../src/engine/bugs/bug-variant.ts';
import { bugNames, findBug } from '../src/engine/bugs/index.ts';
import { answerBeforeDurable } from '../src/engine/bugs/bug-answer-before-durable.ts';
import { forgetRearm } from '../src/engine/bugs/bug-forget-rearm.ts';
import { freshWindowRearm } from '../src/engine/bugs/bug-fresh-window-rearm.ts';
import { nonIdempotentRetry } from '../src/engine/bugs/bug-non-idempotent-retry.ts';
import { requeueProcessed } from '../src/engine/bugs/bug-requeue-processed.ts';

const crashVariants: readonly BugVariant[] = [answerBeforeDurable, forgetRearm, freshWindowRearm, nonIdempotentRetry, requeueProcessed];

/** The variant named `name`, from the zoo or among the crash variants; undefined for none. */
export function findStressBug(name: string): BugVariant | undefined {
  return findBug(name) ?? crashVariants.find((variant) => variant.name === name);
}

/** Every name --bug takes, ordered. */
export function stressBugNames(): string[] {
  return [...new Set([...bugNames(), ...crashVariants.map((variant) => variant.name)])].sort();
}

/** A crash variant shows only on a store: the stress command needs --store or --kill for it. */
export function needsStore(variant: BugVariant): boolean {
  return variant.needs === 'crashes';
}
