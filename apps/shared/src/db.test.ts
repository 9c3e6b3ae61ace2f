import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type AppDatabase, openDatabase } from './db.ts'

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

  it('creates a user on first login and updates their names later', () => {
    const db = open()
    const alice = db.upsertUser('provider', { id: '1001', screenName: 'alice', name: 'Alice' })
    const bob = db.upsertUser('provider', { id: '1002', screenName: 'bob', name: 'Bob' })
    expect(alice.id).not.toBe(bob.id)
    const again = db.upsertUser('provider', { id: '1001', screenName: 'alice2', name: 'Alice L.' })
    expect(again).toEqual({
      id: alice.id,
      provider: 'provider',
      providerUserId: '1001',
      screenName: 'alice2',
      name: 'Alice L.',
    })
    expect(db.getUser(alice.id)).toEqual(again)
    // The same provider id at another provider is another user.
    expect(db.upsertUser('other', { id: '1001', screenName: 'a', name: 'A' }).id).not.toBe(alice.id)
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
