// `node scripts/run-together.mjs SCRIPT...`: runs the package's npm scripts side by side (the type
// check and the lint, which `npm test` runs before the suites) and exits with the first failure's
// code once all have ended. Each one's output is held until it ends and then printed whole, in the
// order they were named, so two tools' lines never interleave.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const names = process.argv.slice(2);
if (names.length === 0) {
  process.stderr.write('usage: node scripts/run-together.mjs SCRIPT...\n');
  process.exit(2);
}

function run(name) {
  return new Promise((resolve) => {
    const chunks = [];
    const child = spawn('npm', ['run', '-s', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    child.on('error', (error) => resolve({ name, code: 1, output: `${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ name, code: code ?? 128 + (constants.signals[signal] ?? 0), output: Buffer.concat(chunks).toString('utf8') }));
  });
}

const results = await Promise.all(names.map(run));
let exitCode = 0;
for (const { name, code, output } of results) {
  process.stdout.write(output);
  if (code !== 0) {
    process.stderr.write(`npm run ${name} failed (exit ${code})\n`);
    if (exitCode === 0) exitCode = code;
  }
}
process.exitCode = exitCode;
