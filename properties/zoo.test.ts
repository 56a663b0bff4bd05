// The property suites against the bug zoo. For every variant, the suite of the family its rule
// belongs to, run with the CI budget and seed, must fail; the failure must include the rule the
// variant breaks; and the counterexample fast-check shrinks it to must be no larger than the
// smallest one we could derive by hand, which is written out in zoo-cases.ts, next to the
// variant, and checked to be a real counterexample within reach of the search (case-suite.ts).
//
// The property is the family's, not every rule at once: with every rule, shrinking slides to
// whichever rule breaks most cheaply, away from the one the variant is about. Each variant
// is searched on one of the suites' shapes, the one its smallest counterexample lives in: most
// on one book, the queue bugs in the busy library, since a reserved book refuses the next reserve.
//
// Runs until found, and the shrunk size, are printed and written to reports/properties/zoo.md.

import { bugZoo } from '../src/engine/bugs/index.ts';
import { describeCaseSuite } from './case-suite.ts';
import { ciPropertyBudget } from './property-harness.ts';
import { zooCases } from './zoo-cases.ts';

describeCaseSuite({
  title: 'the property suites against the bug zoo',
  tableFileName: 'zoo.md',
  budget: ciPropertyBudget,
  engines: bugZoo.map((variant) => ({ name: variant.name, breaks: variant.breaks, reference: { kind: 'bug', name: variant.name }, createEngine: variant.createEngine })),
  cases: zooCases,
});
