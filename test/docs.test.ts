// The documents a newcomer reads point at files that exist: every relative link, and every file
// of the checkout they name in code spans (`src/harness/shrink.ts`), in the README, DESIGN.md and
// docs/.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const documents = ['README.md', 'DESIGN.md', ...readdirSync('docs').filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];

/** Code spans that name a file of the checkout: a path under one of its folders, no placeholder in it. */
function namedFiles(text: string): string[] {
  const spans = [...text.matchAll(/`([^`\s]+)`/g)].map((match) => match[1] as string);
  return spans.filter((span) => /^(src|sim|test|properties|bench|docs|examples|schema|reports\/examples)\/[\w./-]+\.(ts|md|json|mjs)$/.test(span));
}

describe('the documents', () => {
  it('include DESIGN.md and the engine contract, which the README links', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('](DESIGN.md)');
    expect(readme).toContain('](docs/engine-contract.md)');
  });

  it.each(documents)('%s links only to files that exist', (document) => {
    const text = readFileSync(document, 'utf8');
    const links = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((match) => match[1] as string).filter((target) => !/^[a-z]+:/.test(target));
    for (const target of links) expect(existsSync(join(dirname(document), target)), `${document} links ${target}`).toBe(true);
  });

  it.each(documents)('%s names only files of the checkout that exist', (document) => {
    const missing = namedFiles(readFileSync(document, 'utf8')).filter((path) => !existsSync(path));
    expect(missing).toEqual([]);
  });

  it('are what the source comments send a reader to', () => {
    for (const file of ['src/check/index.ts', 'properties/property-harness.ts']) {
      if (readFileSync(file, 'utf8').includes('DESIGN.md')) expect(existsSync('DESIGN.md')).toBe(true);
    }
    expect(readFileSync('DESIGN.md', 'utf8')).toContain('## Invariants');
  });
});
