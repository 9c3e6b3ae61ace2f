/**
 * A strict, real OAuth 1.0a provider (RFC 5849) on node:http, for local
 * development and tests.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import {
  isSignatureMethod,
  SIGNATURE_METHODS,
  type SignatureMethod,
  type Token,
} from '@oauth1/core'
import { ENDPOINTS, resolveEmulation } from './emulations/index.js'
import type {
  AuthorizeParam,
  Emulation,
  EmulationReply,
  EmulationRequest,
  EmulationRoute,
  EmulationUrls,
  Placement,
} from './emulations/types.js'
import { consentPage, errorPage, indexPage, oobDeniedPage, oobPage, returnPage } from './html.js'
import {
  isFormContentType,
  isLoopbackHost,
  isValidHost,
  ParseError,
  parseAuthorizationHeader,
  parseForm,
  strictPercentDecode,
} from './parse.js'
import type {
  Endpoint,
  Failure,
  Quirks,
  RecordedRequest,
  TestClientConfig,
  TestProviderOptions,
  TestUser,
} from './types.js'
import {
  bodyHashOf,
  baseString as buildBaseString,
  pct,
  safeEqual,
  verifySignature,
} from './verify.js'

/**
 * The client every provider registers when `clients` is not given:
 * id `demo-client`, secret `demo-secret`, shown as "Demo App", HMAC-SHA1/256/512
 * and PLAINTEXT, callbacks on any loopback host or `oob`.
 */
export const DEFAULT_CLIENT = {
  id: 'demo-client',
  secret: 'demo-secret',
  name: 'Demo App',
} as const satisfies TestClientConfig

/** The users of the consent page when `users` is not given. */
export const DEFAULT_USERS: readonly TestUser[] = Object.freeze([
  { id: '1001', screenName: 'alice', name: 'Alice Liddell', email: 'alice@example.test' },
  { id: '1002', screenName: 'bob', name: 'Bob Builder', email: 'bob@example.test' },
  { id: '1003', screenName: 'carol', name: 'Carol Danvers', email: 'carol@example.test' },
])

/** Default callbacks: any http(s) URL on a loopback host. */
export const LOOPBACK_CALLBACK =
  /^https?:\/\/(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?(?:[/?#]|$)/

const HMAC_METHODS: SignatureMethod[] = ['HMAC-SHA1', 'HMAC-SHA256', 'HMAC-SHA512', 'PLAINTEXT']
const RSA_METHODS: SignatureMethod[] = ['RSA-SHA1', 'RSA-SHA256', 'RSA-SHA512']
const RECORDED_HEADERS = ['authorization', 'content-type', 'host', 'user-agent', 'origin', 'accept']
const MAX_RECORDED_BODY = 64 * 1024
const OVERSIZED_BYTES = 2 * 1024 * 1024

interface ResolvedClient {
  id: string
  secret: string | undefined
  publicKey: KeyObject | undefined
  methods: ReadonlySet<SignatureMethod>
  callbackUrls: readonly (string | RegExp)[]
  name: string
  autoApprove: boolean | string | undefined
  quirks: Quirks
}

interface RequestTokenState {
  token: string
  secret: string
  clientId: string
  /** `undefined`: an OAuth 1.0 request token, its callback comes from the authorize URL. */
  callback: string | undefined
  expiresAt: number
  csrf: string
  verifier: string | undefined
  userId: string | undefined
  /** The user answered Allow (the only proof when there is no verifier). */
  approved: boolean
  /** What the temporary-credential request asked for (X's `x_auth_access_type`). */
  requestGrant: Record<string, string>
  /** What the consent page read from the authorize URL. */
  authorizeGrant: Record<string, string>
}

interface AccessTokenState {
  token: string
  secret: string
  clientId: string
  userId: string
  expiresAt: number | undefined
  grant: Record<string, string>
  issuedAt: number
  lastUsedAt: number
}

/** A refusal, answered as `oauth_problem=…` (OAuth Problem Reporting). */
class Problem extends Error {
  constructor(
    readonly status: number,
    readonly problem: string,
    readonly advice?: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(problem)
  }
}

interface Reply {
  status: number
  headers: OutgoingHttpHeaders
  body: string | Buffer
}

interface ReadRequest {
  body: Buffer
  contentType: string | undefined
  isForm: boolean
  header: ReturnType<typeof parseAuthorizationHeader>
  query: [string, string][]
  form: [string, string][]
}

interface Verified extends ReadRequest {
  client: ResolvedClient
  params: Map<string, string>
  source: Placement | undefined
}

interface Route {
  endpoint: Endpoint | undefined
  methods: readonly string[]
  run: (ctx: Ctx) => Promise<Reply> | Reply
}

/**
 * The path a route is chosen by: as received, with percent-encoded unreserved
 * characters decoded and hex digits upper-cased (RFC 3986 §6.2.2), so `%7E`
 * is `~` but `%2F` stays `%2F`. Malformed encodings and non-UTF-8 are refused.
 */
function routingPath(rawPath: string): string {
  strictPercentDecode(rawPath, 'path')
  return rawPath.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => {
    const c = String.fromCharCode(Number.parseInt(hex, 16))
    return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${hex.toUpperCase()}`
  })
}

/** A path spec (`/w/index.php?title=Special:OAuth/initiate`, or a RegExp on the routing path) as a matcher. */
function pathMatcher(spec: string | RegExp): (path: string, query: [string, string][]) => boolean {
  if (spec instanceof RegExp) {
    return (path) => {
      spec.lastIndex = 0
      return spec.test(path)
    }
  }
  const q = spec.indexOf('?')
  const path = q === -1 ? spec : spec.slice(0, q)
  const wanted = q === -1 ? [] : parseForm(spec.slice(q + 1), 'path')
  return (p, query) =>
    p === path && wanted.every(([k, v]) => query.some(([qk, qv]) => qk === k && qv === v))
}

interface Ctx {
  req: IncomingMessage
  record: RecordedRequest
  rawPath: string
  rawQuery: string
  host: string
  client: ResolvedClient | undefined
}

function fail(
  status: number,
  problem: string,
  advice?: string,
  extra?: Record<string, string>,
): never {
  throw new Problem(status, problem, advice, extra)
}

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url')
}

function typeError(option: string, expected: string): TypeError {
  return new TypeError(`options.${option} should be ${expected}`)
}

/** A `Content-Type` a quirk may answer with: printable ASCII, not starting with a space. */
function isContentTypeValue(value: unknown): boolean {
  return typeof value === 'string' && /^[\x21-\x7e][\x20-\x7e]*$/.test(value)
}

function checkQuirks(quirks: Quirks | undefined, where: string): Quirks {
  if (quirks === undefined) return {}
  if (typeof quirks !== 'object' || quirks === null) throw typeError(where, 'an object')
  const { denial, callbackConfirmed, tokenFormat, tokenContentType, delay } = quirks
  if (denial !== undefined && denial !== 'user_refused' && denial !== 'denied')
    throw typeError(`${where}.denial`, "'user_refused' or 'denied'")
  if (
    callbackConfirmed !== undefined &&
    !['true', 'True', 'false', 'omit'].includes(callbackConfirmed)
  )
    throw typeError(`${where}.callbackConfirmed`, "'true', 'True', 'false' or 'omit'")
  if (tokenFormat !== undefined && tokenFormat !== 'form' && tokenFormat !== 'json')
    throw typeError(`${where}.tokenFormat`, "'form' or 'json'")
  if (tokenContentType !== undefined && !isContentTypeValue(tokenContentType))
    throw typeError(`${where}.tokenContentType`, 'a printable ASCII Content-Type value')
  // setTimeout fires at once past 2^31-1 ms: a longer delay would be none at all
  const badDelay = (d: unknown) =>
    typeof d !== 'number' || !Number.isFinite(d) || d < 0 || d > 2 ** 31 - 1
  const delayRule = 'a non-negative number of milliseconds (at most 2147483647)'
  if (delay !== undefined) {
    if (typeof delay === 'number') {
      if (badDelay(delay)) throw typeError(`${where}.delay`, delayRule)
    } else if (typeof delay !== 'object' || delay === null) {
      throw typeError(`${where}.delay`, 'a number or an object of numbers per endpoint')
    } else {
      for (const [k, v] of Object.entries(delay)) {
        if (badDelay(v)) throw typeError(`${where}.delay.${k}`, delayRule)
      }
    }
  }
  if (quirks.failure !== undefined) checkFailures(quirks.failure, `${where}.failure`)
  return quirks
}

const FAILURE_NAMES = [
  'server_error',
  'unavailable',
  'html',
  'malformed',
  'empty',
  'oversized',
  'reset',
  'truncated',
  'drip',
]

/** A `failure` quirk: one failure, or failures per endpoint. */
function checkFailures(value: unknown, where: string): void {
  if (Array.isArray(value))
    throw typeError(where, `a failure, or failures keyed by ${ENDPOINTS.join(', ')}`)
  if (typeof value === 'object' && value !== null && !('status' in value)) {
    for (const [endpoint, failure] of Object.entries(value)) {
      if (!ENDPOINTS.includes(endpoint))
        throw typeError(where, `a failure, or failures keyed by ${ENDPOINTS.join(', ')}`)
      if (failure !== undefined) checkFailure(failure, `${where}.${endpoint}`)
    }
  } else {
    checkFailure(value, where)
  }
}

function checkFailure(value: unknown, where: string): void {
  if (typeof value === 'string') {
    if (FAILURE_NAMES.includes(value)) return
  } else if (typeof value === 'object' && value !== null) {
    const { status, body, contentType } = value as Record<string, unknown>
    if (!Number.isInteger(status) || (status as number) < 200 || (status as number) > 599)
      throw typeError(`${where}.status`, 'an HTTP status from 200 to 599')
    if (body !== undefined && typeof body !== 'string') throw typeError(`${where}.body`, 'a string')
    if (contentType !== undefined && !isContentTypeValue(contentType))
      throw typeError(`${where}.contentType`, 'a printable ASCII Content-Type value')
    return
  }
  throw typeError(where, `one of ${FAILURE_NAMES.join(', ')}, or { status, body?, contentType? }`)
}

function resolveClient(config: TestClientConfig, i: number): ResolvedClient {
  const where = `clients[${i}]`
  if (typeof config !== 'object' || config === null) throw typeError(where, 'an object')
  if (typeof config.id !== 'string' || config.id === '')
    throw typeError(`${where}.id`, 'a non-empty string')
  if (config.secret !== undefined && typeof config.secret !== 'string')
    throw typeError(`${where}.secret`, 'a string')
  let publicKey: KeyObject | undefined
  if (config.rsaPublicKey !== undefined) {
    try {
      const key = config.rsaPublicKey
      publicKey =
        typeof key === 'object' && (key as KeyObject).type === 'public'
          ? (key as KeyObject)
          : createPublicKey(key)
    } catch (cause) {
      throw new TypeError(
        `options.${where}.rsaPublicKey should be an RSA public key (PEM or KeyObject)`,
        {
          cause,
        },
      )
    }
    if (publicKey.asymmetricKeyType !== 'rsa')
      throw typeError(`${where}.rsaPublicKey`, 'an RSA public key (PEM or KeyObject)')
  }
  if (config.secret === undefined && publicKey === undefined)
    throw new TypeError(`options.${where} should have a secret or an rsaPublicKey`)
  let methods: SignatureMethod[]
  if (config.signatureMethods !== undefined) {
    if (!Array.isArray(config.signatureMethods) || config.signatureMethods.length === 0)
      throw typeError(`${where}.signatureMethods`, 'a non-empty array of signature methods')
    for (const m of config.signatureMethods) {
      if (!isSignatureMethod(m))
        throw typeError(`${where}.signatureMethods`, `made of ${SIGNATURE_METHODS.join(', ')}`)
      if (m.startsWith('RSA-') && !publicKey)
        throw new TypeError(
          `options.${where}.signatureMethods has ${m} but the client has no rsaPublicKey`,
        )
      if (!m.startsWith('RSA-') && config.secret === undefined)
        throw new TypeError(
          `options.${where}.signatureMethods has ${m} but the client has no secret`,
        )
    }
    methods = [...config.signatureMethods]
  } else {
    methods = [
      ...(config.secret !== undefined ? HMAC_METHODS : []),
      ...(publicKey ? RSA_METHODS : []),
    ]
  }
  const callbackUrls = config.callbackUrls ?? [LOOPBACK_CALLBACK, 'oob']
  if (
    !Array.isArray(callbackUrls) ||
    callbackUrls.some((c) => typeof c !== 'string' && !(c instanceof RegExp))
  )
    throw typeError(`${where}.callbackUrls`, 'an array of strings and RegExps')
  callbackUrls.forEach((c, j) => {
    if (typeof c === 'string' && c !== 'oob' && !isAbsoluteCallback(c.replace(/\*$/, '')))
      throw typeError(
        `${where}.callbackUrls[${j}]`,
        `'oob' or an absolute URL (a trailing * makes a prefix), got ${JSON.stringify(c)}`,
      )
  })
  if (config.name !== undefined && (typeof config.name !== 'string' || config.name === ''))
    throw typeError(`${where}.name`, 'a non-empty string')
  const auto = config.autoApprove
  if (auto !== undefined && typeof auto !== 'boolean' && typeof auto !== 'string')
    throw typeError(
      `${where}.autoApprove`,
      'a boolean or the id or screen name of one of the users',
    )
  return {
    id: config.id,
    secret: config.secret,
    publicKey,
    methods: new Set(methods),
    callbackUrls,
    name: config.name ?? 'Demo App',
    autoApprove: config.autoApprove,
    quirks: checkQuirks(config.quirks, `${where}.quirks`),
  }
}

function positive(value: unknown, option: string, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (!allowZero && value === 0)
  )
    throw typeError(option, allowZero ? 'a non-negative number' : 'a positive number')
  return value
}

/**
 * True when `callback` is allowed by one of `patterns` (see {@link TestClientConfig.callbackUrls}):
 * exact strings, prefixes ending in `*`, RegExps, and `'oob'`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
 * @example
 * ```ts
 * callbackAllowed('http://localhost:3000/auth/cb?x=1', ['http://localhost:3000/auth/*']) // true
 * callbackAllowed('https://evil.example/cb', [LOOPBACK_CALLBACK, 'oob'])                 // false
 * ```
 */
export function callbackAllowed(callback: string, patterns: readonly (string | RegExp)[]): boolean {
  for (const p of patterns) {
    if (p instanceof RegExp) {
      p.lastIndex = 0
      if (p.test(callback)) return true
    } else if (p.endsWith('*') && p !== '*') {
      if (callback.startsWith(p.slice(0, -1))) return true
    } else if (p === callback) {
      return true
    }
  }
  return false
}

function appendParams(url: string, params: [string, string][]): string {
  const hash = url.indexOf('#')
  const base = hash === -1 ? url : url.slice(0, hash)
  const fragment = hash === -1 ? '' : url.slice(hash)
  const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?'
  return `${base}${sep}${formBody(params)}${fragment}`
}

/**
 * The callback registered with the client out of band, where a provider that
 * takes only `oob` sends the user: the first absolute http(s) URL among its
 * `callbackUrls` (a prefix pattern without its `*`).
 */
function registeredCallback(client: ResolvedClient): string | undefined {
  for (const pattern of client.callbackUrls) {
    if (typeof pattern !== 'string' || pattern === 'oob') continue
    const url = pattern.endsWith('*') ? pattern.slice(0, -1) : pattern
    if (/^https?:\/\/[^/?#]+/i.test(url)) return url
  }
  return undefined
}

function isAbsoluteCallback(callback: string): boolean {
  // A URI is printable ASCII without spaces (RFC 3986 §2): anything else
  // would be quietly encoded or dropped by the URL parser, and cannot be
  // sent back in a Location header as it came.
  if (!/^[\x21-\x7e]+$/.test(callback)) return false
  let parsed: URL | undefined
  try {
    parsed = new URL(callback)
  } catch {}
  return (
    parsed !== undefined &&
    (parsed.protocol === 'http:' ||
      parsed.protocol === 'https:' ||
      /^[a-z][a-z0-9+.-]*:$/.test(parsed.protocol))
  )
}

function accepts(values: AuthorizeParam['values'], value: string): boolean {
  if (values === undefined) return true
  if (typeof values === 'function') return values(value)
  if (values instanceof RegExp) {
    values.lastIndex = 0
    const m = values.exec(value)
    return m !== null && m[0] === value
  }
  return (values as readonly string[]).includes(value)
}

function formBody(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')
}

/**
 * A running provider. Get one with {@link createTestProvider}.
 *
 * Emits `'request'` with each {@link RecordedRequest} once it is answered.
 */
export class TestProvider extends EventEmitter<{ request: [RecordedRequest] }> {
  /** The origin, e.g. `http://127.0.0.1:43123` (no trailing slash). */
  url = ''
  /** The port it listens on. */
  port = 0
  /** Temporary credentials (RFC 5849 §2.1); `''` for an emulation without token endpoints. */
  requestTokenUrl = ''
  /** Resource-owner authorization: the consent page (§2.2); `''` when there is none. */
  authorizeUrl = ''
  /** Token credentials (§2.3); `''` for an emulation without token endpoints. */
  accessTokenUrl = ''
  /** Base of the protected resources, with a trailing slash: `…/api/` (an emulation's own base otherwise). */
  apiBaseUrl = ''
  /**
   * The provider's URLs, to spread over a preset's register options
   * (`{ ...trello(), ...provider.urls }`): the token endpoints, the consent
   * page, the API base and the profile endpoint, as far as the provider has them.
   */
  urls: EmulationUrls = {}
  /** The `emulate` name (`'trello'`…), or `undefined` for the plain RFC 5849 provider. */
  readonly emulation: string | undefined
  /**
   * The first registered client (the default one unless `clients` was given).
   * `secret` is `''` for a client with only an RSA key. `rsaPrivateKey` (PEM)
   * is set when the provider made the client's key pair (an RSA-only
   * emulation without `clients`).
   */
  readonly client: { id: string; secret: string; name: string; rsaPrivateKey?: string }
  /** The users of the consent page. */
  readonly users: readonly TestUser[]

  readonly #options: TestProviderOptions
  readonly #emu: Emulation
  readonly #server: Server
  readonly #clients = new Map<string, ResolvedClient>()
  readonly #requestTokens = new Map<string, RequestTokenState>()
  readonly #accessTokens = new Map<string, AccessTokenState>()
  readonly #nonces = new Map<string, number>()
  readonly #lastTimestamps = new Map<string, number>()
  readonly #records: RecordedRequest[] = []
  readonly #pending = new Set<{ timer: NodeJS.Timeout; res: ServerResponse; resolve: () => void }>()
  readonly #sockets = new Set<Socket>()
  readonly #routes: { match: (path: string, query: [string, string][]) => boolean; route: Route }[]
  readonly #now: () => number
  readonly #window: number
  readonly #requestTokenTtl: number
  readonly #accessTokenTtl: number | undefined
  readonly #maxBody: number
  readonly #maxRecords: number
  #quirks: Quirks
  #nextId = 1
  #closed: Promise<void> | undefined

  /** @internal use {@link createTestProvider} */
  constructor(options: TestProviderOptions = {}) {
    super()
    if (typeof options !== 'object' || options === null)
      throw new TypeError('options should be an object')
    this.#options = options
    this.#emu = resolveEmulation(options.emulate)
    this.emulation = options.emulate === undefined ? undefined : this.#emu.name
    let generatedKey: string | undefined
    let clients = options.clients
    if (clients === undefined) {
      if (this.#emu.defaultClientKeys === 'rsa') {
        const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
        generatedKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
        clients = [
          { id: DEFAULT_CLIENT.id, name: DEFAULT_CLIENT.name, rsaPublicKey: pair.publicKey },
        ]
      } else {
        clients = [DEFAULT_CLIENT]
      }
    }
    if (!Array.isArray(clients) || clients.length === 0)
      throw typeError('clients', 'a non-empty array of clients')
    clients.forEach((c, i) => {
      const resolved = resolveClient(c, i)
      if (this.#clients.has(resolved.id))
        throw new TypeError(`options.clients[${i}].id is a duplicate`)
      this.#clients.set(resolved.id, resolved)
    })
    const first = this.#clients.values().next().value!
    this.client = { id: first.id, secret: first.secret ?? '', name: first.name }
    if (generatedKey !== undefined) this.client.rsaPrivateKey = generatedKey
    const users = options.users ?? DEFAULT_USERS
    if (
      !Array.isArray(users) ||
      users.length === 0 ||
      users.some(
        (u) =>
          typeof u?.id !== 'string' ||
          typeof u.screenName !== 'string' ||
          typeof u.name !== 'string',
      )
    )
      throw typeError('users', 'a non-empty array of { id, screenName, name }')
    // The consent page and autoApprove find a user by id or screen name: one each.
    const ids = new Map<string, number>()
    const names = new Map<string, number>()
    users.forEach((u, i) => {
      if (u.email !== undefined && typeof u.email !== 'string')
        throw typeError(`users[${i}].email`, 'a string')
      const clash = ids.get(u.id) ?? names.get(u.screenName)
      if (clash !== undefined)
        throw typeError(
          `users[${i}]`,
          `a user of its own (users[${clash}] has its id or screen name)`,
        )
      ids.set(u.id, i)
      names.set(u.screenName, i)
    })
    if (options.debug !== undefined && typeof options.debug !== 'boolean')
      throw typeError('debug', 'a boolean')
    this.users = users
    if (options.autoApprove !== undefined && typeof options.autoApprove !== 'boolean') {
      if (typeof options.autoApprove !== 'string' || !this.#findUser(options.autoApprove))
        throw typeError('autoApprove', 'a boolean or the id or screen name of one of the users')
    }
    for (const c of this.#clients.values()) {
      if (typeof c.autoApprove === 'string' && !this.#findUser(c.autoApprove))
        throw new TypeError(`options.clients: autoApprove of ${c.id} names no user`)
    }
    if (options.now !== undefined && typeof options.now !== 'function')
      throw typeError('now', 'a function')
    this.#now = options.now ?? Date.now
    this.#window = positive(
      options.timestampWindow,
      'timestampWindow',
      this.#emu.timestampWindow ?? 300,
      true,
    )
    this.#requestTokenTtl = positive(
      options.requestTokenTtl,
      'requestTokenTtl',
      this.#emu.requestTokenTtl ?? 600,
    )
    this.#accessTokenTtl =
      options.accessTokenTtl === undefined
        ? undefined
        : positive(options.accessTokenTtl, 'accessTokenTtl', 0)
    this.#maxBody = positive(options.maxBodySize, 'maxBodySize', 1024 * 1024)
    this.#maxRecords = positive(options.maxRecords, 'maxRecords', 1000, true)
    this.#quirks = checkQuirks(options.quirks, 'quirks')
    const ap = options.allowPlaintext
    if (ap !== undefined && typeof ap !== 'boolean' && ap !== 'loopback')
      throw typeError('allowPlaintext', "a boolean or 'loopback'")
    if (options.onRequest !== undefined && typeof options.onRequest !== 'function')
      throw typeError('onRequest', 'a function')
    if (
      options.port !== undefined &&
      (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
    )
      throw typeError('port', 'an integer from 0 to 65535')
    if (options.host !== undefined && (typeof options.host !== 'string' || options.host === ''))
      throw typeError('host', 'a non-empty string')
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === ''))
      throw typeError('name', 'a non-empty string')
    this.#routes = this.#buildRoutes()

    this.#server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end()
        else res.destroy()
      })
    })
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket)
      socket.once('close', () => this.#sockets.delete(socket))
    })
    // What node:http cannot parse never reaches #handle: answer it as an OAuth
    // problem report too (431 for oversized headers, 408 for a stalled request).
    this.#server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) {
        socket.destroy()
        return
      }
      const [status, advice] =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? ['431 Request Header Fields Too Large', 'the request headers are too large']
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? ['408 Request Timeout', 'the request was not received in time']
            : ['400 Bad Request', 'the request is not well-formed HTTP/1.1']
      const body = `oauth_problem=parameter_rejected&oauth_problem_advice=${pct(advice)}`
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      )
    })
  }

  /** Every request seen so far, oldest first (at most `maxRecords`). */
  get requests(): readonly RecordedRequest[] {
    return this.#records
  }

  /** The most recent request, if any. */
  get lastRequest(): RecordedRequest | undefined {
    return this.#records.at(-1)
  }

  /** Forgets the recorded requests. */
  clearRequests(): void {
    this.#records.length = 0
  }

  /**
   * Issues token credentials directly, skipping the three-legged flow, for
   * tests of protected-resource calls (and the static tokens of signing-only
   * emulations such as BrickLink). `grant` is what the user would have
   * granted on the consent page (`{ scope: 'read,account' }` for Trello).
   *
   * @example
   * ```ts
   * const token = provider.issueToken({ userId: 'bob' })
   * await client.request('GET', provider.apiBaseUrl + 'me', { token })
   * ```
   */
  issueToken(
    options: { clientId?: string; userId?: string; grant?: Record<string, string> } = {},
  ): Token {
    if (typeof options !== 'object' || options === null)
      throw new TypeError('issueToken(options) should be an object: { clientId?, userId?, grant? }')
    const clientId = options.clientId ?? this.client.id
    if (!this.#clients.has(clientId))
      throw new TypeError(`options.clientId names no client: ${clientId}`)
    const user = options.userId === undefined ? this.users[0]! : this.#findUser(options.userId)
    if (!user) throw new TypeError(`options.userId names no user: ${options.userId}`)
    const grant = options.grant ?? {}
    if (
      typeof grant !== 'object' ||
      grant === null ||
      Object.values(grant).some((v) => typeof v !== 'string')
    )
      throw new TypeError('options.grant should be an object of strings')
    return this.#issueAccessToken(clientId, user, { ...grant })
  }

  /**
   * Revokes token credentials (the next call with them gets `token_rejected`):
   * their `oauth_token`, or the `Token` that {@link TestProvider.issueToken}
   * or a login returned. True when they were live.
   *
   * @throws TypeError when `token` is neither (a test must not go on believing
   *   it revoked something).
   */
  revokeToken(token: string | Pick<Token, 'oauth_token'>): boolean {
    const id =
      typeof token === 'string'
        ? token
        : typeof token === 'object' && token !== null
          ? (token as { oauth_token?: unknown }).oauth_token
          : undefined
    if (typeof id !== 'string' || id === '')
      throw new TypeError(
        'revokeToken(token) takes the oauth_token string, or a Token ({ oauth_token, … })',
      )
    return this.#accessTokens.delete(id)
  }

  /** Starts listening. Resolves once the port is known. */
  async listen(): Promise<this> {
    const host = this.#options.host ?? '127.0.0.1'
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        // A host that names no address of this machine is a wrong option.
        const code = err.code ?? ''
        if (['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EADDRNOTAVAIL'].includes(code))
          reject(
            new TypeError(
              `options.host should name an address of this machine; ${JSON.stringify(host)} gave ${code}`,
              { cause: err },
            ),
          )
        else reject(err)
      }
      this.#server.once('error', onError)
      this.#server.listen(this.#options.port ?? 0, host, () => {
        this.#server.off('error', onError)
        resolve()
      })
    })
    const address = this.#server.address() as AddressInfo
    this.port = address.port
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
    const urlHost =
      shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost === '[::]' ? '[::1]' : shownHost
    this.url = `http://${urlHost}:${this.port}`
    const e = this.#emu
    const at = (path: string | undefined) => (path === undefined ? undefined : this.url + path)
    const urls: EmulationUrls = {}
    const requestTokenUrl = at(e.requestToken?.path)
    const authorizeUrl = at(e.authorize?.paths[0])
    const accessTokenUrl = at(e.accessToken?.path)
    const apiBaseUrl = at(e.apiBasePath)
    const userinfoEndpoint = at(e.userinfoPath)
    if (requestTokenUrl !== undefined) urls.requestTokenUrl = requestTokenUrl
    if (authorizeUrl !== undefined) urls.authorizeUrl = authorizeUrl
    if (accessTokenUrl !== undefined) urls.accessTokenUrl = accessTokenUrl
    if (apiBaseUrl !== undefined) urls.apiBaseUrl = apiBaseUrl
    if (userinfoEndpoint !== undefined) urls.userinfoEndpoint = userinfoEndpoint
    this.urls = Object.freeze(urls)
    this.requestTokenUrl = requestTokenUrl ?? ''
    this.authorizeUrl = authorizeUrl ?? ''
    this.accessTokenUrl = accessTokenUrl ?? ''
    this.apiBaseUrl = apiBaseUrl ?? `${this.url}/`
    return this
  }

  /**
   * Stops the server: drops pending (delayed) answers and open connections,
   * so it never waits for a slow response or a keep-alive socket.
   */
  close(): Promise<void> {
    if (this.#closed) return this.#closed
    this.#closed = new Promise<void>((resolve) => {
      for (const p of this.#pending) {
        clearTimeout(p.timer)
        p.res.destroy()
        p.resolve()
      }
      this.#pending.clear()
      if (!this.#server.listening) {
        resolve()
        return
      }
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
      for (const s of this.#sockets) s.destroy()
    })
    return this.#closed
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /**
   * Replaces the provider-wide quirks of the running provider (checked as
   * the `quirks` option is), e.g. to make it fail for a while and recover.
   * Requests already being answered keep the quirks they started with; a
   * client's own quirks still win over these.
   *
   * @example
   * ```ts
   * provider.setQuirks({ failure: { accessToken: 'reset' } })
   * // … the client's token exchanges now fail …
   * provider.setQuirks({})
   * ```
   */
  setQuirks(quirks: Quirks): void {
    this.#quirks = checkQuirks(quirks, 'quirks')
  }

  // ───────────────────────────── internals ─────────────────────────────

  #findUser(idOrName: string): TestUser | undefined {
    return this.users.find((u) => u.id === idOrName || u.screenName === idOrName)
  }

  #newSecret(): string {
    return this.#emu.tokenSecret?.() ?? randomBytes(24).toString('base64')
  }

  #issueAccessToken(clientId: string, user: TestUser, grant: Record<string, string>): Token {
    const token = `${user.id}-${randomToken(18)}`
    const secret = this.#newSecret()
    const now = this.#now()
    const ttl =
      this.#options.accessTokenTtl !== undefined
        ? this.#accessTokenTtl
        : this.#emu.accessTokenTtl?.(grant)
    this.#accessTokens.set(token, {
      token,
      secret,
      clientId,
      userId: user.id,
      expiresAt: ttl === undefined ? undefined : now + ttl * 1000,
      grant,
      issuedAt: now,
      lastUsedAt: now,
    })
    const fields: Token = { oauth_token: token, oauth_token_secret: secret }
    for (const [k, v] of Object.entries(this.#emu.tokenFields?.(user, grant) ?? {})) {
      if (k !== 'oauth_token' && k !== 'oauth_token_secret') fields[k] = v
    }
    return fields
  }

  #quirksFor(client: ResolvedClient | undefined): Quirks {
    return client ? { ...this.#quirks, ...client.quirks } : this.#quirks
  }

  #newRecord(req: IncomingMessage): RecordedRequest {
    const headers: Record<string, string> = {}
    for (const name of RECORDED_HEADERS) {
      const v = req.headers[name]
      if (typeof v === 'string') headers[name] = v
    }
    return {
      id: this.#nextId++,
      time: this.#now(),
      method: req.method ?? '',
      url: req.url ?? '',
      endpoint: undefined,
      headers,
      body: undefined,
      oauthSource: undefined,
      oauthParams: {},
      realm: undefined,
      baseString: undefined,
      status: 0,
      problem: undefined,
      advice: undefined,
      ok: false,
    }
  }

  #finishRecord(record: RecordedRequest): void {
    this.#records.push(record)
    while (this.#records.length > this.#maxRecords) this.#records.shift()
    try {
      this.#options.onRequest?.(record)
      this.emit('request', record)
    } catch {
      // a listener's bug must not take the provider down
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record = this.#newRecord(req)
    let reply: Reply
    let endpoint: Endpoint | undefined
    let client: ResolvedClient | undefined
    let refused = false
    try {
      const target = req.url ?? ''
      if (!target.startsWith('/')) fail(400, 'parameter_rejected', 'request target must be a path')
      const q = target.indexOf('?')
      const rawPath = q === -1 ? target : target.slice(0, q)
      const rawQuery = q === -1 ? '' : target.slice(q + 1)
      // Node keeps the first of each of these and drops the rest unseen; what
      // signs or parses the request must not depend on which copy is read.
      for (const name of SINGLE_HEADERS) {
        if ((req.headersDistinct[name]?.length ?? 0) > 1)
          fail(400, 'parameter_rejected', `${SINGLE_HEADER_NAMES[name]} header sent more than once`)
      }
      const host = req.headers.host ?? ''
      if (!isValidHost(host)) fail(400, 'parameter_rejected', 'missing or malformed Host header')
      const ctx: Ctx = { req, record, rawPath, rawQuery, host, client: undefined }
      const path = routingPath(rawPath)
      const query = parseForm(rawQuery, 'query')
      const route = this.#routes.find((r) => r.match(path, query))?.route
      endpoint = route?.endpoint
      record.endpoint = endpoint
      try {
        const early = route?.endpoint ? this.#emu.checkRequest?.(req.headers) : undefined
        if (!route) {
          reply = this.#text(404, 'Not Found')
        } else if (!route.methods.includes(req.method ?? '')) {
          reply = this.#text(405, 'Method Not Allowed', { allow: route.methods.join(', ') })
        } else if (early) {
          reply = this.#fromEmulation(early)
          refused = true
          record.problem = 'permission_denied'
          record.advice = early.body
        } else {
          reply = await route.run(ctx)
        }
      } finally {
        client = ctx.client
      }
    } catch (err) {
      if (err instanceof Problem) {
        reply = this.#problem(err, record.endpoint)
      } else if (err instanceof ParseError) {
        const p = new Problem(
          400,
          'parameter_rejected',
          err.message,
          err.parameter ? { oauth_parameters_rejected: err.parameter } : {},
        )
        reply = this.#problem(p, record.endpoint)
      } else if (err instanceof TooLarge) {
        reply = this.#text(413, 'Payload Too Large', { connection: 'close' })
      } else {
        reply = this.#text(500, 'Internal Server Error')
        record.advice = err instanceof Error ? err.message : String(err)
      }
      if (err instanceof Problem || err instanceof ParseError) {
        refused = true
        record.problem = err instanceof Problem ? err.problem : 'parameter_rejected'
        record.advice = err instanceof Problem ? err.advice : err.message
      }
    }
    record.status = reply.status
    record.ok = reply.status < 400 && !refused
    this.#finishRecord(record)

    const quirks = this.#quirksFor(client)
    let broken: 'reset' | 'truncated' | 'drip' | undefined
    if (endpoint) {
      const failure = pick(quirks.failure, endpoint)
      if (failure === 'reset' || failure === 'truncated' || failure === 'drip') broken = failure
      else if (failure !== undefined) reply = failureReply(failure)
    }
    const delay = endpoint ? (pick(quirks.delay, endpoint) ?? 0) : 0
    if (delay > 0 && !this.#closed) {
      await new Promise<void>((resolve) => {
        const entry = {
          res,
          resolve,
          timer: setTimeout(() => {
            this.#pending.delete(entry)
            resolve()
          }, delay),
        }
        this.#pending.add(entry)
        res.once('close', () => {
          if (this.#pending.delete(entry)) {
            clearTimeout(entry.timer)
            resolve()
          }
        })
      })
    }
    if (res.destroyed || res.writableEnded) return
    if (broken !== undefined) {
      breakAnswer(broken, res)
      return
    }
    const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body
    res.writeHead(reply.status, { ...reply.headers, 'content-length': body.length })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  /** The routing table: the home page, the token endpoints, the consent page, then the emulation's routes. */
  #buildRoutes(): { match: (path: string, query: [string, string][]) => boolean; route: Route }[] {
    const e = this.#emu
    const table: {
      match: (path: string, query: [string, string][]) => boolean
      route: Route
    }[] = []
    table.push({
      match: (p) => p === '/',
      route: { endpoint: undefined, methods: ['GET', 'HEAD'], run: () => this.#home() },
    })
    const endpoints = [
      ['requestToken', e.requestToken, (c: Ctx) => this.#requestToken(c)],
      ['accessToken', e.accessToken, (c: Ctx) => this.#accessToken(c)],
    ] as const
    for (const [endpoint, spec, run] of endpoints) {
      if (spec) {
        table.push({
          match: pathMatcher(spec.path),
          route: { endpoint, methods: spec.methods, run },
        })
      }
    }
    if (e.authorize) {
      const route: Route = {
        endpoint: 'authorize',
        methods: ['GET', 'HEAD', 'POST'],
        run: (c) => this.#authorize(c),
      }
      for (const path of e.authorize.paths) table.push({ match: pathMatcher(path), route })
    }
    for (const r of e.routes ?? []) {
      table.push({
        match: pathMatcher(r.path),
        route: { endpoint: 'api', methods: r.methods, run: (c) => this.#runRoute(c, r) },
      })
    }
    return table
  }

  #home(): Reply {
    const endpoints: Record<string, string> = { ...this.urls }
    return this.#html(
      200,
      indexPage(
        this.#providerName,
        endpoints,
        [...this.#clients.values()].map((c) => ({ id: c.id, secret: c.secret, name: c.name })),
      ),
    )
  }

  get #providerName(): string {
    return this.#options.name ?? this.#emu.title
  }

  // ───────────────────────────── answers ─────────────────────────────

  #text(status: number, body: string, headers: OutgoingHttpHeaders = {}): Reply {
    return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body }
  }

  #html(status: number, body: string, headers: OutgoingHttpHeaders = {}): Reply {
    return {
      status,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-frame-options': 'DENY',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'content-security-policy':
          "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ...headers,
      },
      body,
    }
  }

  #fromEmulation(answer: EmulationReply): Reply {
    const headers: OutgoingHttpHeaders = {}
    for (const [k, v] of Object.entries(answer.headers ?? {})) headers[k.toLowerCase()] = v
    const status = answer.status ?? 200
    if (answer.json !== undefined) {
      return {
        status,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
          ...headers,
        },
        body: JSON.stringify(answer.json),
      }
    }
    return {
      status,
      headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
      body: answer.body ?? '',
    }
  }

  #problem(p: Problem, endpoint: Endpoint | undefined): Reply {
    if (endpoint === 'authorize') {
      return this.#html(
        p.status,
        errorPage(
          this.#providerName,
          'This authorization request cannot continue',
          p.advice ?? p.problem,
        ),
      )
    }
    const custom = this.#emu.formatError?.({
      status: p.status,
      problem: p.problem,
      advice: p.advice,
      extra: p.extra,
      endpoint,
    })
    if (custom) return this.#fromEmulation(custom)
    const pairs: [string, string][] = [['oauth_problem', p.problem]]
    for (const [k, v] of Object.entries(p.extra)) pairs.push([k, v])
    if (p.advice) pairs.push(['oauth_problem_advice', p.advice])
    const headers: OutgoingHttpHeaders = {
      'content-type': 'application/x-www-form-urlencoded',
      'cache-control': 'no-store',
    }
    if (p.status === 401) headers['www-authenticate'] = `OAuth realm="${this.url}"`
    return { status: p.status, headers, body: formBody(pairs) }
  }

  #tokenReply(client: ResolvedClient, fields: [string, string][]): Reply {
    const quirks = this.#quirksFor(client)
    const reply: Reply =
      quirks.tokenFormat === 'json'
        ? this.#fromEmulation({ json: Object.fromEntries(fields) })
        : {
            status: 200,
            headers: {
              'content-type': this.#emu.tokenContentType ?? 'application/x-www-form-urlencoded',
              'cache-control': 'no-store',
            },
            body: formBody(fields),
          }
    // The quirk wins over the emulation's own label.
    const label = quirks.tokenContentType
    if (label !== undefined) {
      reply.headers = { ...reply.headers, 'content-type': label }
    }
    return reply
  }

  // ───────────────────────────── verification ─────────────────────────────

  async #readBody(req: IncomingMessage): Promise<Buffer> {
    const declared = Number(req.headers['content-length'] ?? '0')
    if (declared > this.#maxBody) throw new TooLarge()
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > this.#maxBody) throw new TooLarge()
      chunks.push(chunk)
    }
    return Buffer.concat(chunks)
  }

  /** Reads the body, the Authorization header, the query and a form body (strictly). */
  async #read(ctx: Ctx): Promise<ReadRequest> {
    const { req, record } = ctx
    const body = await this.#readBody(req)
    if (body.length > 0) {
      record.body = body.subarray(0, MAX_RECORDED_BODY).toString('utf8')
    }
    const contentType = req.headers['content-type']
    const isForm = isFormContentType(contentType)
    const header = req.headers.authorization
      ? parseAuthorizationHeader(req.headers.authorization, {
          literalAmpersandInSignature: this.#emu.literalAmpersandInSignature === true,
        })
      : null
    const query = parseForm(ctx.rawQuery, 'query')
    let form: [string, string][] = []
    if (isForm && body.length > 0) {
      let text: string
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(body)
      } catch {
        throw new ParseError('form body is not UTF-8')
      }
      form = parseForm(text, 'form body')
    }
    if (header) record.realm = header.realm
    return { body, contentType, isForm, header, query, form }
  }

  /** BrickLink-style protocol parameters: a JSON object in one query parameter. */
  #jsonQueryParams(query: [string, string][]): {
    query: [string, string][]
    params: [string, string][]
  } {
    const name = this.#emu.jsonQueryParam
    if (name === undefined) return { query, params: [] }
    const carried = query.filter(([k]) => k === name)
    if (carried.length === 0) return { query, params: [] }
    if (carried.length > 1)
      fail(400, 'parameter_rejected', `${name} sent more than once`, {
        oauth_parameters_rejected: name,
      })
    let value: unknown
    try {
      value = JSON.parse(carried[0]![1])
    } catch {
      value = undefined
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      fail(400, 'parameter_rejected', `${name} must be a JSON object of oauth_* parameters`, {
        oauth_parameters_rejected: name,
      })
    const params: [string, string][] = []
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (!k.startsWith('oauth_') || (typeof v !== 'string' && typeof v !== 'number'))
        fail(400, 'parameter_rejected', `${name} must hold only oauth_* strings`, {
          oauth_parameters_rejected: name,
        })
      params.push([k, String(v)])
    }
    return { query: query.filter(([k]) => k !== name), params }
  }

  /**
   * Everything a careful provider checks on a signed request, in order:
   * placement and repeats (400), required parameters (400), version (400),
   * signature method (400), realm (401), consumer (401), timestamp (401),
   * token (401), signature and body hash (401), nonce (401).
   */
  async #verify(
    ctx: Ctx,
    opts: {
      required: string[]
      token: 'none' | 'optional' | 'required' | 'forbidden'
      tokenSecret: (client: ResolvedClient, token: string) => string
    },
  ): Promise<Verified> {
    const { req, record } = ctx
    const e = this.#emu
    const read = await this.#read(ctx)
    const { header, form, body, isForm } = read
    const { query, params: jsonParams } = this.#jsonQueryParams(read.query)

    // §3.5: the protocol parameters travel in exactly one place, each once.
    const sources: [Placement, [string, string][]][] = [
      ['header', header ? header.params.filter(([k]) => k.startsWith('oauth_')) : []],
      ['query', [...query.filter(([k]) => k.startsWith('oauth_')), ...jsonParams]],
      ['body', form.filter(([k]) => k.startsWith('oauth_'))],
    ]
    const used = sources.filter(([, p]) => p.length > 0)
    const params = new Map<string, string>()
    for (const [, list] of used) {
      for (const [k, v] of list) if (!params.has(k)) params.set(k, v)
    }
    record.oauthParams = Object.fromEntries(params)
    record.oauthSource = used[0]?.[0]
    if (used.length > 1) {
      const names = used.slice(1).flatMap(([, p]) => p.map(([k]) => k))
      fail(
        400,
        'parameter_rejected',
        `protocol parameters sent in more than one place (${used.map(([s]) => s).join(' and ')})`,
        { oauth_parameters_rejected: [...new Set(names)].join('&') },
      )
    }
    const placement = used[0]?.[0]
    // The JSON query parameter is a place of its own: plain query parameters
    // beside it are judged as the query, which the emulation may not read.
    const viaJsonOnly = jsonParams.length > 0 && !query.some(([k]) => k.startsWith('oauth_'))
    if (
      placement !== undefined &&
      !viaJsonOnly &&
      e.placements &&
      !e.placements.includes(placement)
    ) {
      fail(
        400,
        'parameter_rejected',
        `${e.title} reads the protocol parameters from ${describePlacements(e)} only, not from the ${placement === 'body' ? 'form body' : placement}`,
        { oauth_parameters_rejected: [...params.keys()].join('&') },
      )
    }
    const seen = new Set<string>()
    const repeated = new Set<string>()
    for (const [k] of used[0]?.[1] ?? []) {
      if (seen.has(k)) repeated.add(k)
      seen.add(k)
    }
    if (repeated.size > 0) {
      fail(
        400,
        'parameter_rejected',
        `protocol parameter sent more than once: ${[...repeated].join(', ')}`,
        {
          oauth_parameters_rejected: [...repeated].join('&'),
        },
      )
    }

    const method = params.get('oauth_signature_method')
    const required = ['oauth_consumer_key', 'oauth_signature_method', 'oauth_signature']
    if (method !== 'PLAINTEXT') required.push('oauth_timestamp', 'oauth_nonce')
    if (opts.token === 'required') required.push('oauth_token')
    if (e.bodyHash === 'required') required.push('oauth_body_hash')
    required.push(...opts.required)
    const absent = required.filter((k) => !params.has(k))
    if (absent.length > 0) {
      fail(400, 'parameter_absent', `missing ${absent.join(', ')}`, {
        oauth_parameters_absent: absent.join('&'),
      })
    }
    const version = params.get('oauth_version')
    if (version !== undefined && version !== '1.0') {
      fail(400, 'version_rejected', `oauth_version must be 1.0, got ${JSON.stringify(version)}`, {
        oauth_acceptable_versions: '1.0-1.0',
      })
    }
    if (!isSignatureMethod(method!)) {
      fail(
        e.signatureMethodRejectedStatus ?? 400,
        'signature_method_rejected',
        `unsupported signature method; use one of ${(e.signatureMethods ?? SIGNATURE_METHODS).join(', ')}`,
      )
    }
    if (e.signatureMethods && !e.signatureMethods.includes(method)) {
      fail(
        e.signatureMethodRejectedStatus ?? 400,
        'signature_method_rejected',
        `${e.title} accepts ${e.signatureMethods.join(' or ')} only, not ${method}`,
      )
    }
    if (params.has('oauth_body_hash') && isForm && e.bodyHash !== 'required') {
      fail(400, 'parameter_rejected', 'oauth_body_hash must not be sent with a form-encoded body', {
        oauth_parameters_rejected: 'oauth_body_hash',
      })
    }
    if (e.realm) {
      const realm = header?.realm
      if (realm === undefined) {
        if (ctx.record.endpoint !== undefined && e.realm.endpoints.includes(ctx.record.endpoint))
          fail(
            401,
            'parameter_absent',
            `the Authorization header must carry realm="${e.realm.value}"`,
            { oauth_parameters_absent: 'realm' },
          )
      } else if (realm !== e.realm.value) {
        fail(401, 'parameter_rejected', `realm must be "${e.realm.value}", not "${realm}"`, {
          oauth_parameters_rejected: 'realm',
        })
      }
    }

    const client = this.#clients.get(params.get('oauth_consumer_key')!)
    if (!client) fail(401, 'consumer_key_unknown', 'no client has this oauth_consumer_key')
    ctx.client = client
    if (!client.methods.has(method)) {
      fail(
        400,
        'signature_method_rejected',
        `${method} is not allowed for this client; use one of ${[...client.methods].join(', ')}`,
      )
    }
    if (method === 'PLAINTEXT') this.#checkPlaintextTransport(ctx)

    const timestamp = params.get('oauth_timestamp')
    if (timestamp !== undefined) {
      if (!/^\d{1,15}$/.test(timestamp)) {
        fail(400, 'parameter_rejected', 'oauth_timestamp must be whole seconds since the epoch', {
          oauth_parameters_rejected: 'oauth_timestamp',
        })
      }
      const now = Math.floor(this.#now() / 1000)
      const ts = Number(timestamp)
      if (Math.abs(ts - now) > this.#window) {
        fail(
          401,
          'timestamp_refused',
          `oauth_timestamp is more than ${this.#window} s from the server's clock`,
          {
            oauth_acceptable_timestamps: `${now - this.#window}-${now + this.#window}`,
          },
        )
      }
    }
    const nonce = params.get('oauth_nonce')
    if (nonce !== undefined && nonce === '') {
      fail(400, 'parameter_rejected', 'oauth_nonce must not be empty', {
        oauth_parameters_rejected: 'oauth_nonce',
      })
    }
    if (nonce !== undefined && e.minNonceLength !== undefined && nonce.length < e.minNonceLength) {
      fail(
        401,
        'parameter_rejected',
        `oauth_nonce must be at least ${e.minNonceLength} characters long`,
        { oauth_parameters_rejected: 'oauth_nonce' },
      )
    }

    const token = params.get('oauth_token')
    let tokenSecret = ''
    if (opts.token === 'none' || opts.token === 'forbidden') {
      if (token !== undefined && token !== '') {
        fail(
          400,
          'parameter_rejected',
          opts.token === 'none'
            ? 'a temporary-credential request carries no oauth_token'
            : 'this API is signed with the client credentials only (no oauth_token)',
          { oauth_parameters_rejected: 'oauth_token' },
        )
      }
    } else if (token !== undefined) {
      tokenSecret = opts.tokenSecret(client, token)
    }

    // The signature base string (§3.4.1), from the request as received.
    const baseParams: [string, string][] = []
    for (const [k, v] of header?.params ?? []) if (k !== 'oauth_signature') baseParams.push([k, v])
    for (const [k, v] of query) if (k !== 'oauth_signature') baseParams.push([k, v])
    for (const [k, v] of jsonParams) if (k !== 'oauth_signature') baseParams.push([k, v])
    for (const [k, v] of form) if (k !== 'oauth_signature') baseParams.push([k, v])
    const origin = e.baseStringOrigin === 'provider' ? this.url : `http://${ctx.host}`
    let baseString: string
    try {
      baseString = buildBaseString(req.method ?? 'GET', `${origin}${ctx.rawPath}`, baseParams)
    } catch (cause) {
      throw new Problem(
        400,
        'parameter_rejected',
        `cannot build the signature base string: ${String(cause)}`,
      )
    }
    record.baseString = baseString
    let ok: boolean
    try {
      ok = verifySignature(method, baseString, params.get('oauth_signature')!, {
        clientSecret: client.secret,
        tokenSecret,
        publicKey: client.publicKey,
      })
    } catch {
      ok = false
    }
    if (!ok) {
      fail(
        401,
        'signature_invalid',
        'the signature does not match the request',
        this.#options.debug ? { debug_sbs: baseString } : {},
      )
    }
    const sentHash = params.get('oauth_body_hash')
    if (sentHash !== undefined && !safeEqual(sentHash, bodyHashOf(method, body))) {
      fail(401, 'signature_invalid', 'oauth_body_hash does not match the body')
    }
    if (timestamp !== undefined && e.monotonicTimestamps) {
      const key = JSON.stringify([client.id, token ?? ''])
      const last = this.#lastTimestamps.get(key)
      if (last !== undefined && Number(timestamp) < last) {
        fail(401, 'timestamp_refused', 'oauth_timestamp is older than the previous request’s')
      }
      if (this.#lastTimestamps.size >= 10_000) this.#lastTimestamps.clear()
      this.#lastTimestamps.set(key, Math.max(last ?? 0, Number(timestamp)))
    }
    if (nonce !== undefined && timestamp !== undefined) {
      this.#useNonce(client.id, token ?? '', timestamp, nonce)
    }
    return { ...read, query, client, params, source: placement }
  }

  #checkPlaintextTransport(ctx: Ctx): void {
    const allow = this.#options.allowPlaintext ?? 'loopback'
    if (allow === true) return
    const hostname = ctx.host.replace(/:\d+$/, '')
    const peer = ctx.req.socket.remoteAddress ?? ''
    const peerLoopback = peer === '::1' || /^(?:::ffff:)?127\./.test(peer)
    if (allow === 'loopback' && isLoopbackHost(hostname) && peerLoopback) return
    fail(
      400,
      'signature_method_rejected',
      'PLAINTEXT sends the secrets in clear and is accepted only over TLS (RFC 5849 §3.4.4)',
    )
  }

  #useNonce(clientId: string, token: string, timestamp: string, nonce: string): void {
    const perKey = this.#emu.nonceScope === 'key'
    const key = JSON.stringify([clientId, token, perKey ? '' : timestamp, nonce])
    const nowSec = Math.floor(this.#now() / 1000)
    const expires = this.#nonces.get(key)
    // Per timestamp, a nonce past its window comes with a timestamp refused
    // before; per key, it is forgotten and may be used again.
    if (expires !== undefined && (!perKey || expires >= nowSec))
      fail(
        401,
        'nonce_used',
        perKey
          ? `this oauth_nonce was already used in the last ${this.#window} seconds`
          : 'this oauth_nonce was already used with this timestamp',
      )
    if (this.#nonces.size >= 10_000) {
      for (const [k, exp] of this.#nonces) if (exp < nowSec) this.#nonces.delete(k)
    }
    // Once the timestamp is outside the window, the request is refused anyway.
    this.#nonces.set(key, Number(timestamp) + this.#window)
  }

  // ───────────────────────────── endpoints ─────────────────────────────

  /** The temporary-credential endpoint (§2.1). */
  async #requestToken(ctx: Ctx): Promise<Reply> {
    const policy = this.#emu.callback ?? 'required'
    const v = await this.#verify(ctx, {
      required: policy === 'ignored' ? [] : ['oauth_callback'],
      token: 'none',
      tokenSecret: () => '',
    })
    let callback = v.params.get('oauth_callback')
    if (policy === 'ignored') {
      // OAuth 1.0: the callback, if any, comes with the authorize URL.
      callback = undefined
    } else if (policy === 'oob' && callback !== 'oob') {
      fail(
        400,
        'parameter_rejected',
        `oauth_callback must be "oob": ${this.#emu.title} returns the user to the callback registered with the consumer key`,
        { oauth_parameters_rejected: 'oauth_callback' },
      )
    } else if (policy === 'oob-or-prefix' && callback !== 'oob') {
      const prefixes = v.client.callbackUrls.filter(
        (p): p is string => typeof p === 'string' && p.endsWith('*'),
      )
      if (!isAbsoluteCallback(callback!) || !callbackAllowed(callback!, prefixes)) {
        fail(
          400,
          'parameter_rejected',
          'oauth_callback must be "oob" unless the consumer was registered with a callback prefix it starts with',
          { oauth_parameters_rejected: 'oauth_callback' },
        )
      }
    } else if (policy === 'required') {
      if (callback !== 'oob' && !isAbsoluteCallback(callback!)) {
        fail(
          400,
          'parameter_rejected',
          'oauth_callback must be an absolute URI (printable ASCII, no spaces) or "oob"',
          {
            oauth_parameters_rejected: 'oauth_callback',
          },
        )
      }
      if (!callbackAllowed(callback!, v.client.callbackUrls)) {
        fail(400, 'parameter_rejected', 'oauth_callback is not registered for this client', {
          oauth_parameters_rejected: 'oauth_callback',
        })
      }
    }
    const extra = [...v.query, ...v.form].filter(([k]) => !k.startsWith('oauth_'))
    const requestGrant =
      this.#emu.requestTokenParams?.(extra, (status, problem, advice) =>
        fail(status, problem, advice),
      ) ?? {}
    this.#pruneTokens()
    const token = randomToken(24)
    const secret = this.#newSecret()
    this.#requestTokens.set(token, {
      token,
      secret,
      clientId: v.client.id,
      callback,
      expiresAt: this.#now() + this.#requestTokenTtl * 1000,
      csrf: randomToken(24),
      verifier: undefined,
      userId: undefined,
      approved: false,
      requestGrant: { ...requestGrant },
      authorizeGrant: {},
    })
    const fields: [string, string][] = [
      ['oauth_token', token],
      ['oauth_token_secret', secret],
    ]
    const confirmed =
      this.#quirksFor(v.client).callbackConfirmed ?? this.#emu.callbackConfirmed ?? 'true'
    if (confirmed !== 'omit') fields.push(['oauth_callback_confirmed', confirmed])
    return this.#tokenReply(v.client, fields)
  }

  #pruneTokens(): void {
    if (this.#requestTokens.size < 1000) return
    const now = this.#now()
    for (const [k, t] of this.#requestTokens) if (t.expiresAt <= now) this.#requestTokens.delete(k)
  }

  /** The consent page and its form (§2.2). */
  async #authorize(ctx: Ctx): Promise<Reply> {
    const { req } = ctx
    const spec = this.#emu.authorize!
    let fields: [string, string][]
    if (req.method === 'POST') {
      const body = await this.#readBody(req)
      if (body.length > 0) ctx.record.body = body.subarray(0, MAX_RECORDED_BODY).toString('utf8')
      if (!isFormContentType(req.headers['content-type'])) {
        fail(
          415,
          'parameter_rejected',
          'the consent form is posted as application/x-www-form-urlencoded',
        )
      }
      let text: string
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(body)
      } catch {
        throw new ParseError('form body is not UTF-8')
      }
      fields = parseForm(text, 'form body')
    } else {
      fields = parseForm(ctx.rawQuery, 'query')
    }
    const get = (name: string) => fields.find(([k]) => k === name)?.[1]
    // The page's own form always posts oauth_token; links use the provider's name for it.
    const tokenParam = req.method === 'POST' ? 'oauth_token' : (spec.tokenParam ?? 'oauth_token')
    const tokenValue = get(tokenParam)
    if (tokenValue === undefined || tokenValue === '') {
      fail(400, 'parameter_absent', `The link you followed has no ${tokenParam}.`, {
        oauth_parameters_absent: tokenParam,
      })
    }
    ctx.record.oauthParams = { oauth_token: tokenValue }
    const state = this.#requestTokens.get(tokenValue)
    if (!state) {
      fail(400, 'token_rejected', 'This authorization request is unknown or was already used.')
    }
    ctx.client = this.#clients.get(state.clientId)
    const client = ctx.client!
    if (state.expiresAt <= this.#now()) {
      this.#requestTokens.delete(state.token)
      fail(
        400,
        'token_expired',
        'This authorization request has expired. Start again from the application.',
      )
    }
    if (state.approved) {
      fail(400, 'token_used', 'This authorization request was already answered.')
    }

    if (req.method !== 'POST') {
      const read = this.#readAuthorizeParams(client, get)
      // HEAD never changes state: it only shows what GET would.
      const shown = req.method === 'GET' ? state : { ...state }
      if (read.callback !== undefined) shown.callback = read.callback
      shown.authorizeGrant = read.grant
      const auto = client.autoApprove ?? this.#options.autoApprove
      if (auto !== undefined && auto !== false && req.method === 'GET') {
        const user = auto === true ? this.users[0]! : this.#findUser(auto)!
        return this.#approve(state, client, user)
      }
      const grant = { ...shown.requestGrant, ...shown.authorizeGrant }
      const details: [string, string][] = []
      for (const [name, p] of Object.entries(spec.params ?? {})) {
        const value = shown.authorizeGrant[name]
        if (p.label !== undefined && value !== undefined) details.push([p.label, value])
      }
      return this.#html(
        200,
        consentPage({
          providerName: this.#providerName,
          clientName: client.name,
          title:
            spec.title?.(client.name, grant) ??
            `Authorize ${client.name} to use your ${this.#providerName} account?`,
          details,
          users: this.users,
          oauthToken: state.token,
          csrfToken: state.csrf,
          destination: this.#destination(shown, client),
          verifier: this.#emu.verifier !== false,
          action: spec.paths[0]!,
        }),
      )
    }

    // The consent form: the CSRF token bound to this request token, and our own origin.
    const origin = req.headers.origin
    if (origin !== undefined && origin !== 'null' && origin !== `http://${ctx.host}`) {
      fail(403, 'permission_denied', 'The consent form was posted from another site.')
    }
    if (!safeEqual(get('csrf_token') ?? '', state.csrf)) {
      fail(
        403,
        'permission_denied',
        'The consent form is stale or forged. Start again from the application.',
      )
    }
    const decision = get('decision')
    if (decision === 'deny') return this.#deny(ctx, state, client)
    if (decision !== 'allow') {
      fail(400, 'parameter_rejected', 'Choose Allow or Deny.', {
        oauth_parameters_rejected: 'decision',
      })
    }
    const user = this.users.find((u) => u.id === get('user_id'))
    if (!user)
      fail(400, 'parameter_rejected', 'Choose a user.', { oauth_parameters_rejected: 'user_id' })
    return this.#approve(state, client, user)
  }

  /** The authorize URL's own parameters: the consumer key, the callback, and the provider's extras. */
  #readAuthorizeParams(
    client: ResolvedClient,
    get: (name: string) => string | undefined,
  ): { callback: string | undefined; grant: Record<string, string> } {
    const spec = this.#emu.authorize!
    if (spec.consumerKeyParam !== undefined) {
      const key = get(spec.consumerKeyParam)
      if (key === undefined || key === '') {
        fail(400, 'parameter_absent', `The link you followed has no ${spec.consumerKeyParam}.`, {
          oauth_parameters_absent: spec.consumerKeyParam,
        })
      }
      if (!safeEqual(key, client.id)) {
        fail(
          400,
          'consumer_key_rejected',
          `${spec.consumerKeyParam} does not name the application that asked for this authorization.`,
        )
      }
    }
    let callback: string | undefined
    if (spec.callback === 'accepted') {
      callback = get('oauth_callback')
      if (callback !== undefined) {
        if (
          (callback !== 'oob' && !isAbsoluteCallback(callback)) ||
          !callbackAllowed(callback, client.callbackUrls)
        ) {
          fail(
            400,
            'parameter_rejected',
            'oauth_callback is not registered for this application.',
            {
              oauth_parameters_rejected: 'oauth_callback',
            },
          )
        }
      }
    }
    const grant: Record<string, string> = {}
    for (const [name, p] of Object.entries(spec.params ?? {})) {
      const value = get(name)
      if (value === undefined) {
        if (p.required) {
          fail(400, 'parameter_absent', p.error ?? `The link you followed has no ${name}.`, {
            oauth_parameters_absent: name,
          })
        }
        if (p.default !== undefined) grant[name] = p.default
        continue
      }
      if (!accepts(p.values, value)) {
        fail(400, 'parameter_rejected', p.error ?? `This page does not accept ${name}=${value}.`, {
          oauth_parameters_rejected: name,
        })
      }
      grant[name] = value
    }
    return { callback, grant }
  }

  /**
   * Where the user goes after answering: the login's callback, the client's
   * registered callback (for providers that take only `oob`), or `undefined`
   * for a page on the provider (the out-of-band verifier).
   */
  #destination(state: RequestTokenState, client: ResolvedClient): string | undefined {
    const callback = state.callback
    if (callback === undefined) return undefined
    if (callback !== 'oob') return callback
    const policy = this.#emu.callback
    if (policy === 'oob' || policy === 'oob-or-prefix') return registeredCallback(client)
    return undefined
  }

  #callbackExtras(state: RequestTokenState, user: TestUser | undefined, denied: boolean) {
    const extras = this.#emu.callbackParams?.({
      user,
      grant: { ...state.requestGrant, ...state.authorizeGrant },
      denied,
    })
    return Object.entries(extras ?? {})
  }

  #approve(state: RequestTokenState, client: ResolvedClient, user: TestUser): Reply {
    const withVerifier = this.#emu.verifier !== false
    const destination = this.#destination(state, client)
    state.userId = user.id
    state.approved = true
    if (withVerifier) {
      state.verifier =
        destination === undefined && this.#emu.oobVerifier
          ? this.#emu.oobVerifier()
          : randomToken(18)
    }
    if (destination === undefined) {
      return this.#html(
        200,
        state.verifier === undefined
          ? returnPage(this.#providerName, client.name)
          : oobPage(this.#providerName, client.name, state.verifier),
      )
    }
    const params: [string, string][] = [['oauth_token', state.token]]
    if (state.verifier !== undefined) params.push(['oauth_verifier', state.verifier])
    params.push(...this.#callbackExtras(state, user, false))
    return this.#html(302, '', { location: appendParams(destination, params) })
  }

  #deny(ctx: Ctx, state: RequestTokenState, client: ResolvedClient): Reply {
    this.#requestTokens.delete(state.token)
    ctx.record.problem = 'user_refused'
    const destination = this.#destination(state, client)
    if (destination === undefined)
      return this.#html(200, oobDeniedPage(this.#providerName, client.name))
    const denial = this.#quirksFor(client).denial ?? this.#emu.denial ?? 'user_refused'
    let params: [string, string][]
    if (denial === 'denied') {
      params = [['denied', state.token]]
    } else if (denial === 'empty_verifier') {
      params = [
        ['oauth_token', state.token],
        ['oauth_verifier', ''],
        ...this.#callbackExtras(state, undefined, true),
      ]
    } else {
      params = [
        ['oauth_problem', 'user_refused'],
        ['oauth_token', state.token],
      ]
    }
    return this.#html(302, '', { location: appendParams(destination, params) })
  }

  /** The token-credential endpoint (§2.3). */
  async #accessToken(ctx: Ctx): Promise<Reply> {
    const withVerifier = this.#emu.verifier !== false
    let state: RequestTokenState | undefined
    const v = await this.#verify(ctx, {
      required: withVerifier ? ['oauth_verifier'] : [],
      token: 'required',
      tokenSecret: (client, token) => {
        state = this.#requestTokens.get(token)
        if (!state || state.clientId !== client.id) {
          fail(401, 'token_rejected', 'oauth_token is not a temporary credential of this client')
        }
        if (state.expiresAt <= this.#now()) {
          this.#requestTokens.delete(token)
          fail(401, 'token_expired', 'the temporary credentials have expired')
        }
        return state.secret
      },
    })
    // Temporary credentials are single-use (§2.3): burn them on any signed attempt.
    const s = state!
    this.#requestTokens.delete(s.token)
    if (!withVerifier) {
      // OAuth 1.0: the user's Allow is the only proof (a verifier, if sent, means nothing).
      if (!s.approved || s.userId === undefined) {
        fail(401, 'permission_unknown', 'the user has not authorized this request token')
      }
    } else {
      const verifier = v.params.get('oauth_verifier')!
      if (s.verifier === undefined || s.userId === undefined || !safeEqual(verifier, s.verifier)) {
        fail(401, 'verifier_invalid', 'oauth_verifier does not match the one given to the user')
      }
    }
    const user = this.users.find((u) => u.id === s.userId)!
    const token = this.#issueAccessToken(v.client.id, user, {
      ...s.requestGrant,
      ...s.authorizeGrant,
    })
    return this.#tokenReply(v.client, Object.entries(token))
  }

  #accessTokenSecret(client: ResolvedClient, token: string, wake: boolean): string {
    const state = this.#accessTokens.get(token)
    if (!state || state.clientId !== client.id) {
      fail(401, 'token_rejected', 'oauth_token is not a token credential of this client')
    }
    const now = this.#now()
    if (
      (state.expiresAt !== undefined && state.expiresAt <= now) ||
      this.#emu.tokenExpired?.(state.issuedAt, now)
    ) {
      this.#accessTokens.delete(token)
      fail(401, 'token_expired', 'the token credentials have expired')
    }
    const idle = this.#emu.tokenIdleTimeout
    if (idle !== undefined && !wake && now - state.lastUsedAt > idle * 1000) {
      fail(
        401,
        'token_expired',
        `the token credentials went inactive after ${idle} s without use; renew them`,
      )
    }
    return state.secret
  }

  /** A route of the emulation (a protected resource). */
  async #runRoute(ctx: Ctx, route: EmulationRoute): Promise<Reply> {
    let read: ReadRequest
    let params = new Map<string, string>()
    let source: Placement | undefined
    let client: ResolvedClient | undefined
    let state: AccessTokenState | undefined
    if (route.auth === 'none') {
      read = await this.#read(ctx)
    } else {
      const v = await this.#verify(ctx, {
        required: [],
        token:
          route.auth === 'token'
            ? 'required'
            : route.auth === 'consumer'
              ? 'forbidden'
              : 'optional',
        tokenSecret: (c, t) => this.#accessTokenSecret(c, t, route.renewsToken === true),
      })
      read = v
      params = v.params
      source = v.source
      client = v.client
      const token = v.params.get('oauth_token')
      state = token ? this.#accessTokens.get(token) : undefined
      if (state) state.lastUsedAt = this.#now()
    }
    const tokenState = state
    const request: EmulationRequest = {
      method: ctx.req.method ?? 'GET',
      url: new URL(`${this.url}${ctx.rawPath}${ctx.rawQuery === '' ? '' : `?${ctx.rawQuery}`}`),
      path: ctx.rawPath,
      headers: ctx.req.headers,
      query: read.query.filter(([k]) => !k.startsWith('oauth_')),
      form: read.form.filter(([k]) => !k.startsWith('oauth_')),
      body: read.body.toString('utf8'),
      contentType: read.contentType,
      oauth: Object.fromEntries(params),
      oauthSource: source,
      client: client ? { id: client.id, name: client.name, secret: client.secret } : undefined,
      token: tokenState
        ? {
            value: tokenState.token,
            clientId: tokenState.clientId,
            revoke: () => {
              this.#accessTokens.delete(tokenState.token)
            },
          }
        : undefined,
      user: tokenState ? this.users.find((u) => u.id === tokenState.userId) : undefined,
      grant: tokenState ? { ...tokenState.grant } : {},
      origin: this.url,
      now: this.#now(),
      users: this.users,
      findTokenBySecret: (secret) => {
        for (const t of this.#accessTokens.values()) {
          if (t.expiresAt !== undefined && t.expiresAt <= this.#now()) continue
          if (safeEqual(t.secret, secret)) {
            const user = this.users.find((u) => u.id === t.userId)
            if (user) return { user, grant: { ...t.grant }, clientId: t.clientId }
          }
        }
        return undefined
      },
      refuse: (status, problem, advice) => fail(status, problem, advice),
    }
    return this.#fromEmulation(await route.handle(request))
  }
}

/** Headers a request may carry once: the base string's Host, the protocol parameters, the body's type. */
const SINGLE_HEADERS = ['host', 'authorization', 'content-type'] as const
const SINGLE_HEADER_NAMES = {
  host: 'Host',
  authorization: 'Authorization',
  'content-type': 'Content-Type',
} as const

function describePlacements(e: Emulation): string {
  const names: string[] = (e.placements ?? []).map((p) =>
    p === 'header' ? 'the Authorization header' : p === 'body' ? 'the form body' : 'the query',
  )
  if (e.jsonQueryParam) names.push(`the ${e.jsonQueryParam} query parameter`)
  return names.join(' or ')
}

class TooLarge extends Error {}

function pick<T>(
  value: T | Partial<Record<Endpoint, T>> | undefined,
  endpoint: Endpoint,
): T | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'object' && value !== null && !('status' in value)) {
    return (value as Partial<Record<Endpoint, T>>)[endpoint]
  }
  return value as T
}

/** The failures that are not an answer: a reset, a body cut short, a body that never ends. */
function breakAnswer(kind: 'reset' | 'truncated' | 'drip', res: ServerResponse): void {
  const socket = res.socket
  if (kind === 'reset') {
    if (socket && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
    else socket?.destroy()
    return
  }
  const form = 'application/x-www-form-urlencoded'
  if (kind === 'truncated') {
    const body = Buffer.from(
      'oauth_token=truncated-token&oauth_token_secret=truncated-secret&oauth_callback_confirmed=true',
    )
    res.writeHead(200, { 'content-type': form, 'content-length': body.length })
    // Half the promised body, then the connection goes.
    res.write(body.subarray(0, body.length >> 1), () => socket?.destroy())
    return
  }
  res.writeHead(200, { 'content-type': form })
  res.write('o')
  const timer = setInterval(() => res.write('o'), 200)
  // Until the client gives up (or close() drops the connection).
  res.once('close', () => clearInterval(timer))
}

function failureReply(failure: Exclude<Failure, 'reset' | 'truncated' | 'drip'>): Reply {
  switch (failure) {
    case 'server_error':
      return {
        status: 500,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'Internal Server Error',
      }
    case 'unavailable':
      return {
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' },
        body: 'Service Unavailable',
      }
    case 'html':
      return {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: '<!doctype html><html lang="en"><head><title>Something went wrong</title></head><body><h1>Something went wrong</h1><p>Please try again later.</p></body></html>',
      }
    case 'malformed':
      return {
        status: 200,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'oauth_token=only-half-a-token&oauth_callback_confirmed=true',
      }
    case 'empty':
      return {
        status: 200,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      }
    case 'oversized': {
      const body = Buffer.alloc(OVERSIZED_BYTES, 'a')
      body.write('oauth_token=')
      return { status: 200, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }
    }
    default:
      return {
        status: failure.status,
        headers: { 'content-type': failure.contentType ?? 'text/plain; charset=utf-8' },
        body: failure.body ?? '',
      }
  }
}

/**
 * Starts a strict OAuth 1.0a provider on 127.0.0.1 (a free port unless
 * `port` is given) and resolves once it listens.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2
 * @example
 * ```ts
 * const provider = await createTestProvider({ autoApprove: true })
 * oauth.register('test', {
 *   clientId: provider.client.id, clientSecret: provider.client.secret,
 *   requestTokenUrl: provider.requestTokenUrl, authorizeUrl: provider.authorizeUrl,
 *   accessTokenUrl: provider.accessTokenUrl, apiBaseUrl: provider.apiBaseUrl,
 * })
 * // …
 * await provider.close()
 * ```
 */
export async function createTestProvider(options: TestProviderOptions = {}): Promise<TestProvider> {
  return new TestProvider(options).listen()
}
