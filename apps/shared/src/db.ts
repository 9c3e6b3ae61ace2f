import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Token, UserInfo } from '@oauth1/core'
import { openSqlite } from './sqlite.ts'

/** A user of the example app, created the first time they log in with a provider. */
export interface User {
  /** The app's own id for the user (what the session holds). */
  id: string
  /** Which registered client (`oauth.register(name, …)`) the user logged in with. */
  provider: string
  /** The provider's id for the user: `userinfo()`'s `sub`. */
  providerUserId: string
  /** `preferred_username`, or `''`. */
  screenName: string
  /** `name`, or `''` (the pages then show the screen name, or name the provider). */
  name: string
  /** Everything the app learnt at the last login. */
  profile: Profile
}

/**
 * What the app learns about the user at login: `userinfo()`'s claims and
 * `raw` data, or (`source: 'token'`) the token's fields for a provider that
 * does not say who logged in.
 */
export interface Profile extends UserInfo {
  /** Where the claims come from; absent means `userinfo()`. */
  source?: 'userinfo' | 'token' | undefined
}

/** How long a login lasts, in seconds (a day), unless the user logs out first. */
export const LOGIN_LIFETIME = 24 * 60 * 60

/** The largest `raw` profile kept in the database (JSON characters); a larger one is dropped. */
export const MAX_STORED_RAW = 16 * 1024

/**
 * The app's database: its users, and one OAuth 1.0a token per (provider, user),
 * in the table Authlib's docs sketch for `fetch_token`:
 *
 * ```sql
 * CREATE TABLE oauth1_token (
 *   name TEXT NOT NULL,                 -- the registered client's name
 *   oauth_token TEXT NOT NULL,
 *   oauth_token_secret TEXT NOT NULL,
 *   user TEXT NOT NULL,                 -- the app's user id
 *   UNIQUE (name, user)
 * )
 * ```
 *
 * @see https://docs.authlib.org/en/latest/client/frameworks.html#using-fetch-token
 */
export interface AppDatabase {
  /**
   * The token the user saved for `name`, or `null` (not logged in, never
   * connected). This is what the registry's `fetchToken` calls.
   */
  getToken(name: string, user: string | null | undefined): Token | null
  /** Saves (or replaces) the user's token for `name`. */
  saveToken(name: string, user: string, token: Token): void
  /** Forgets the user's token for `name`. */
  deleteToken(name: string, user: string): void
  /** Creates the user on first login (keyed by `profile.sub`), or refreshes their profile; returns the app's user. */
  upsertUser(provider: string, profile: Profile): User
  getUser(id: string | null | undefined): User | null
  /**
   * Records that `user` logged in, for `lifetime` seconds; returns the
   * login's id (32 random bytes, base64url) for a cookie session to carry.
   * A cookie session keeps what it holds in the browser, where a copy
   * outlives a log-out: a login the server ends is over for every copy.
   */
  startLogin(user: string, lifetime: number): string
  /** The user of a login still going, or `null` (ended, expired, unknown). */
  userOfLogin(login: unknown): string | null
  /** Ends a login: its id no longer names a user, whoever holds it. */
  endLogin(login: unknown): void
  close(): void
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  provider TEXT NOT NULL,
  provider_user_id TEXT NOT NULL,
  screen_name TEXT NOT NULL,
  name TEXT NOT NULL,
  profile TEXT NOT NULL DEFAULT '{}',
  UNIQUE (provider, provider_user_id)
);
CREATE TABLE IF NOT EXISTS oauth1_token (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  oauth_token TEXT NOT NULL,
  oauth_token_secret TEXT NOT NULL,
  user TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (name, user)
);
CREATE TABLE IF NOT EXISTS logins (
  id TEXT PRIMARY KEY,
  user TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
`

interface UserRow {
  id: number
  provider: string
  provider_user_id: string
  screen_name: string
  name: string
  profile: string
}

/** The profile as stored: claims and `raw` (when not too large), as JSON. */
function storedProfile(profile: Profile): string {
  const json = JSON.stringify(profile)
  return json.length <= MAX_STORED_RAW ? json : JSON.stringify({ ...profile, raw: {} })
}

/** A stored profile back; rows of an older database (no profile column yet) get their `sub` and names. */
function parseProfile(row: UserRow): Profile {
  let parsed: unknown
  try {
    parsed = JSON.parse(row.profile)
  } catch {}
  const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<Profile>
  const profile: Profile = { ...record, sub: row.provider_user_id, raw: record.raw ?? {} }
  if (profile.preferred_username === undefined && row.screen_name !== '')
    profile.preferred_username = row.screen_name
  if (profile.name === undefined && row.name !== '') profile.name = row.name
  return profile
}

/**
 * Opens (and creates if needed) the SQLite database at `path` (`node:sqlite` on
 * Node 22.13+, better-sqlite3 on Node 20; see sqlite.ts); `:memory:` for
 * a throw-away one (tests).
 *
 * @example
 * ```ts
 * const db = openDatabase(process.env.DATABASE_PATH ?? 'example.db')
 * const oauth = new OAuth({ fetchToken: (name, req) => db.getToken(name, req.session.userId) })
 * ```
 */
export function openDatabase(path: string): AppDatabase {
  if (path !== ':memory:' && !path.startsWith('file:'))
    mkdirSync(dirname(path), { recursive: true })
  const db = openSqlite(path)
  db.exec('PRAGMA foreign_keys = ON')
  // Several instances of the app may share the file (pnpm test:cluster): readers do not
  // block the writer, and a writer waits for another.
  if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL')
  db.exec(SCHEMA)
  // A database made before profiles were kept: add the column.
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(users)').all()
  if (!columns.some((c) => c.name === 'profile')) {
    db.exec(`ALTER TABLE users ADD COLUMN profile TEXT NOT NULL DEFAULT '{}'`)
  }

  const selectToken = db.prepare<
    [string, string],
    { oauth_token: string; oauth_token_secret: string }
  >('SELECT oauth_token, oauth_token_secret FROM oauth1_token WHERE name = ? AND user = ?')
  const upsertToken = db.prepare<[string, string, string, string, number]>(
    `INSERT INTO oauth1_token (name, oauth_token, oauth_token_secret, user, updated_at)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (name, user) DO UPDATE SET
       oauth_token = excluded.oauth_token,
       oauth_token_secret = excluded.oauth_token_secret,
       updated_at = excluded.updated_at`,
  )
  const removeToken = db.prepare<[string, string]>(
    'DELETE FROM oauth1_token WHERE name = ? AND user = ?',
  )
  const upsertUserRow = db.prepare<[string, string, string, string, string], UserRow>(
    `INSERT INTO users (provider, provider_user_id, screen_name, name, profile) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (provider, provider_user_id) DO UPDATE SET
       screen_name = excluded.screen_name, name = excluded.name, profile = excluded.profile
     RETURNING id, provider, provider_user_id, screen_name, name, profile`,
  )
  const selectUser = db.prepare<[number], UserRow>(
    'SELECT id, provider, provider_user_id, screen_name, name, profile FROM users WHERE id = ?',
  )

  const insertLogin = db.prepare<[string, string, number]>(
    'INSERT INTO logins (id, user, expires_at) VALUES (?, ?, ?)',
  )
  const selectLogin = db.prepare<[string, number], { user: string }>(
    'SELECT user FROM logins WHERE id = ? AND expires_at > ?',
  )
  const removeLogin = db.prepare<[string]>('DELETE FROM logins WHERE id = ?')
  const removeExpiredLogins = db.prepare<[number]>('DELETE FROM logins WHERE expires_at <= ?')
  const isLoginId = (login: unknown): login is string =>
    typeof login === 'string' && /^[A-Za-z0-9_-]{43}$/.test(login)

  const toUser = (row: UserRow): User => ({
    id: String(row.id),
    provider: row.provider,
    providerUserId: row.provider_user_id,
    screenName: row.screen_name,
    name: row.name,
    profile: parseProfile(row),
  })

  return {
    getToken(name, user) {
      if (user === null || user === undefined || user === '') return null
      const row = selectToken.get(name, user)
      return row
        ? { oauth_token: row.oauth_token, oauth_token_secret: row.oauth_token_secret }
        : null
    },
    saveToken(name, user, token) {
      upsertToken.run(name, token.oauth_token, token.oauth_token_secret, user, Date.now())
    },
    deleteToken(name, user) {
      removeToken.run(name, user)
    },
    upsertUser(provider, profile) {
      const screenName = profile.preferred_username ?? ''
      const name = profile.name ?? ''
      return toUser(
        upsertUserRow.get(provider, profile.sub, screenName, name, storedProfile(profile))!,
      )
    },
    getUser(id) {
      if (id === null || id === undefined || !/^[1-9][0-9]{0,15}$/.test(id)) return null
      const row = selectUser.get(Number(id))
      return row ? toUser(row) : null
    },
    startLogin(user, lifetime) {
      const now = Date.now()
      removeExpiredLogins.run(now)
      const id = randomBytes(32).toString('base64url')
      insertLogin.run(id, user, now + lifetime * 1000)
      return id
    },
    userOfLogin(login) {
      if (!isLoginId(login)) return null
      return selectLogin.get(login, Date.now())?.user ?? null
    },
    endLogin(login) {
      if (isLoginId(login)) removeLogin.run(login)
    },
    close() {
      db.close()
    },
  }
}
