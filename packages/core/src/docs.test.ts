/**
 * The README states the defaults and bounds the code has: every number it
 * gives is read back here and compared with the exported constant, so a
 * change to either shows.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { MAX_REDIRECTS, MAX_VERIFIER_LENGTH } from './client.js'
import { defaultStatus, MAX_ERROR_BODY, OAuthErrorCodes } from './errors.js'
import { DEFAULT_TIMEOUT, MAX_TOKEN_RESPONSE } from './http.js'
import { CALLBACK_PROBLEMS } from './problems.js'
import { DEFAULT_TEMPORARY_CREDENTIAL_TTL } from './registry.js'
import { DEFAULT_SESSION_MAX_ENTRIES, MIN_SECRET_LENGTH } from './stores.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

/** Every number `pattern` captures in the README (there must be one at least). */
function stated(pattern: RegExp): number[] {
  const found = [...readme.matchAll(pattern)].map((m) => Number(m[1] ?? m[2]))
  expect(found.length, `the README no longer says ${pattern}`).toBeGreaterThan(0)
  return found
}

/** The body rows of the first table after `heading`, keyed by their first cell; backticks around a cell dropped. */
function table(heading: string): Map<string, string[]> {
  const start = readme.indexOf(`\n${heading}\n`)
  expect(start, heading).toBeGreaterThan(-1)
  const rows = new Map<string, string[]>()
  const lines = readme.slice(start + heading.length + 2).split('\n')
  const first = lines.findIndex((line) => line.startsWith('|'))
  // the header row and the separator row are not data
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/^`(.*)`$/, '$1'))
    rows.set(cells[0] as string, cells.slice(1))
  }
  return rows
}

describe('the README states the defaults the code has', () => {
  it('pending logins: 10 minutes, maxEntries, the verifier bound', () => {
    for (const n of stated(/\((\d+) minutes by default/g)) {
      expect(n * 60_000).toBe(DEFAULT_TEMPORARY_CREDENTIAL_TTL)
    }
    expect(table('## Options').get('temporaryCredentialTtl')?.[1]).toBe(
      String(DEFAULT_TEMPORARY_CREDENTIAL_TTL),
    )
    for (const n of stated(/at most `maxEntries`\s+\(default (\d+)/g)) {
      expect(n).toBe(DEFAULT_SESSION_MAX_ENTRIES)
    }
    for (const n of stated(/over (\d+) characters/g)) expect(n).toBe(MAX_VERIFIER_LENGTH)
  })

  it('requests: the timeout, the redirects followed, the bounded reads', () => {
    expect(table('## Options').get('timeout')?.[1]).toBe(String(DEFAULT_TIMEOUT))
    for (const n of stated(/at most (\d+) hops/g)) expect(n).toBe(MAX_REDIRECTS)
    for (const n of stated(/(?:cut at|over) (\d+) KiB/g)) expect(n * 1024).toBe(MAX_TOKEN_RESPONSE)
    for (const n of stated(/(?:at most|kept to) (\d+) characters/g)) expect(n).toBe(MAX_ERROR_BODY)
  })

  it('secrets: the shortest accepted', () => {
    for (const n of stated(/at least (\d+) characters|(\d+)\+ character/g)) {
      expect(n).toBe(MIN_SECRET_LENGTH)
    }
  })

  it('errors: every code with its status', () => {
    const rows = table('## Errors')
    expect([...rows.keys()].sort()).toEqual([...OAuthErrorCodes].sort())
    for (const code of OAuthErrorCodes) {
      const statuses = (rows.get(code)?.[0] ?? '').match(/\d{3}/g)?.map(Number)
      expect(statuses, code).toContain(defaultStatus[code])
    }
  })

  it('problems reported on the callback: every one with its code and status', () => {
    const rows = table('### Problems reported on the callback')
    const other = rows.get('any other')
    rows.delete('any other')
    expect([...rows.keys()].sort()).toEqual(Object.keys(CALLBACK_PROBLEMS).sort())
    for (const [problem, { code, status }] of Object.entries(CALLBACK_PROBLEMS)) {
      expect(rows.get(problem)?.slice(0, 2), problem).toEqual([code, String(status)])
    }
    expect(other?.slice(0, 2)).toEqual(['fetch_token_denied', '502'])
  })
})
