// What `npm run stress` asks of a --bug: a crash variant breaks a rule only across a crash, and
// so only shows on a store with --kill. The variants themselves, of either zoo, are findBug's.

import type { BugVariant } from '../src/engine/bugs/bug-variant.ts';

/** A crash variant shows only on a store: the stress command needs --store or --kill for it. */
export function needsStore(variant: BugVariant): boolean {
  return variant.needs === 'crashes';
}
