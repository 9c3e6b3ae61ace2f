/**
 * `PROVIDER_PRESET=<name>`: which `@oauth1/providers` presets the example apps
 * know, how each one's options are read from the environment, and the API
 * call `/api-call` makes with it.
 */
import {
  atlassian,
  bricklink,
  discogs,
  etrade,
  flickr,
  garmin,
  mastercard,
  mediawiki,
  netsuite,
  type PresetOptions,
  plurk,
  schoology,
  smugmug,
  trello,
  tumblr,
  twitter,
  woocommerce,
  zotero,
} from '@oauth1/providers'

/** How one option's environment variable is read: as is, `true`/`false`, a number, or JSON. */
export type OptionKind = 'string' | 'boolean' | 'number' | 'json'

type Kind<T> = [NonNullable<T>] extends [boolean]
  ? 'boolean'
  : [NonNullable<T>] extends [number]
    ? 'number'
    : string extends NonNullable<T>
      ? 'string'
      : [NonNullable<T>] extends [string]
        ? 'string'
        : 'json'

/** Every option of a preset but the client credentials (those are `PROVIDER_CLIENT_*`). */
type OptionKinds<O> = { [K in Exclude<keyof O, 'clientId' | 'clientSecret'>]-?: Kind<O[K]> }

/** What the apps know of one preset. */
export interface PresetEntry {
  /** The provider's display name ("X"), the default `PROVIDER_DISPLAY_NAME`. */
  title: string
  /** The `@oauth1/providers` export. */
  create(options: Record<string, unknown>): PresetOptions
  /** Each option the preset takes, and how its `PROVIDER_PRESET_<OPTION>` variable is read. */
  options: Readonly<Record<string, OptionKind>>
  /**
   * What `/api-call` requests, resolved against the preset's `apiBaseUrl`
   * (an absolute path, so it also works against the `@oauth1/testing`
   * emulation, which serves the provider's own paths); `undefined` when the
   * provider has no call that works for every account.
   */
  apiCall?: ((options: Record<string, unknown>) => string | undefined) | string | undefined
}

/**
 * One entry, type-checked against the preset's options interface: the
 * compiler insists that `options` lists every option with the right kind.
 */
function entry<O>(
  create: (options: O) => PresetOptions,
  spec: NoInfer<{
    title: string
    options: OptionKinds<NonNullable<O>>
    apiCall?: ((options: Partial<NonNullable<O>>) => string | undefined) | string
  }>,
): PresetEntry {
  return {
    title: spec.title,
    create: create as (options: Record<string, unknown>) => PresetOptions,
    options: spec.options as Record<string, OptionKind>,
    apiCall: spec.apiCall as PresetEntry['apiCall'],
  }
}

/**
 * The presets `PROVIDER_PRESET` takes: every export of `@oauth1/providers`.
 * Facts about each provider are in that package's README.
 */
export const PRESETS = {
  twitter: entry(twitter, {
    title: 'X',
    options: {
      page: 'string',
      accessType: 'string',
      forceLogin: 'boolean',
      screenName: 'string',
      fetchProfile: 'boolean',
    },
    apiCall: '/2/users/me?user.fields=created_at',
  }),
  trello: entry(trello, {
    title: 'Trello',
    options: { name: 'string', scope: 'string', expiration: 'string' },
    apiCall: '/1/members/me?fields=username,fullName,url',
  }),
  flickr: entry(flickr, {
    title: 'Flickr',
    options: { perms: 'string' },
    apiCall: '/services/rest/?method=flickr.test.login&format=json&nojsoncallback=1',
  }),
  tumblr: entry(tumblr, { title: 'Tumblr', options: {}, apiCall: '/v2/user/info' }),
  discogs: entry(discogs, {
    title: 'Discogs',
    options: { userAgent: 'string', signatureMethod: 'string' },
    apiCall: '/oauth/identity',
  }),
  smugmug: entry(smugmug, {
    title: 'SmugMug',
    options: { access: 'string', permissions: 'string' },
    apiCall: '/api/v2!authuser',
  }),
  // Zotero's API takes the key (the token secret) in a `Zotero-API-Key` header
  // rather than an OAuth signature: the preset's apiAuth sends it on API calls.
  zotero: entry(zotero, {
    title: 'Zotero',
    options: {
      name: 'string',
      libraryAccess: 'boolean',
      notesAccess: 'boolean',
      writeAccess: 'boolean',
      allGroups: 'string',
      identity: 'boolean',
    },
    apiCall: '/keys/current',
  }),
  mediawiki: entry(mediawiki, {
    title: 'MediaWiki',
    options: { indexUrl: 'string', oobCallback: 'boolean', leeway: 'number', userAgent: 'string' },
    apiCall: '?action=query&meta=userinfo&format=json',
  }),
  etrade: entry(etrade, {
    title: 'E*TRADE',
    options: { sandbox: 'boolean' },
    apiCall: '/v1/accounts/list.json',
  }),
  atlassian: entry(atlassian, {
    title: 'Jira',
    options: { baseUrl: 'string', product: 'string', rsaKey: 'string' },
    apiCall: ({ product }) =>
      product === 'confluence' ? 'user/current' : product === 'bitbucket' ? 'projects' : 'myself',
  }),
  // A RESTlet is the account's own: set PROVIDER_API_CALL to its script and deploy ids.
  netsuite: entry(netsuite, {
    title: 'NetSuite',
    options: { accountId: 'string', state: 'string', token: 'json' },
    apiCall: '/app/site/hosting/restlet.nl?script=customscript_hello&deploy=customdeploy_hello',
  }),
  woocommerce: entry(woocommerce, {
    title: 'WooCommerce',
    options: { storeUrl: 'string', signatureMethod: 'string', version: 'string' },
    apiCall: 'products?per_page=5',
  }),
  schoology: entry(schoology, {
    title: 'Schoology',
    options: { domain: 'string' },
    apiCall: '/v1/users/me',
  }),
  // Mastercard's APIs are each a product of their own: PROVIDER_API_CALL is required.
  mastercard: entry(mastercard, {
    title: 'Mastercard',
    options: { sandbox: 'boolean', rsaKey: 'string' },
  }),
  bricklink: entry(bricklink, {
    title: 'BrickLink',
    options: { token: 'json' },
    apiCall: '/api/store/v1/orders?direction=in',
  }),
  plurk: entry(plurk, { title: 'Plurk', options: {}, apiCall: '/APP/Users/me' }),
  garmin: entry(garmin, {
    title: 'Garmin Connect',
    options: {},
    apiCall: '/wellness-api/rest/user/id',
  }),
} as const satisfies Record<string, PresetEntry>

/** A name `PROVIDER_PRESET` takes. */
export type PresetName = keyof typeof PRESETS

/** Every preset name, in the order of the `@oauth1/providers` README. */
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[]

/** Whether `name` is a preset the apps know. */
export function isPresetName(name: unknown): name is PresetName {
  return typeof name === 'string' && Object.hasOwn(PRESETS, name)
}

/** `accountId` → `PROVIDER_PRESET_ACCOUNT_ID`. */
export function presetVariable(option: string): string {
  return `PROVIDER_PRESET_${option.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`
}

/** The preset, and its options as read from the environment (or passed by the demo). */
export interface PresetConfig {
  name: PresetName
  /** The options passed to the preset function (never `clientId`/`clientSecret`). */
  options: Record<string, unknown>
  /**
   * Where each option came from (`{ name: 'PROVIDER_PRESET_NAME' }`), so a
   * preset's `TypeError` names the variable to fix. Default: the option's own
   * `PROVIDER_PRESET_<OPTION>` (`PROVIDER_PRESET_OPTIONS` for an unknown one).
   */
  sources?: Readonly<Record<string, string>> | undefined
}

const OPTIONS_VARIABLE = 'PROVIDER_PRESET_OPTIONS'

/**
 * Reads `PROVIDER_PRESET`, `PROVIDER_PRESET_OPTIONS` (a JSON object of the
 * preset's options) and `PROVIDER_PRESET_<OPTION>` (one option each:
 * `PROVIDER_PRESET_ACCOUNT_ID=1234567_SB1`), and checks them by calling the
 * preset. `undefined` when no preset is configured.
 *
 * @throws {TypeError} naming the variable: an unknown preset, JSON that is not
 *   an object, an option the preset does not take, one given twice, a value
 *   of the wrong kind, or the preset's own refusal of a value.
 * @example
 * ```ts
 * readPreset({ PROVIDER_PRESET: 'trello', PROVIDER_PRESET_EXPIRATION: 'never' })
 * // { name: 'trello', options: { expiration: 'never' }, sources: { expiration: 'PROVIDER_PRESET_EXPIRATION' } }
 * ```
 */
export function readPreset(env: Record<string, string | undefined>): PresetConfig | undefined {
  const named = Object.keys(env)
    .filter((key) => key.startsWith('PROVIDER_PRESET_') && key !== OPTIONS_VARIABLE && env[key])
    .sort()
  const name = env.PROVIDER_PRESET
  if (!name) {
    const stray = env[OPTIONS_VARIABLE] ? OPTIONS_VARIABLE : named[0]
    if (stray) throw new TypeError(`${stray} is set, but PROVIDER_PRESET is not`)
    return undefined
  }
  if (!isPresetName(name)) {
    throw new TypeError(
      `PROVIDER_PRESET must be one of ${PRESET_NAMES.join(', ')}, got ${JSON.stringify(name)}`,
    )
  }
  const preset = PRESETS[name]
  const options: Record<string, unknown> = {}
  const sources: Record<string, string> = {}

  const json = env[OPTIONS_VARIABLE]
  if (json) {
    const parsed = parseJson(OPTIONS_VARIABLE, json)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new TypeError(
        `${OPTIONS_VARIABLE} must be a JSON object of ${name}() options, e.g. ${example(name)}`,
      )
    }
    for (const [option, value] of Object.entries(parsed)) {
      if (option === 'clientId' || option === 'clientSecret') {
        const variable = option === 'clientId' ? 'PROVIDER_CLIENT_ID' : 'PROVIDER_CLIENT_SECRET'
        throw new TypeError(`${OPTIONS_VARIABLE} must not hold ${option}: set ${variable}`)
      }
      options[option] = value
      sources[option] = OPTIONS_VARIABLE
    }
  }

  const variables = Object.fromEntries(
    Object.keys(preset.options).map((option) => [presetVariable(option), option]),
  )
  for (const variable of named) {
    const option = variables[variable]
    if (option === undefined) {
      const known = Object.keys(variables)
      throw new TypeError(
        `${variable} is not an option of ${name}() (${known.length === 0 ? 'it takes none' : `its variables: ${known.join(', ')}`})`,
      )
    }
    if (Object.hasOwn(options, option)) {
      throw new TypeError(`${variable} and ${OPTIONS_VARIABLE} both set ${option}: keep one`)
    }
    options[option] = parseValue(variable, env[variable]!, preset.options[option]!)
    sources[option] = variable
  }

  const config: PresetConfig = { name, options, sources }
  createPreset(config) // the preset checks its options now, not at the first request
  return config
}

function parseJson(variable: string, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new TypeError(
      `${variable} must be JSON: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    )
  }
}

function parseValue(variable: string, text: string, kind: OptionKind): unknown {
  switch (kind) {
    case 'string':
      return text
    case 'boolean':
      if (text === 'true') return true
      if (text === 'false') return false
      throw new TypeError(`${variable} must be true or false, got ${JSON.stringify(text)}`)
    case 'number': {
      const value = Number(text)
      if (!/^\d+(?:\.\d+)?$/.test(text) || !Number.isFinite(value)) {
        throw new TypeError(`${variable} must be a number, got ${JSON.stringify(text)}`)
      }
      return value
    }
    case 'json':
      return parseJson(variable, text)
  }
}

function example(name: PresetName): string {
  const first = Object.entries(PRESETS[name].options)[0]
  if (!first) return '{}'
  const [option, kind] = first
  return JSON.stringify({ [option]: kind === 'boolean' ? true : kind === 'number' ? 1 : '…' })
}

/**
 * Calls the preset with its options. A `TypeError` of the preset
 * (`trello(): expiration must be one of …`) is rethrown with the variable
 * that set (or should set) the option in front:
 * `PROVIDER_PRESET_EXPIRATION: trello(): expiration must be one of …`.
 */
export function createPreset(config: PresetConfig): PresetOptions {
  if (!isPresetName(config.name)) {
    throw new TypeError(
      `preset.name must be one of ${PRESET_NAMES.join(', ')}, got ${JSON.stringify(config.name)}`,
    )
  }
  try {
    return PRESETS[config.name].create(config.options)
  } catch (err) {
    if (!(err instanceof TypeError)) throw err
    throw new TypeError(`${blame(config, err.message)}: ${err.message}`, { cause: err })
  }
}

/** The variable a preset's message is about (`trello(): scope must be …` → its source). */
function blame(config: PresetConfig, message: string): string {
  const match = /^\w+\(\): (?:unknown option "[^"]*"|([A-Za-z]+)\b)/.exec(message)
  const option = match?.[1]
  if (option === undefined) return OPTIONS_VARIABLE
  const source = config.sources?.[option]
  if (source !== undefined) return source
  return Object.hasOwn(PRESETS[config.name].options, option)
    ? presetVariable(option)
    : OPTIONS_VARIABLE
}

/** The call `/api-call` makes with this preset, if it has a default one. */
export function presetApiCall(config: PresetConfig): string | undefined {
  const apiCall: PresetEntry['apiCall'] = PRESETS[config.name].apiCall
  return typeof apiCall === 'function' ? apiCall(config.options) : apiCall
}
