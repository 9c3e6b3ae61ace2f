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
  return e
}
