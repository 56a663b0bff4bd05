// The SQL engine every store runs on: SQLite compiled to WebAssembly (sql.js), the same in the
// simulation and on the real runtime. Loading it compiles the WebAssembly module once per
// process (tens of milliseconds); a database then opens in well under a millisecond, so a
// simulated run can afford one per process epoch.
//
// Inside, sql.js reads the machine's clock (the timestamps of its in-memory file system) and
// Math.random (the name of each database's file there). Neither reaches a query's result: the
// store's statements use no SQL time or random function, so a run on a store replays to the
// same events and the same trace hash (test/engine/bugs-crash.test.ts).

import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';

export type { Database, SqlJsStatic };

let loading: Promise<SqlJsStatic> | undefined;
let loaded: SqlJsStatic | undefined;

/** Loads SQLite once per process; every later call returns the same module. */
export function loadSql(): Promise<SqlJsStatic> {
  loading ??= initSqlJs().then((sql) => {
    loaded = sql;
    return sql;
  });
  return loading;
}

/** The loaded module, for code that must open a database synchronously (an engine's factory). */
export function loadedSql(): SqlJsStatic {
  if (loaded === undefined) throw new Error('the SQL engine is not loaded: await loadSql() before opening a store');
  return loaded;
}
