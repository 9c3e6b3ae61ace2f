import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openSqlite } from './sqlite.ts'

describe('openSqlite', () => {
  it("uses Node's own node:sqlite from Node 22.13, better-sqlite3 (a native addon) before", () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
    const db = openSqlite(':memory:')
    expect(db.driver).toBe(
      major > 22 || (major === 22 && minor >= 13) ? 'node:sqlite' : 'better-sqlite3',
    )
    db.close()
  })

  it('runs statements with ? parameters: run, get (undefined when no row), all, RETURNING', () => {
    const db = openSqlite(':memory:')
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL)')
    const insert = db.prepare<[string], { id: number; name: string }>(
      'INSERT INTO t (name) VALUES (?) RETURNING id, name',
    )
    expect({ ...insert.get('a') }).toEqual({ id: 1, name: 'a' })
    db.prepare<[string]>('INSERT INTO t (name) VALUES (?)').run('b')
    const byName = db.prepare<[string], { id: number }>('SELECT id FROM t WHERE name = ?')
    expect(byName.get('b')?.id).toBe(2)
    expect(byName.get('nobody')).toBeUndefined()
    expect(
      db
        .prepare('SELECT name FROM t ORDER BY id')
        .all()
        .map((r) => r.name),
    ).toEqual(['a', 'b'])
    db.close()
    db.close()
  })

  it('opens a file read-only: reads, and refuses writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth1-sqlite-'))
    try {
      const path = join(dir, 'x.db')
      const writer = openSqlite(path)
      writer.exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('kept')")
      writer.close()
      const reader = openSqlite(path, { readonly: true })
      expect(reader.prepare<[], { v: string }>('SELECT v FROM t').get()?.v).toBe('kept')
      expect(() => reader.exec("INSERT INTO t VALUES ('no')")).toThrow(/readonly/i)
      reader.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
