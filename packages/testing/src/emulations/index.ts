/**
 * The built-in emulations, by name. Each module holds one provider's facts,
 * cited from PROVIDERS.md by source key (`[ET1]`).
 */
import { isSignatureMethod } from '@oauth1/core'
import { atlassian } from './atlassian.js'
import { bricklink } from './bricklink.js'
import { discogs } from './discogs.js'
import { etrade } from './etrade.js'
import { flickr } from './flickr.js'
import { garmin } from './garmin.js'
import { mastercard } from './mastercard.js'
import { mediawiki } from './mediawiki.js'
import { netsuite } from './netsuite.js'
import { plurk } from './plurk.js'
import { schoology } from './schoology.js'
import { smugmug } from './smugmug.js'
import { standard } from './standard.js'
import { trello } from './trello.js'
import { tumblr } from './tumblr.js'
import { twitter } from './twitter.js'
import type { Emulation } from './types.js'
import { woocommerce } from './woocommerce.js'
import { zotero } from './zotero.js'

/**
 * The names `emulate` takes (the same as the presets of `@oauth1/providers`).
 *
 * @example
 * ```ts
 * for (const name of EMULATION_NAMES) {
 *   const provider = await createTestProvider({ emulate: name })
 *   console.log(name, provider.urls)
 *   await provider.close()
 * }
 * ```
 */
export const EMULATION_NAMES = Object.freeze([
  'twitter',
  'trello',
  'flickr',
  'tumblr',
  'discogs',
  'smugmug',
  'zotero',
  'mediawiki',
  'etrade',
  'atlassian',
  'netsuite',
  'woocommerce',
  'schoology',
  'mastercard',
  'bricklink',
  'plurk',
  'garmin',
] as const)

/** One of {@link EMULATION_NAMES}. */
export type EmulationName = (typeof EMULATION_NAMES)[number]

/**
 * Every built-in emulation by name, to read or to build your own from.
 *
 * @example
 * ```ts
 * createTestProvider({ emulate: { ...EMULATIONS.trello, name: 'trello-staging', title: 'Trello Staging' } })
 * ```
 */
export const EMULATIONS: Readonly<Record<EmulationName, Emulation>> = Object.freeze({
  twitter,
  trello,
  flickr,
  tumblr,
  discogs,
  smugmug,
  zotero,
  mediawiki,
  etrade,
  atlassian,
  netsuite,
  woocommerce,
  schoology,
  mastercard,
  bricklink,
  plurk,
  garmin,
})

/**
 * True when `name` is one of {@link EMULATION_NAMES}.
 *
 * @example
 * ```ts
 * const emulate = process.env.EMULATE
 * if (isEmulationName(emulate)) await createTestProvider({ emulate })
 * ```
 */
export function isEmulationName(name: unknown): name is EmulationName {
  return typeof name === 'string' && (EMULATION_NAMES as readonly string[]).includes(name)
}

const where = 'options.emulate'
const AUTH = ['token', 'consumer', 'optional', 'none']

function checkEndpoint(value: unknown, name: string): void {
  if (value === undefined) return
  const e = value as { path?: unknown; methods?: unknown }
  if (typeof e !== 'object' || e === null || typeof e.path !== 'string' || !e.path.startsWith('/'))
    throw new TypeError(`${where}.${name}.path should be a path starting with /`)
  if (
    !Array.isArray(e.methods) ||
    e.methods.length === 0 ||
    e.methods.some((m) => typeof m !== 'string')
  )
    throw new TypeError(`${where}.${name}.methods should be a non-empty array of HTTP methods`)
}

/** Every `Endpoint`, at run time: what `realm.endpoints` and per-endpoint quirks may name. */
export const ENDPOINTS: readonly string[] = ['requestToken', 'authorize', 'accessToken', 'api']

/** Refuses a field that is set but not one of `values`. */
function checkOneOf(value: unknown, name: string, values: readonly unknown[]): void {
  if (value !== undefined && !values.includes(value))
    throw new TypeError(
      `${where}.${name} should be ${values.map((v) => JSON.stringify(v)).join(' or ')} (got ${describe(value)})`,
    )
}

/** Refuses a field that is set but not of the kind `test` accepts. */
function checkField(value: unknown, name: string, should: string, test: (v: unknown) => boolean) {
  if (value !== undefined && !test(value))
    throw new TypeError(`${where}.${name} should be ${should} (got ${describe(value)})`)
}

const isFunction = (v: unknown) => typeof v === 'function'
const isBoolean = (v: unknown) => typeof v === 'boolean'
const isPath = (v: unknown) => typeof v === 'string' && v.startsWith('/')
const isName = (v: unknown) => typeof v === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(v)
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0
const isSeconds = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0

/** A value as an error message shows it: short, and never throwing. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 60))
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return 'an array'
  if (value === null || typeof value !== 'object') return String(value)
  return 'an object'
}

/** Every optional field of an emulation, each of its documented kind. */
function checkFields(e: Emulation): void {
  checkField(e.apiBasePath, 'apiBasePath', 'a path starting with /', isPath)
  checkField(e.userinfoPath, 'userinfoPath', 'a path starting with /', isPath)
  checkField(
    e.signatureMethodRejectedStatus,
    'signatureMethodRejectedStatus',
    'an HTTP error status (400–599)',
    (v) => Number.isInteger(v) && (v as number) >= 400 && (v as number) <= 599,
  )
  checkField(
    e.jsonQueryParam,
    'jsonQueryParam',
    'a query parameter name',
    (v) => typeof v === 'string' && v !== '' && !v.startsWith('oauth_'),
  )
  checkField(
    e.realm,
    'realm',
    `{ value: string, endpoints: (${ENDPOINTS.join(' | ')})[] }`,
    (v) => {
      const r = v as { value?: unknown; endpoints?: unknown }
      return (
        typeof r === 'object' &&
        r !== null &&
        typeof r.value === 'string' &&
        Array.isArray(r.endpoints) &&
        r.endpoints.every((x) => ENDPOINTS.includes(x))
      )
    },
  )
  checkOneOf(e.bodyHash, 'bodyHash', ['required'])
  checkOneOf(e.baseStringOrigin, 'baseStringOrigin', ['request', 'provider'])
  checkField(e.minNonceLength, 'minNonceLength', 'a whole number of characters', isCount)
  checkOneOf(e.nonceScope, 'nonceScope', ['timestamp', 'key'])
  checkField(e.monotonicTimestamps, 'monotonicTimestamps', 'a boolean', isBoolean)
  checkField(
    e.timestampWindow,
    'timestampWindow',
    'a number of seconds, 0 or more',
    (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  )
  checkField(e.requestTokenTtl, 'requestTokenTtl', 'a number of seconds above 0', isSeconds)
  checkField(e.literalAmpersandInSignature, 'literalAmpersandInSignature', 'a boolean', isBoolean)
  checkOneOf(e.callback, 'callback', ['required', 'oob', 'oob-or-prefix', 'ignored'])
  checkField(e.verifier, 'verifier', 'a boolean', isBoolean)
  checkOneOf(e.callbackConfirmed, 'callbackConfirmed', ['true', 'omit'])
  checkOneOf(e.denial, 'denial', ['user_refused', 'denied', 'empty_verifier'])
  checkField(
    e.tokenContentType,
    'tokenContentType',
    'a media type',
    (v) => typeof v === 'string' && /^[\w.+-]+\/[\w.+-]+(?:\s*;[\x20-\x7e]*)?$/.test(v),
  )
  checkField(e.tokenIdleTimeout, 'tokenIdleTimeout', 'a number of seconds above 0', isSeconds)
  checkOneOf(e.defaultClientKeys, 'defaultClientKeys', ['secret', 'rsa'])
  for (const hook of [
    'checkRequest',
    'oobVerifier',
    'callbackParams',
    'requestTokenParams',
    'tokenFields',
    'tokenSecret',
    'accessTokenTtl',
    'tokenExpired',
    'formatError',
  ] as const) {
    checkField(e[hook], hook, 'a function', isFunction)
  }
  const a = e.authorize
  if (a !== undefined) {
    checkField(a.tokenParam, 'authorize.tokenParam', 'a query parameter name', isName)
    checkField(a.consumerKeyParam, 'authorize.consumerKeyParam', 'a query parameter name', isName)
    checkOneOf(a.callback, 'authorize.callback', ['ignored', 'accepted'])
    checkField(a.title, 'authorize.title', 'a function', isFunction)
    checkField(
      a.params,
      'authorize.params',
      'an object of parameters',
      (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    )
    for (const [param, spec] of Object.entries(a.params ?? {})) {
      const at = `authorize.params.${param}`
      checkField(spec, at, 'an object', (v) => typeof v === 'object' && v !== null)
      checkField(
        spec.values,
        `${at}.values`,
        'an array of strings, a RegExp or a function',
        (v) =>
          v instanceof RegExp ||
          isFunction(v) ||
          (Array.isArray(v) && v.every((x) => typeof x === 'string')),
      )
      checkField(spec.required, `${at}.required`, 'a boolean', isBoolean)
      for (const text of ['default', 'label', 'error'] as const)
        checkField(spec[text], `${at}.${text}`, 'a string', (v) => typeof v === 'string')
    }
  }
}

/** The emulation `emulate` names (or is); the plain RFC 5849 profile when `undefined`. */
export function resolveEmulation(emulate: unknown): Emulation {
  if (emulate === undefined) return standard
  if (typeof emulate === 'string') {
    if (isEmulationName(emulate)) return EMULATIONS[emulate]
    throw new TypeError(
      `${where} should be one of ${EMULATION_NAMES.join(', ')} (got ${JSON.stringify(emulate)})`,
    )
  }
  if (typeof emulate !== 'object' || emulate === null)
    throw new TypeError(`${where} should be an emulation name or an Emulation object`)
  const e = emulate as Emulation
  if (typeof e.name !== 'string' || e.name === '')
    throw new TypeError(`${where}.name should be a non-empty string`)
  if (typeof e.title !== 'string') throw new TypeError(`${where}.title should be a string`)
  checkEndpoint(e.requestToken, 'requestToken')
  checkEndpoint(e.accessToken, 'accessToken')
  if ((e.requestToken === undefined) !== (e.accessToken === undefined))
    throw new TypeError(`${where} should have both requestToken and accessToken, or neither`)
  if (e.authorize !== undefined) {
    const paths = e.authorize?.paths
    if (
      !Array.isArray(paths) ||
      paths.length === 0 ||
      paths.some((p) => typeof p !== 'string' || !p.startsWith('/'))
    )
      throw new TypeError(`${where}.authorize.paths should be a non-empty array of paths`)
  }
  if (e.requestToken !== undefined && e.authorize === undefined)
    throw new TypeError(`${where}.authorize is needed with token endpoints`)
  if (e.routes !== undefined) {
    if (!Array.isArray(e.routes)) throw new TypeError(`${where}.routes should be an array`)
    e.routes.forEach((r, i) => {
      if (typeof r !== 'object' || r === null)
        throw new TypeError(`${where}.routes[${i}] should be an object`)
      if (!(r.path instanceof RegExp) && (typeof r.path !== 'string' || !r.path.startsWith('/')))
        throw new TypeError(`${where}.routes[${i}].path should be a path or a RegExp`)
      if (!Array.isArray(r.methods) || r.methods.length === 0)
        throw new TypeError(`${where}.routes[${i}].methods should be a non-empty array`)
      if (!AUTH.includes(r.auth))
        throw new TypeError(`${where}.routes[${i}].auth should be one of ${AUTH.join(', ')}`)
      if (typeof r.handle !== 'function')
        throw new TypeError(`${where}.routes[${i}].handle should be a function`)
      checkField(r.renewsToken, `routes[${i}].renewsToken`, 'a boolean', isBoolean)
    })
  }
  if (
    e.signatureMethods !== undefined &&
    (!Array.isArray(e.signatureMethods) ||
      e.signatureMethods.length === 0 ||
      !e.signatureMethods.every((m) => isSignatureMethod(m)))
  )
    throw new TypeError(
      `${where}.signatureMethods should be a non-empty array of signature methods`,
    )
  if (
    e.placements !== undefined &&
    (!Array.isArray(e.placements) ||
      e.placements.some((p) => p !== 'header' && p !== 'query' && p !== 'body'))
  )
    throw new TypeError(`${where}.placements should be an array of header, query, body`)
  checkFields(e)
  return e
}
