// The bug zoo: realistic ways to get the engine wrong, each a small subclass of the production
// engine that replaces one step (never a flag inside the production class). The harness runs
// each and expects it to break the invariant it names; a variant the harness cannot catch is a
// gap in the harness.

import type { BugVariant } from './bug-variant.ts';
import { borrowCheckBeforeWork } from './bug-borrow-check-before-work.ts';
import { borrowWithoutHolderCheck } from './bug-borrow-without-holder-check.ts';
import { cancelOffByOne } from './bug-cancel-off-by-one.ts';
import { cancelWithoutOwnerCheck } from './bug-cancel-without-owner-check.ts';
import { checkBeforeLock } from './bug-check-before-lock.ts';
import { duplicatedRequest } from './bug-duplicated-request.ts';
import { lockOrderDeadlock } from './bug-lock-order-deadlock.ts';
import { lostRequest } from './bug-lost-request.ts';
import { missedReleaseOnError } from './bug-missed-release-on-error.ts';
import { recursiveReadLock } from './bug-recursive-read-lock.ts';
import { returnWithoutBorrowerCheck } from './bug-return-without-borrower-check.ts';
import { seedAutoCancel } from './bug-seed-auto-cancel.ts';
import { seedBorrowRule } from './bug-seed-borrow-rule.ts';
import { workerExitsWhenIdle } from './bug-worker-exits-when-idle.ts';
import { answerBeforeDurable } from './bug-answer-before-durable.ts';
import { forgetRearm } from './bug-forget-rearm.ts';
import { freshWindowRearm } from './bug-fresh-window-rearm.ts';
import { nonIdempotentRetry } from './bug-non-idempotent-retry.ts';
import { requeueProcessed } from './bug-requeue-processed.ts';

export type { BugVariant } from './bug-variant.ts';

function byName(variants: readonly BugVariant[]): readonly BugVariant[] {
  const sorted = [...variants].sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  for (let index = 1; index < sorted.length; index++) {
    const name = sorted[index]?.name;
    if (name === sorted[index - 1]?.name) throw new Error(`bug zoo: two variants are named ${String(name)}`);
  }
  return Object.freeze(sorted);
}

/** Every variant, ordered by name. */
export const bugZoo: readonly BugVariant[] = byName([
  borrowCheckBeforeWork,
  borrowWithoutHolderCheck,
  cancelOffByOne,
  cancelWithoutOwnerCheck,
  checkBeforeLock,
  duplicatedRequest,
  lockOrderDeadlock,
  lostRequest,
  missedReleaseOnError,
  recursiveReadLock,
  returnWithoutBorrowerCheck,
  seedAutoCancel,
  seedBorrowRule,
  workerExitsWhenIdle,
]);

/**
 * The variants that break a rule only across a crash (`needs: 'crashes'`): each runs on the
 * engine's store, with crashes the schedule chooses (src/harness/store-server.ts), ordered by name.
 */
export const crashBugZoo: readonly BugVariant[] = byName([answerBeforeDurable, forgetRearm, freshWindowRearm, nonIdempotentRetry, requeueProcessed]);

/** The variant named `name`, of either zoo, or undefined. */
export function findBug(name: string): BugVariant | undefined {
  return bugZoo.find((variant) => variant.name === name) ?? crashBugZoo.find((variant) => variant.name === name);
}

/** The names of every variant of either zoo, ordered, for help texts and error messages. */
export function bugNames(): string[] {
  return [...bugZoo, ...crashBugZoo].map((variant) => variant.name).sort();
}
