// Imports a module a user names by its path (an engine module): JavaScript as it is, and
// TypeScript too when this code runs compiled under dist/, where Node alone cannot load a `.ts`
// file: tsx's loader is then registered, once, before the first such import. Run from the
// TypeScript sources, a loader is already in place (tsx, vitest).

import { pathToFileURL } from 'node:url';

const typeScriptFile = /\.(?:ts|mts|cts)$/;
const runningCompiled = !import.meta.url.endsWith('.ts');
let loaderRegistered: Promise<void> | null = null;

export async function importModuleFile(absolutePath: string): Promise<Record<string, unknown>> {
  if (runningCompiled && typeScriptFile.test(absolutePath)) {
    loaderRegistered ??= registerTypeScriptLoader();
    await loaderRegistered;
  }
  return (await import(pathToFileURL(absolutePath).href)) as Record<string, unknown>;
}

async function registerTypeScriptLoader(): Promise<void> {
  let api: typeof import('tsx/esm/api');
  try {
    api = await import('tsx/esm/api');
  } catch {
    throw new Error('a TypeScript module needs tsx to load (npm install tsx), or compile it to JavaScript first');
  }
  api.register();
}
