/**
 * The token requests' transport on Node: HTTP/1.1 written and read by hand
 * over `node:net`/`node:tls` sockets kept alive between requests, used when
 * the user gave no `fetch` of their own. Fetch (undici on Node) costs a login
 * far more CPU than the two small POSTs need (an AbortController, web streams
 * for the body, WebIDL conversions), and even `node:http` spends several times
 * a token request's own work in its request, answer and agent objects. Here a
 * request is one write of its bytes, and the answer is read by `http1.ts`.
 *
 * What it sends and how it answers is fetch's, so that the client behaves the
 * same on both paths: the default headers fetch adds (`accept: *\/*`,
 * `accept-language: *`, `sec-fetch-mode: cors`, `user-agent: node`,
 * `accept-encoding: gzip, deflate`, each unless set), the body encoding
 * (`content-length`, fetch's content type for a form or a string), no
 * redirect followed, a gzip/deflate/br body decoded, and errors that the
 * client maps to the same codes. HTTPS is `tls.connect` with Node's defaults
 * (its CA store, `NODE_EXTRA_CA_CERTS`, the certificate checked against the
 * host name, which is also sent as SNI), as `node:https` and fetch do. The
 * modules come from `process.getBuiltinModule`, never a static import, so the
 * package still loads where there is no `node:net` (browsers, workerd);
 * there, and in Bun and Deno, fetch is used.
 * @internal
 */
import type * as NodeHttp from 'node:http'
import type * as NodeNet from 'node:net'
import type * as NodeStream from 'node:stream'
import type * as NodeTls from 'node:tls'
import type * as NodeZlib from 'node:zlib'
import { BoundedMap } from './crypto/bounded-map.js'
import { decodeChunks, type TokenReply } from './http.js'
import { AnswerError, AnswerReader, type AnswerSink, type Chunk, TOKEN } from './http1.js'
import { setOwn } from './own.js'

interface NodeModules {
  net: typeof NodeNet
  tls: typeof NodeTls
  stream: typeof NodeStream
  zlib: typeof NodeZlib
  /** The longest answer head read: node:http's limit (`--max-http-header-size`, 16 KiB by default). */
  maxHeadBytes: number
}

/** How long an idle keep-alive connection is kept: under Node servers' default 5 s keepAliveTimeout. */
let idleTimeout = 4_000

/**
 * Sets how long an idle connection is kept (ms); returns the previous value.
 * @internal For tests.
 */
export function setIdleTimeout(ms: number): number {
  const previous = idleTimeout
  idleTimeout = ms
  if (sweeper !== undefined) {
    clearTimeout(sweeper)
    sweeper = setTimeout(sweep, ms).unref()
  }
  return previous
}

/** The most idle connections kept per origin: node:http.Agent's maxFreeSockets. */
const MAX_IDLE_PER_ORIGIN = 256

let loaded: NodeModules | null | undefined

/**
 * True in Node itself: not Bun, Deno or Cloudflare Workers, whose node:net is
 * a layer over their own networking (nothing to gain, and it differs).
 */
function isNode(): boolean {
  const g = globalThis as {
    Bun?: unknown
    Deno?: unknown
    navigator?: { userAgent?: string }
    process?: { release?: { name?: string } }
  }
  return (
    g.Bun === undefined &&
    g.Deno === undefined &&
    g.navigator?.userAgent !== 'Cloudflare-Workers' &&
    g.process?.release?.name === 'node'
  )
}

/** node:net, node:tls, node:stream and node:zlib, or null where they are not Node's. */
function load(): NodeModules | null {
  if (loaded !== undefined) return loaded
  loaded = null
  try {
    if (!isNode()) return loaded
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process
    const get = proc?.getBuiltinModule
    if (typeof get !== 'function') return loaded
    const net = get('node:net') as typeof NodeNet | undefined
    const tls = get('node:tls') as typeof NodeTls | undefined
    const stream = get('node:stream') as typeof NodeStream | undefined
    const zlib = get('node:zlib') as typeof NodeZlib | undefined
    const http = get('node:http') as typeof NodeHttp | undefined
    if (!net?.connect || !tls?.connect || !stream?.Transform || !zlib?.createGunzip) return loaded
    const maxHeadBytes = http?.maxHeaderSize
    loaded = {
      net,
      tls,
      stream,
      zlib,
      maxHeadBytes: typeof maxHeadBytes === 'number' && maxHeadBytes > 0 ? maxHeadBytes : 16_384,
    }
  } catch {
    loaded = null
  }
  return loaded
}

/** Which transport token requests use when no `fetch` was given. */
export type TokenTransportName = 'node' | 'fetch'

let preferred: TokenTransportName = 'node'

/**
 * Chooses the transport of token requests made without an injected `fetch`
 * from now on (`'node'`, the default, falls back to fetch where node:net is
 * not Node's); returns the previous choice.
 * @internal For tests and benchmarks.
 */
export function setTokenTransport(name: TokenTransportName): TokenTransportName {
  if (name !== 'node' && name !== 'fetch')
    throw new TypeError('transport must be "node" or "fetch"')
  const previous = preferred
  preferred = name
  return previous
}

let seenFetch: unknown
let seenFetchIsNodes = false

/**
 * True while `globalThis.fetch` is Node's own (its source loads Node's
 * internal undici, which no user code can). A fetch the app or a test put in
 * its place — a mock, an interceptor, a stub — keeps receiving the token
 * requests, as it did before this transport existed. Read again whenever
 * `globalThis.fetch` changes; a Node whose fetch reads differently falls back
 * to fetch, which is slower but never wrong.
 */
function globalFetchIsNodes(): boolean {
  const current = (globalThis as { fetch?: unknown }).fetch
  if (current !== seenFetch) {
    seenFetch = current
    let source = ''
    try {
      source = typeof current === 'function' ? Function.prototype.toString.call(current) : ''
    } catch {
      // a Proxy or another callable whose source cannot be read: not Node's own
    }
    seenFetchIsNodes = source.includes('internal/deps/undici/undici')
  }
  return seenFetchIsNodes
}

/**
 * Where undici keeps its global dispatcher, which Node's fetch sends through,
 * with the class names Node's own has there: undici 6 and 7 (Node 20–24) use
 * the first slot; undici 8 (Node 26) keeps its Agent in the second and a
 * wrapper of it in the first, for the older packages' `setGlobalDispatcher`.
 */
const GLOBAL_DISPATCHERS: readonly (readonly [symbol, readonly string[]])[] = [
  [Symbol.for('undici.globalDispatcher.1'), ['Agent', 'Dispatcher1Wrapper']],
  [Symbol.for('undici.globalDispatcher.2'), ['Agent']],
]

/** The first dispatcher seen in each slot. */
const firstDispatchers = new Map<symbol, unknown>()

/**
 * True while undici's global dispatcher is still the one Node made, in every
 * slot: none yet, or the first one seen there, of Node's own class. One the
 * app put there (`setGlobalDispatcher` of a MockAgent, a ProxyAgent, an
 * EnvHttpProxyAgent, another Agent) keeps receiving the token requests. A
 * plain Agent set before Node's fetch ever ran cannot be told from Node's.
 */
let lastDispatchers: readonly unknown[] | undefined
let lastDispatchersAreNodes = false

function globalDispatcherIsNodes(): boolean {
  // The slots as they were at the last check: the same answer, without the walk.
  const g = globalThis as Record<symbol, unknown>
  const one = g[GLOBAL_DISPATCHERS[0]![0]]
  const two = g[GLOBAL_DISPATCHERS[1]![0]]
  if (lastDispatchers !== undefined && lastDispatchers[0] === one && lastDispatchers[1] === two) {
    return lastDispatchersAreNodes
  }
  lastDispatchersAreNodes = checkGlobalDispatchers()
  lastDispatchers = [one, two]
  return lastDispatchersAreNodes
}

function checkGlobalDispatchers(): boolean {
  for (const [slot, names] of GLOBAL_DISPATCHERS) {
    const current = (globalThis as Record<symbol, unknown>)[slot]
    if (current === undefined) continue
    if (!firstDispatchers.has(slot)) firstDispatchers.set(slot, current)
    if (current !== firstDispatchers.get(slot)) return false
    const name = (current as { constructor?: { name?: unknown } }).constructor?.name
    if (typeof name !== 'string' || !names.includes(name)) return false
  }
  return true
}

/**
 * True when token requests without an injected fetch go over Node's own sockets
 * here: on Node, with `globalThis.fetch` and undici's global dispatcher still
 * Node's own.
 */
export function nodeTransportAvailable(): boolean {
  return (
    preferred === 'node' && globalFetchIsNodes() && globalDispatcherIsNodes() && load() !== null
  )
}

/** What one token request sends. */
export interface NodeRequestInit {
  method: string
  headers: Headers
  /** The `Authorization` header, when the signing left it out of `headers`. */
  authorization?: string | undefined
  body: string | URLSearchParams | Uint8Array | null
}

/**
 * One exchange with a token endpoint over a Node socket, under a deadline of
 * `timeout` ms (`0`/`Infinity`: none) covering the answer and its body, like
 * the fetch path's deadline.
 */
export interface NodeExchange {
  /** Resolves with the answer's status and headers; rejects on a network failure or the deadline. */
  readonly reply: Promise<TokenReply>
  /** True once the deadline passed. */
  readonly timedOut: boolean
  /**
   * False while no byte of the request can have reached the server: no
   * connection made yet (TCP, then TLS), nor a kept-alive one written to.
   * A failure then leaves the provider untouched (nothing was sent).
   */
  readonly sent: boolean
  /** Stops the timer and drops the connection if the body was not read to its end. */
  finish(): void
}

const MAX_TIMER_DELAY = 2_147_483_647

const utf8Encoder = new TextEncoder()

/** Errors of a kept-alive connection that the server had closed. */
const RESET = new Set(['ECONNRESET', 'EPIPE'])

/** Fetch's default headers, added when the request has none of its own. */
const FETCH_DEFAULT_HEADERS: readonly (readonly [string, string])[] = [
  ['accept', '*/*'],
  ['accept-language', '*'],
  ['sec-fetch-mode', 'cors'],
  ['user-agent', 'node'],
  ['accept-encoding', 'gzip, deflate'],
]

/**
 * The header names the exchange adds unless the request has its own: fetch's
 * defaults, then `content-type`, `content-length`, `host` and `connection`,
 * each a bit of the mask `prepare` keeps of the names it was given.
 */
const CONTENT_TYPE = 1 << FETCH_DEFAULT_HEADERS.length
const CONTENT_LENGTH = CONTENT_TYPE << 1
const HOST = CONTENT_TYPE << 2
const CONNECTION = CONTENT_TYPE << 3
const ADDED_HEADERS = new Map<string, number>([
  ...FETCH_DEFAULT_HEADERS.map(([name], i) => [name, 1 << i] as const),
  ['content-type', CONTENT_TYPE],
  ['content-length', CONTENT_LENGTH],
  ['host', HOST],
  ['connection', CONNECTION],
])

/** Where a request goes. */
interface Target {
  readonly secure: boolean
  /** The host to connect to: an IPv6 address without its brackets. */
  readonly hostname: string
  readonly port: number
  /** The request target: path and query. */
  readonly path: string
  /** The `host` header: the URL's host (IPv6 in brackets, a port not the default). */
  readonly host: string
  /** The name of the origin's pool of idle connections. */
  readonly origin: string
}

// The token endpoints' URLs (not secret) as lately taken apart: a login asks
// the same two again and again. Only a URL without a query is kept (and none
// longer than 2048 characters): one signed in its query (signatureType
// 'query') carries the token, the verifier and the signature (with PLAINTEXT,
// the secrets themselves), and its fresh nonce makes it one never asked again;
// other queries may carry something secret too.
const targets = new BoundedMap<string, Target>(32)

function targetOf(url: string): Target {
  let target = targets.get(url)
  if (target === undefined) {
    const parsed = new URL(url)
    const secure = parsed.protocol === 'https:'
    if (!secure && parsed.protocol !== 'http:') {
      throw new TypeError(`a token request goes over http: or https:, not ${parsed.protocol}`)
    }
    const port = parsed.port === '' ? (secure ? 443 : 80) : Number(parsed.port)
    target = {
      secure,
      hostname: parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname,
      port,
      path: `${parsed.pathname}${parsed.search}`,
      host: parsed.host,
      origin: `${parsed.protocol}//${parsed.hostname}:${port}`,
    }
    if (url.length <= 2048 && parsed.search === '') targets.set(url, target)
  }
  return target
}

/** What node:http refuses in a header value: control characters but HTAB, and beyond Latin-1. */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/
/** What node:http refuses in a request target: spaces, controls, beyond Latin-1. */
const INVALID_PATH = /[^\x21-\xff]/

/** Headers fetch (undici) refuses to send, as they would change the message's framing or the connection. */
const REFUSED_HEADERS = new Set(['transfer-encoding', 'keep-alive', 'upgrade', 'expect'])

/** A request as written on the connection. */
interface Prepared {
  readonly target: Target
  /** The request line and header fields, Latin-1, a form body appended. */
  readonly head: string
  /** A body not in `head`. */
  readonly body: Uint8Array | null
  /** The request asked for the connection to be closed after it. */
  readonly close: boolean
  /** A HEAD request: its answer has no body. */
  readonly bodiless: boolean
}

function checkHeader(name: string, value: string): void {
  if (!TOKEN.test(name)) throw new TypeError(`Header name must be a valid HTTP token ["${name}"]`)
  if (INVALID_VALUE.test(value))
    throw new TypeError(`Invalid character in header content ["${name}"]`)
}

function prepare(url: string, init: NodeRequestInit): Prepared {
  const target = targetOf(url)
  const { method } = init
  if (!TOKEN.test(method)) throw new TypeError(`Method must be a valid HTTP token ["${method}"]`)
  if (INVALID_PATH.test(target.path))
    throw new TypeError('Request path contains unescaped characters')
  // The request's own headers (lower-case, as Headers gives them), then what
  // fetch would add (its defaults, the body's content type and length) and
  // the host and connection, each unless given.
  let head = `${method} ${target.path} HTTP/1.1\r\n`
  if (init.authorization !== undefined) {
    checkHeader('authorization', init.authorization)
    head += `authorization: ${init.authorization}\r\n`
  }
  let given = 0
  let close = false
  let ownLength = false
  init.headers.forEach((value, name) => {
    checkHeader(name, value)
    if (
      REFUSED_HEADERS.has(name) ||
      (name === 'connection' && !/^(?:close|keep-alive)$/i.test(value))
    ) {
      // What fetch (undici) refuses too: headers that would change the framing or the connection.
      throw new TypeError(`invalid ${name} header`)
    }
    const bit = ADDED_HEADERS.get(name) ?? 0
    given |= bit
    if (bit === CONTENT_LENGTH) {
      // The body's length is written below, whatever length the request named.
      ownLength = true
      return
    }
    if (bit === CONNECTION && value.toLowerCase() === 'close') close = true
    head += `${name}: ${value}\r\n`
  })
  // Strings go out as UTF-8 bytes, as fetch sends them: their length is the content-length.
  let body: Uint8Array | null = null
  let form: string | undefined
  let length = -1
  let contentType: string | undefined
  if (init.body instanceof URLSearchParams) {
    // Percent-encoded: ASCII, one byte a character, written with the head.
    form = init.body.toString()
    length = form.length
    contentType = 'application/x-www-form-urlencoded;charset=UTF-8'
  } else if (typeof init.body === 'string') {
    body = utf8Encoder.encode(init.body)
    contentType = 'text/plain;charset=UTF-8'
  } else if (init.body instanceof Uint8Array) {
    body = init.body
  }
  if (body !== null) length = body.byteLength
  if (contentType !== undefined && (given & CONTENT_TYPE) === 0) {
    head += `content-type: ${contentType}\r\n`
  }
  for (let i = 0; i < FETCH_DEFAULT_HEADERS.length; i++) {
    const [name, value] = FETCH_DEFAULT_HEADERS[i] as readonly [string, string]
    if ((given & (1 << i)) === 0) head += `${name}: ${value}\r\n`
  }
  if (length !== -1 || ownLength || (method !== 'GET' && method !== 'HEAD')) {
    head += `content-length: ${length === -1 ? 0 : length}\r\n`
  }
  if ((given & HOST) === 0) head += `host: ${target.host}\r\n`
  if ((given & CONNECTION) === 0) head += 'connection: keep-alive\r\n'
  head += '\r\n'
  if (form !== undefined) head += form
  return { target, head, body, close, bodiless: method === 'HEAD' }
}

/** The same request signed afresh (a new nonce and timestamp), for sending it once more. */
export type SignAgain = () =>
  | { url: string; init: NodeRequestInit }
  | Promise<{ url: string; init: NodeRequestInit }>

/** A socket with the exchange it serves, if any; idle ones wait in their origin's pool. */
class Connection {
  readonly socket: NodeNet.Socket
  readonly origin: string
  /** The exchange using the connection; null while idle. */
  owner: SocketExchange | null = null
  /** Taken from the pool: it carried a request before. */
  reused = false
  /** When it was last parked idle (ms since the epoch). */
  idleSince = 0

  constructor(socket: NodeNet.Socket, origin: string, secure: boolean) {
    this.socket = socket
    this.origin = origin
    socket.on('data', (chunk: Chunk) => {
      if (this.owner !== null) this.owner.data(chunk)
      // Bytes on an idle connection answer nothing asked: not one to send on.
      else socket.destroy()
    })
    socket.on('end', () => this.owner?.ended(undefined))
    socket.on('timeout', () => this.owner?.inactive())
    socket.once(secure ? 'secureConnect' : 'connect', () => this.owner?.connected())
    socket.on('error', (err: Error) => this.owner?.ended(err))
    socket.on('close', () => {
      unpark(this)
      this.owner?.ended(undefined)
    })
  }
}

/** Idle kept-alive connections by origin, the latest parked last. */
const idle = new Map<string, Connection[]>()

/** The timer that closes connections idle too long, while any are idle. */
let sweeper: ReturnType<typeof setTimeout> | undefined

/** The latest-parked usable idle connection to `origin`, taken out of the pool. */
function takeIdle(origin: string): Connection | undefined {
  const list = idle.get(origin)
  if (list === undefined) return undefined
  const now = Date.now()
  let conn = list.pop()
  while (
    conn !== undefined &&
    (conn.socket.destroyed || !conn.socket.writable || now - conn.idleSince >= idleTimeout)
  ) {
    conn.socket.destroy()
    conn = list.pop()
  }
  if (list.length === 0) idle.delete(origin)
  if (conn === undefined) return undefined
  conn.socket.ref()
  conn.reused = true
  return conn
}

function park(conn: Connection): void {
  let list = idle.get(conn.origin)
  if (list === undefined) {
    list = []
    idle.set(conn.origin, list)
  }
  if (list.length >= MAX_IDLE_PER_ORIGIN) {
    conn.socket.destroy()
    return
  }
  conn.idleSince = Date.now()
  list.push(conn)
  // Never what keeps the process alive; closed when idle too long.
  conn.socket.unref()
  sweeper ??= setTimeout(sweep, idleTimeout).unref()
}

/** Closes the connections idle for idleTimeout or more; comes back while any remain. */
function sweep(): void {
  sweeper = undefined
  const now = Date.now()
  let next = Number.POSITIVE_INFINITY
  for (const list of idle.values()) {
    for (const conn of [...list]) {
      const left = conn.idleSince + idleTimeout - now
      if (left <= 0) conn.socket.destroy()
      else next = Math.min(next, left)
    }
  }
  if (next !== Number.POSITIVE_INFINITY) sweeper = setTimeout(sweep, next).unref()
}

function unpark(conn: Connection): void {
  const list = idle.get(conn.origin)
  if (list === undefined) return
  const at = list.indexOf(conn)
  if (at !== -1) list.splice(at, 1)
  if (list.length === 0) idle.delete(conn.origin)
}

function connect(target: Target, mods: NodeModules): Connection {
  const socket = target.secure
    ? mods.tls.connect({
        host: target.hostname,
        port: target.port,
        // The name the certificate is checked against, sent as SNI (not for an IP address).
        ...(mods.net.isIP(target.hostname) === 0 ? { servername: target.hostname } : {}),
      })
    : mods.net.connect({ host: target.hostname, port: target.port })
  socket.setNoDelay(true)
  socket.setKeepAlive(true, 1_000)
  return new Connection(socket, target.origin, target.secure)
}

/**
 * What bounds an exchange given no deadline (`timeout: 0`), as undici bounds
 * fetch's by default: the connection (TCP and TLS) made within `connect` ms,
 * the answer's head within `head` ms of the request, no `body` ms without a
 * byte of the body.
 */
const noDeadline = { connect: 10_000, head: 300_000, body: 300_000 }

/**
 * Sets what bounds an exchange without a deadline; returns the previous limits.
 * @internal For tests.
 */
export function setNoDeadlineLimits(limits: typeof noDeadline): typeof noDeadline {
  const previous = { ...noDeadline }
  Object.assign(noDeadline, limits)
  return previous
}

/** Where the body's bytes go once the client reads it. */
interface BodyReceiver {
  /** False when the bytes could not all be taken in yet: the connection is paused until `resume`. */
  data(bytes: Uint8Array): boolean
  end(): void
  fail(err: Error): void
}

/** Body bytes held before the client reads them; past this, the socket is paused. */
const HELD_BODY_BYTES = 65_536

/**
 * Starts a token request over a kept-alive connection. Call only when
 * {@link nodeTransportAvailable}. With `again`, a request that met a
 * kept-alive connection the server had just closed is signed afresh and
 * sent once more on a new one.
 */
export function startNodeExchange(
  url: string,
  init: NodeRequestInit,
  timeout: number,
  again?: SignAgain,
): NodeExchange {
  return new SocketExchange(url, init, timeout, again)
}

/** One request and its answer, under the deadline. */
class SocketExchange implements NodeExchange, AnswerSink {
  readonly reply: Promise<TokenReply>
  #resolve!: (reply: TokenReply) => void
  #reject!: (err: unknown) => void
  /** The reply promise is settled. */
  #answered = false
  #timedOut = false
  #timer: ReturnType<typeof setTimeout> | undefined
  readonly #mods: NodeModules
  readonly #again: SignAgain | undefined
  /** The connection, while the answer is still coming on it. */
  #conn: Connection | null = null
  #reader: AnswerReader | undefined
  /** Sent on a reused connection, and may be sent once more. */
  #mayResend = false
  /** The request asked for the connection to close after it. */
  #close = false
  /** No deadline: the connection's inactivity is bounded instead (`noDeadline`). */
  #guarded = false
  /** The connection (TCP, then TLS) is still being made. */
  #connecting = false
  /** A byte of the request may have reached the server (see NodeExchange.sent). */
  #sent = false
  // The body, held until the client reads it.
  #held: Uint8Array[] = []
  #heldBytes = 0
  #bodyEnded = false
  #bodyError: Error | undefined
  #receiver: BodyReceiver | null = null

  constructor(url: string, init: NodeRequestInit, timeout: number, again: SignAgain | undefined) {
    this.#mods = load() as NodeModules
    this.#again = again
    this.reply = new Promise<TokenReply>((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    if (Number.isFinite(timeout) && timeout > 0 && timeout <= MAX_TIMER_DELAY) {
      this.#timer = setTimeout(() => this.#expire(), timeout)
    }
    this.#start(() => prepare(url, init), true)
  }

  get timedOut(): boolean {
    return this.#timedOut
  }

  get sent(): boolean {
    return this.#sent
  }

  finish(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    // Not read to its end (an error answer, a body over the bound): the connection cannot be reused.
    this.stop()
  }

  /** Drops the connection if the answer is still coming on it. */
  stop(): void {
    const conn = this.#conn
    if (conn === null) return
    this.#conn = null
    conn.owner = null
    conn.socket.destroy()
  }

  #start(make: () => Prepared, first: boolean): void {
    let prepared: Prepared
    try {
      prepared = make()
    } catch (err) {
      this.#fail(err as Error)
      return
    }
    const mods = this.#mods
    let conn: Connection
    try {
      conn =
        (first ? takeIdle(prepared.target.origin) : undefined) ?? connect(prepared.target, mods)
    } catch (err) {
      // Refused before any connection (net.connect or tls.connect throwing on its options).
      this.#fail(err as Error)
      return
    }
    conn.owner = this
    this.#conn = conn
    this.#mayResend = first && conn.reused && this.#again !== undefined
    this.#close = prepared.close
    this.#reader = new AnswerReader(this, mods.maxHeadBytes, prepared.bodiless)
    const { socket } = conn
    this.#connecting = !conn.reused
    // Written to a connection already made, it is on its way; to a new one, once it is made.
    if (conn.reused) this.#sent = true
    if (this.#timer === undefined) {
      this.#guarded = true
      socket.setTimeout(this.#connecting ? noDeadline.connect : noDeadline.head)
    }
    if (prepared.body === null) socket.write(prepared.head, 'latin1')
    else {
      socket.cork()
      socket.write(prepared.head, 'latin1')
      socket.write(prepared.body)
      socket.uncork()
    }
  }

  /** Bytes from the connection. */
  data(chunk: Chunk): void {
    const reader = this.#reader as AnswerReader
    try {
      reader.push(chunk)
    } catch (err) {
      this.#fail(err as Error)
      return
    }
    if (reader.done) this.#release()
  }

  /** The connection ended, failed or closed (`err` when it failed). */
  ended(err: (Error & { code?: string }) | undefined): void {
    if (this.#conn === null) return
    const reader = this.#reader as AnswerReader
    if (err === undefined && reader.eof()) {
      // A body that runs to the connection's end has ended.
      this.#release()
      return
    }
    if (
      this.#mayResend &&
      reader.untouched &&
      !this.#timedOut &&
      (err === undefined || RESET.has(err.code ?? ''))
    ) {
      // A kept-alive connection the server closed while idle, nothing
      // answered: sent once more on a new connection, signed afresh — the
      // same nonce twice is one a provider may refuse (RFC 5849 §3.3).
      this.stop()
      this.#resend()
      return
    }
    this.#fail(
      err ??
        new Error(
          reader.headRead ? 'The answer was cut short' : 'The connection closed before any answer',
        ),
    )
  }

  /** The connection is made (TLS included): the head is awaited now. */
  connected(): void {
    this.#connecting = false
    this.#sent = true
    if (this.#guarded) this.#conn?.socket.setTimeout(noDeadline.head)
  }

  /** No deadline, and the connection idle past its bound (see `noDeadline`). */
  inactive(): void {
    if (this.#conn === null) return
    const reader = this.#reader as AnswerReader
    const [what, ms] = this.#connecting
      ? ['The connection was not made', noDeadline.connect]
      : reader.headRead
        ? ['The body stalled', noDeadline.body]
        : ['No answer came', noDeadline.head]
    this.#fail(new Error(`${what} within ${ms} ms (no timeout was set)`))
  }

  /** The body's reader has room again. */
  resume(): void {
    this.#conn?.socket.resume()
  }

  #resend(): void {
    const again = this.#again as SignAgain
    const send = (next: { url: string; init: NodeRequestInit }) => {
      if (!this.#timedOut) this.#start(() => prepare(next.url, next.init), false)
    }
    try {
      const next = again()
      if (next instanceof Promise) next.then(send, (err: Error) => this.#fail(err))
      else send(next)
    } catch (err) {
      this.#fail(err as Error)
    }
  }

  #expire(): void {
    this.#timedOut = true
    this.#fail(new DOMException('The provider did not answer in time', 'TimeoutError'))
  }

  /** Ends the exchange with `err`: the answer not yet come, or its body still being read. */
  #fail(err: Error): void {
    this.stop()
    if (!this.#answered) {
      this.#answered = true
      this.#reject(err)
    } else if (this.#bodyError === undefined) {
      // The body still coming, or come but still being decoded: the reading ends with err.
      this.#bodyError = err
      this.#receiver?.fail(err)
    }
  }

  /** The answer has ended: its connection back to the pool, or closed. */
  #release(): void {
    const conn = this.#conn
    if (conn === null) return
    this.#conn = null
    conn.owner = null
    const { socket } = conn
    if ((this.#reader as AnswerReader).reusable && !this.#close && !socket.destroyed) {
      if (this.#guarded) socket.setTimeout(0)
      // Paused for a body read slower than it came: idle, it reads again (bytes there close it).
      if (socket.isPaused()) socket.resume()
      park(conn)
    } else socket.destroy()
  }

  // AnswerSink: what the reader found.

  head(status: number, rawHeaders: string[]): void {
    if (this.#guarded) this.#conn?.socket.setTimeout(noDeadline.body)
    const codings = rawHeader(rawHeaders, 'content-encoding')
    if (codings !== undefined && tooManyCodings(codings)) {
      // As fetch (undici) does: refused before the body, an answer it does not give.
      throw new AnswerError(`too many content-encodings in the answer: ${codings}`)
    }
    this.#answered = true
    this.#resolve(new SocketReply(this, status, rawHeaders, codings))
  }

  body(bytes: Uint8Array): void {
    if (this.#receiver !== null) {
      if (!this.#receiver.data(bytes)) this.#conn?.socket.pause()
      return
    }
    this.#held.push(bytes)
    this.#heldBytes += bytes.byteLength
    if (this.#heldBytes > HELD_BODY_BYTES) this.#conn?.socket.pause()
  }

  end(): void {
    this.#bodyEnded = true
    this.#receiver?.end()
  }

  /** The client reads the body: what was held first, then the rest as it comes. */
  receive(receiver: BodyReceiver): void {
    this.#receiver = receiver
    const held = this.#held
    this.#held = []
    let room = true
    for (const bytes of held) room = receiver.data(bytes) && room
    if (this.#heldBytes > HELD_BODY_BYTES && room) this.#conn?.socket.resume()
    this.#heldBytes = 0
    // A deadline passed after the body came (while it was held) wins over its end.
    if (this.#bodyError !== undefined) receiver.fail(this.#bodyError)
    else if (this.#bodyEnded) receiver.end()
  }

  get mods(): NodeModules {
    return this.#mods
  }
}

/** The answer, read as the fetch path reads a Response. */
class SocketReply implements TokenReply {
  readonly status: number
  readonly #exchange: SocketExchange
  readonly #raw: string[]
  readonly #codings: string | undefined
  #record: Record<string, string> | undefined

  constructor(
    exchange: SocketExchange,
    status: number,
    raw: string[],
    codings: string | undefined,
  ) {
    this.#exchange = exchange
    this.status = status
    this.#raw = raw
    this.#codings = codings
  }

  header(name: string): string | null {
    return rawHeader(this.#raw, name) ?? null
  }

  headers(): Record<string, string> {
    if (this.#record === undefined) {
      // As a Headers would give them: lower-case, sorted, repeated values joined by ', '.
      const out: Record<string, string> = {}
      const raw = this.#raw
      const names: string[] = []
      for (let i = 0; i < raw.length; i += 2) {
        const name = (raw[i] as string).toLowerCase()
        const value = raw[i + 1] as string
        if (Object.hasOwn(out, name)) {
          // Headers.forEach gives each set-cookie apart: the record keeps the last.
          out[name] = name === 'set-cookie' ? value : `${out[name]}, ${value}`
        } else {
          names.push(name)
          setOwn(out, name, value)
        }
      }
      const record: Record<string, string> = {}
      for (const name of names.sort()) setOwn(record, name, out[name])
      this.#record = record
    }
    return { ...this.#record }
  }

  read(limit: number): Promise<{ text: string; truncated: boolean }> {
    const exchange = this.#exchange
    return new Promise((resolve, reject) => {
      const decoders = decodersFor(this.#codings, exchange.mods)
      const chunks: Uint8Array[] = []
      let size = 0
      let settled = false
      const done = (truncated: boolean) => {
        if (settled) return
        settled = true
        // Joined and decoded as the fetch path does.
        resolve({ text: decodeChunks(chunks, size), truncated })
      }
      const fail = (err: Error) => {
        if (settled) return
        settled = true
        for (const decoder of decoders) decoder.destroy()
        reject(err)
      }
      const take = (chunk: Uint8Array) => {
        if (settled) return
        const room = limit - size
        if (chunk.byteLength > room) {
          chunks.push(chunk.subarray(0, room))
          size += room
          // More than the bound: stop reading, hang up.
          for (const decoder of decoders) decoder.destroy()
          exchange.stop()
          done(true)
          return
        }
        chunks.push(chunk)
        size += chunk.byteLength
      }
      const first = decoders[0]
      if (first === undefined) {
        exchange.receive({
          data: (bytes) => {
            take(bytes)
            return true
          },
          end: () => done(false),
          fail,
        })
        return
      }
      for (let i = 0; i < decoders.length; i++) {
        const decoder = decoders[i] as NodeStream.Transform
        decoder.on('error', fail)
        const next = decoders[i + 1]
        if (next !== undefined) decoder.pipe(next)
        else {
          decoder.on('data', take)
          decoder.once('end', () => done(false))
        }
      }
      // Decoding slower than the body comes: the connection waits for the decoder.
      first.on('drain', () => exchange.resume())
      exchange.receive({
        data: (bytes) => settled || first.write(bytes),
        end: () => {
          if (!settled) first.end()
        },
        fail,
      })
    })
  }

  async cancel(): Promise<void> {
    this.#exchange.stop()
  }
}

/** The headers of which Node's `res.headers` keeps the first value only. */
const FIRST_VALUE_ONLY = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
])

/**
 * Header `name` (lower-case) as Node's `res.headers` gives it, joined with
 * `, ` (`; ` for cookie) or its first value only, read from `rawHeaders`:
 * the answer's `headers` object is built on first use, for more than the
 * one or two headers read here cost.
 * @internal Exported for its test against Node's own.
 */
export function rawHeader(raw: readonly string[], name: string): string | undefined {
  const firstOnly = FIRST_VALUE_ONLY.has(name)
  let value: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const field = raw[i] as string
    if (field.length !== name.length || field.toLowerCase() !== name) continue
    const next = raw[i + 1] as string
    if (value === undefined) {
      value = next
      if (firstOnly) break
    } else {
      value = `${value}${name === 'cookie' ? '; ' : ', '}${next}`
    }
  }
  return value
}

/** More codings than fetch (undici) accepts in one answer. */
const MAX_CODINGS = 5

function tooManyCodings(header: string): boolean {
  let commas = 0
  for (let i = header.indexOf(','); i !== -1; i = header.indexOf(',', i + 1)) commas++
  return commas >= MAX_CODINGS
}

/**
 * True where this Node's fetch decodes `zstd`: undici 7.10 and later (Node
 * 24 and 26 here, not 22, whose zlib has zstd but whose undici 6 does not).
 */
function fetchDecodesZstd(zlib: typeof NodeZlib): boolean {
  if (typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress !== 'function')
    return false
  const version = (globalThis as { process?: { versions?: { undici?: string } } }).process?.versions
    ?.undici
  const [major = 0, minor = 0] = (version ?? '').split('.').map(Number)
  return major > 7 || (major === 7 && minor >= 10)
}

/**
 * The decoders of a `content-encoding` list, in the order the body goes
 * through them, as fetch (undici) builds them: the codings undone last
 * first; `gzip`/`x-gzip`, `deflate` (with its zlib header or without, as
 * some servers send it), `br`, and `zstd` where fetch decodes it; a
 * truncated stream gives what it holds rather than an error; a coding it
 * does not know anywhere in the list (`identity` among them, as for fetch)
 * leaves the body as sent.
 */
function decodersFor(header: string | undefined, mods: NodeModules): NodeStream.Transform[] {
  if (header === undefined || header.trim() === '') return []
  const { zlib } = mods
  const codings = header
    .toLowerCase()
    .split(',')
    .map((coding) => coding.trim())
  const sync = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH }
  const decoders: NodeStream.Transform[] = []
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i]
    if (coding === 'gzip' || coding === 'x-gzip') decoders.push(zlib.createGunzip(sync))
    else if (coding === 'deflate') decoders.push(inflater(mods, sync))
    else if (coding === 'br') {
      const flush = zlib.constants.BROTLI_OPERATION_FLUSH
      decoders.push(zlib.createBrotliDecompress({ flush, finishFlush: flush }))
    } else if (coding === 'zstd' && fetchDecodesZstd(zlib)) {
      const { ZSTD_e_continue, ZSTD_e_end } = zlib.constants as unknown as Record<string, number>
      const create = (zlib as unknown as { createZstdDecompress(o: object): NodeStream.Transform })
        .createZstdDecompress
      decoders.push(create({ flush: ZSTD_e_continue, finishFlush: ZSTD_e_end }))
    } else return []
  }
  return decoders
}

/**
 * Inflates `deflate`: zlib-wrapped (RFC 1950) or raw (RFC 1951), told apart
 * by the first byte. Bytes past the end of the DEFLATE stream (a second
 * stream, padding) are dropped, as fetch drops them.
 */
function inflater(mods: NodeModules, options: NodeZlib.ZlibOptions): NodeStream.Transform {
  let inner: NodeZlib.Inflate | NodeZlib.InflateRaw | undefined
  // The inner stream ended (its data all pushed): nothing more goes in, nothing to wait for.
  let ended = false
  return new mods.stream.Transform({
    transform(chunk: Uint8Array, _encoding, callback) {
      if (ended) {
        callback()
        return
      }
      if (inner === undefined) {
        if (chunk.byteLength === 0) {
          callback()
          return
        }
        // A zlib header's low nibble is 8 (deflate); raw DEFLATE has no header.
        inner =
          ((chunk[0] as number) & 0x0f) === 0x08
            ? mods.zlib.createInflate(options)
            : mods.zlib.createInflateRaw(options)
        inner.on('data', (data: Uint8Array) => this.push(data))
        inner.once('end', () => {
          ended = true
        })
        inner.once('error', (err: Error) => this.destroy(err))
      }
      inner.write(chunk, () => callback())
    },
    destroy(err, callback) {
      inner?.destroy()
      callback(err)
    },
    flush(callback) {
      if (inner === undefined || ended) {
        callback()
        return
      }
      inner.once('end', () => callback())
      inner.end()
    },
  })
}
