// Justified answers: every answer is one a sequential library could have given at some moment
// during the call, book by book (the history is linearizable per book): a refusal names a state
// the book or member was really in, and only the borrower returns a book.

import { describe, it } from 'vitest';
import { assertFamilyHolds, propertyBudget, propertyEngine, propertyShapes, propertyTimeoutMs, suiteTitle } from './property-harness.ts';

const budget = propertyBudget();
const engine = propertyEngine();

describe(suiteTitle('justified answers', budget, engine), () => {
  it.each(propertyShapes)(
    'gives only answers a sequential library could have given during the call (%s)',
    async (_name, shape) => {
      await assertFamilyHolds({ family: 'justified-answers', engine, budget, scenarioShape: shape });
    },
    propertyTimeoutMs(budget),
  );
});
