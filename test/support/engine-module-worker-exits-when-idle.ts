// An engine module as a user writes one, for tests of `--engine`: the zoo's worker that stops
// when the queue is empty, exported under the documented name.
export { createEngine } from '../../src/engine/bugs/bug-worker-exits-when-idle.ts';
