import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type AppDatabase, MAX_STORED_RAW, openDatabase } from './db.ts'
import { openSqlite } from './sqlite.ts'

describe('openDatabase', () => {
  const opened: AppDatabase[] = []
  const open = (path = ':memory:') => {
    const db = openDatabase(path)
    opened.push(db)
    return db
  }
  afterEach(() => {
    for (const db of opened.splice(0)) db.close()
  })

  it('keeps one token per (name, user), replaced on the next login', () => {
    const db = open()
    db.saveToken('twitter', '1', { oauth_token: 'a', oauth_token_secret: 'as' })
    db.saveToken('twitter', '2', { oauth_token: 'b', oauth_token_secret: 'bs' })
    db.saveToken('flickr', '1', { oauth_token: 'c', oauth_token_secret: 'cs' })
    expect(db.getToken('twitter', '1')).toEqual({ oauth_token: 'a', oauth_token_secret: 'as' })
    expect(db.getToken('flickr', '1')).toEqual({ oauth_token: 'c', oauth_token_secret: 'cs' })

    db.saveToken('twitter', '1', { oauth_token: 'a2', oauth_token_secret: 'as2', screen_name: 'x' })
    expect(db.getToken('twitter', '1')).toEqual({ oauth_token: 'a2', oauth_token_secret: 'as2' })
    expect(db.getToken('twitter', '2')).toEqual({ oauth_token: 'b', oauth_token_secret: 'bs' })
  })

  it('keeps logins: each its own id, its user until it expires or ends', () => {
    const db = open()
    const a = db.startLogin('1', 3600)
    const b = db.startLogin('1', 3600)
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(b).not.toBe(a)
    expect([db.userOfLogin(a), db.userOfLogin(b)]).toEqual(['1', '1'])
    db.endLogin(a)
    expect([db.userOfLogin(a), db.userOfLogin(b)]).toEqual([null, '1'])
    expect(db.userOfLogin(db.startLogin('2', -1))).toBeNull()
    for (const wrong of [undefined, null, '', 42, {}, '1', `${b}x`, 'A'.repeat(43)]) {
      expect(db.userOfLogin(wrong), String(wrong)).toBeNull()
      db.endLogin(wrong)
    }
    expect(db.userOfLogin(b)).toBe('1')
  })

  it('has no token for nobody, an unknown user, or after deleting it', () => {
    const db = open()
    db.saveToken('twitter', '1', { oauth_token: 'a', oauth_token_secret: 'as' })
    expect(db.getToken('twitter', undefined)).toBeNull()
    expect(db.getToken('twitter', null)).toBeNull()
    expect(db.getToken('twitter', '')).toBeNull()
    expect(db.getToken('twitter', '9')).toBeNull()
    db.deleteToken('twitter', '1')
    expect(db.getToken('twitter', '1')).toBeNull()
  })

  it('creates a user on first login and updates their profile later', () => {
    const db = open()
    const alice = db.upsertUser('provider', {
      sub: '1001',
      preferred_username: 'alice',
      name: 'Alice',
      raw: { id: '1001' },
    })
    const bob = db.upsertUser('provider', { sub: '1002', preferred_username: 'bob', raw: {} })
    expect(alice.id).not.toBe(bob.id)
    expect(bob).toMatchObject({ screenName: 'bob', name: '' })
    const profile = {
      sub: '1001',
      preferred_username: 'alice2',
      name: 'Alice L.',
      email: 'alice@example.test',
      email_verified: true,
      picture: 'https://img.example/a.png',
      raw: { id: '1001', nested: { n: 1 } },
    }
    const again = db.upsertUser('provider', profile)
    expect(again).toEqual({
      id: alice.id,
      provider: 'provider',
      providerUserId: '1001',
      screenName: 'alice2',
      name: 'Alice L.',
      profile,
    })
    expect(db.getUser(alice.id)).toEqual(again)
    // The same provider id at another provider is another user.
    expect(db.upsertUser('other', { sub: '1001', raw: {} }).id).not.toBe(alice.id)
  })

  it('keeps a user known by their token only (no names), and drops an oversized raw profile', () => {
    const db = open()
    const byToken = db.upsertUser('provider', {
      sub: 'token:0123456789abcdef',
      raw: { oauth_token: 'abcd…' },
      source: 'token',
    })
    expect(db.getUser(byToken.id)).toMatchObject({
      screenName: '',
      name: '',
      profile: { sub: 'token:0123456789abcdef', raw: { oauth_token: 'abcd…' }, source: 'token' },
    })
    const big = db.upsertUser('provider', {
      sub: '7',
      name: 'Big',
      raw: { blob: 'x'.repeat(MAX_STORED_RAW) },
    })
    expect(db.getUser(big.id)?.profile).toEqual({ sub: '7', name: 'Big', raw: {} })
  })

  it('opens a database made before profiles were kept, adding the column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth1-example-db-'))
    try {
      const path = join(dir, 'old.db')
      // The driver the apps use on this Node (better-sqlite3 is built for Node 20 only).
      const old = openSqlite(path)
      old.exec(`CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT, provider TEXT NOT NULL,
        provider_user_id TEXT NOT NULL, screen_name TEXT NOT NULL, name TEXT NOT NULL,
        UNIQUE (provider, provider_user_id))`)
      old
        .prepare(
          'INSERT INTO users (provider, provider_user_id, screen_name, name) VALUES (?, ?, ?, ?)',
        )
        .run('provider', '1001', 'alice', 'Alice')
      old.close()
      const db = open(path)
      expect(db.getUser('1')).toEqual({
        id: '1',
        provider: 'provider',
        providerUserId: '1001',
        screenName: 'alice',
        name: 'Alice',
        profile: { sub: '1001', preferred_username: 'alice', name: 'Alice', raw: {} },
      })
      const updated = db.upsertUser('provider', { sub: '1001', name: 'Alice L.', raw: { a: 1 } })
      expect(updated.id).toBe('1')
      expect(updated.profile).toEqual({ sub: '1001', name: 'Alice L.', raw: { a: 1 } })
    } finally {
      for (const db of opened.splice(0)) db.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reads no user for a missing or malformed id', () => {
    const db = open()
    for (const id of [
      undefined,
      null,
      '',
      '0',
      '-1',
      '1.5',
      '1e3',
      'x',
      '99999999999999999999',
      ' 1',
    ]) {
      expect(db.getUser(id)).toBeNull()
    }
  })

  it('keeps tokens in a file across reopening, and close() is idempotent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth1-example-db-'))
    try {
      const path = join(dir, 'nested', 'example.db')
      const first = openDatabase(path)
      first.saveToken('twitter', '1', { oauth_token: 'a', oauth_token_secret: 'as' })
      first.close()
      first.close()
      const second = open(path)
      expect(second.getToken('twitter', '1')).toEqual({
        oauth_token: 'a',
        oauth_token_secret: 'as',
      })
    } finally {
      for (const db of opened.splice(0)) db.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
