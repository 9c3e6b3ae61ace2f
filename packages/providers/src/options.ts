/**
 * Checks of preset options. Every failure is a `TypeError` whose message
 * starts with the preset (`trello(): …`) and names the option.
 */
import type { ClientRsaKey, Token } from '@oauth1/core'

const CREDENTIAL_OPTIONS = ['clientId', 'clientSecret'] as const

/** One preset's view of its options object. */
export interface OptionReader {
  /** The raw value of an option (`undefined` when absent). */
  value(name: string): unknown
  fail(message: string): never
}

/**
 * Checks that `options` is a plain object naming only `known` options (plus
 * `clientId`/`clientSecret`) and returns a reader over it.
 */
export function readOptions(
  preset: string,
  options: unknown,
  known: readonly string[],
): OptionReader {
  const label = `${preset}()`
  const fail = (message: string): never => {
    throw new TypeError(`${label}: ${message}`)
  }
  if (options === undefined) options = {}
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail('options must be an object')
  }
  const record = options as Record<string, unknown>
  const allowed = [...known, ...CREDENTIAL_OPTIONS]
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      fail(`unknown option ${JSON.stringify(key)} (known: ${allowed.join(', ')})`)
    }
  }
  return {
    value: (name) => (Object.hasOwn(record, name) ? record[name] : undefined),
    fail,
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL = /[\u0000-\u001f\u007f]/

/** A non-empty string, or `undefined` when absent. */
export function optionalString(
  r: OptionReader,
  name: string,
  check?: { pattern: RegExp; hint: string },
): string | undefined {
  const value = r.value(name)
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value === '') r.fail(`${name} must be a non-empty string`)
  const text = value as string
  if (check !== undefined && !check.pattern.test(text)) r.fail(`${name} must be ${check.hint}`)
  return text
}

/** A non-empty string that must be present. */
export function requiredString(
  r: OptionReader,
  name: string,
  check?: { pattern: RegExp; hint: string },
): string {
  const text = optionalString(r, name, check)
  if (text === undefined) r.fail(`${name} is required`)
  return text as string
}

/** A string that goes into an HTTP header: non-empty, no control characters. */
export function headerString(r: OptionReader, name: string, required: true): string
export function headerString(r: OptionReader, name: string, required?: false): string | undefined
export function headerString(r: OptionReader, name: string, required = false): string | undefined {
  const text = required ? requiredString(r, name) : optionalString(r, name)
  if (text !== undefined && CONTROL.test(text))
    r.fail(`${name} must not contain control characters`)
  return text
}

export function optionalBoolean(r: OptionReader, name: string): boolean | undefined {
  const value = r.value(name)
  if (value === undefined) return undefined
  if (typeof value !== 'boolean') r.fail(`${name} must be a boolean`)
  return value as boolean
}

/** One of `allowed`, or `undefined` when absent. */
export function optionalEnum<T extends string>(
  r: OptionReader,
  name: string,
  allowed: readonly T[],
): T | undefined {
  const value = r.value(name)
  if (value === undefined) return undefined
  if (!allowed.includes(value as T)) r.fail(`${name} must be one of ${allowed.join(', ')}`)
  return value as T
}

/** A finite number ≥ 0, or `undefined` when absent. */
export function optionalSeconds(r: OptionReader, name: string): number | undefined {
  const value = r.value(name)
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    r.fail(`${name} must be a non-negative number of seconds`)
  }
  return value as number
}

/**
 * An absolute `http:`/`https:` URL without credentials, query or fragment,
 * returned without its trailing slashes (`https://jira.example.com/jira`).
 */
export function baseUrl(r: OptionReader, name: string, required: boolean): string | undefined {
  const text = required ? requiredString(r, name) : optionalString(r, name)
  if (text === undefined) return undefined
  const url = URL.canParse(text) ? new URL(text) : undefined
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    r.fail(`${name} must be an absolute http(s) URL`)
  }
  const parsed = url as URL
  if (parsed.username !== '' || parsed.password !== '')
    r.fail(`${name} must not contain credentials`)
  if (parsed.search !== '' || parsed.hash !== '' || text.includes('?') || text.includes('#')) {
    r.fail(`${name} must not have a query or fragment`)
  }
  return parsed.href.replace(/\/+$/, '')
}

/** `{ oauth_token, oauth_token_secret }` (extra string fields kept), or `undefined`. */
export function tokenOption(r: OptionReader, name: string): Token | undefined {
  const value = r.value(name)
  if (value === undefined) return undefined
  const hint = `${name} must be { oauth_token, oauth_token_secret } with non-empty strings`
  if (typeof value !== 'object' || value === null || Array.isArray(value)) r.fail(hint)
  const record = value as Record<string, unknown>
  if (
    typeof record.oauth_token !== 'string' ||
    record.oauth_token === '' ||
    typeof record.oauth_token_secret !== 'string' ||
    record.oauth_token_secret === ''
  ) {
    r.fail(hint)
  }
  for (const [key, field] of Object.entries(record)) {
    if (typeof field !== 'string') r.fail(`${name}.${key} must be a string`)
  }
  return { ...(record as Token) }
}

/** A PEM string or a key object (`KeyObject`, `CryptoKey`), or `undefined`. */
export function rsaKeyOption(r: OptionReader, name: string): ClientRsaKey | undefined {
  const value = r.value(name)
  if (value === undefined) return undefined
  if (typeof value === 'string') {
    if (!value.includes('-----BEGIN')) r.fail(`${name} must be a PEM private key or a key object`)
    return value
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    r.fail(`${name} must be a PEM private key or a key object`)
  }
  return value as ClientRsaKey
}

/** The parameters whose value is set, or `undefined` when none is. */
export function definedParams(
  params: Record<string, string | undefined>,
): Record<string, string> | undefined {
  const entries = Object.entries(params).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  )
  return entries.length === 0 ? undefined : Object.fromEntries(entries)
}

/** The `clientId`/`clientSecret` the user passed, to spread into the result. */
export function credentials(r: OptionReader): { clientId?: string; clientSecret?: string } {
  const out: { clientId?: string; clientSecret?: string } = {}
  const clientId = optionalString(r, 'clientId')
  const clientSecret = optionalString(r, 'clientSecret')
  if (clientId !== undefined) out.clientId = clientId
  if (clientSecret !== undefined) out.clientSecret = clientSecret
  return out
}
