/**
 * SQLite for the example apps: Node's own `node:sqlite` wherever Node has it
 * (22.13 and later), else better-sqlite3 (Node 20), loaded only then. So on
 * Node 22, 24 and 26 the examples need no native addon built for that Node.
 * Both are synchronous and take the same SQL; this is the little of their
 * API the apps use.
 */
import { createRequire } from 'node:module'

/** A prepared statement with positional `?` parameters. */
export interface SqliteStatement<Params extends unknown[], Row> {
  /** The first row, or `undefined`. */
  get(...params: Params): Row | undefined
  all(...params: Params): Row[]
  run(...params: Params): unknown
}

export interface SqliteDatabase {
  exec(sql: string): void
  prepare<Params extends unknown[] = unknown[], Row = Record<string, unknown>>(
    sql: string,
  ): SqliteStatement<Params, Row>
  /** Closes it; a second call does nothing. */
  close(): void
  /** Which library it runs on: `'node:sqlite'` or `'better-sqlite3'`. */
  readonly driver: 'node:sqlite' | 'better-sqlite3'
}

interface Native {
  exec(sql: string): void
  prepare(sql: string): SqliteStatement<unknown[], unknown>
  close(): void
}

type NodeSqlite = {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean }) => Native & { isOpen: boolean }
}
type BetterSqlite3 = new (
  path: string,
  options?: { readonly?: boolean },
) => Native & { open: boolean }

/** `node:sqlite`, or undefined where Node has none (Node 20, and 22 before 22.13 without a flag). */
function nodeSqlite(): NodeSqlite | undefined {
  try {
    const mod = process.getBuiltinModule?.('node:sqlite') as NodeSqlite | undefined
    return typeof mod?.DatabaseSync === 'function' ? mod : undefined
  } catch {
    return undefined
  }
}

/**
 * Opens (creating it unless `readonly`) the SQLite database at `path`, or a
 * throw-away one for `:memory:`.
 */
export function openSqlite(path: string, options: { readonly?: boolean } = {}): SqliteDatabase {
  const builtin = nodeSqlite()
  let native: Native
  let isOpen: () => boolean
  if (builtin) {
    const db = new builtin.DatabaseSync(path, { readOnly: options.readonly === true })
    native = db
    isOpen = () => db.isOpen
  } else {
    const Database = createRequire(import.meta.url)('better-sqlite3') as BetterSqlite3
    const db = new Database(path, { readonly: options.readonly === true })
    native = db
    isOpen = () => db.open
  }
  return {
    driver: builtin ? 'node:sqlite' : 'better-sqlite3',
    exec: (sql) => native.exec(sql),
    prepare: <Params extends unknown[], Row>(sql: string) =>
      native.prepare(sql) as unknown as SqliteStatement<Params, Row>,
    close: () => {
      if (isOpen()) native.close()
    },
  }
}
