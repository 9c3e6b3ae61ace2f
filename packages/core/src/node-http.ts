/**
 * The token requests' transport on Node: `node:http`/`node:https` with a
 * keep-alive agent, used when the user gave no `fetch` of their own. Fetch
 * (undici on Node) costs a login far more CPU than the two small POSTs need:
 * an AbortController, web streams for the body, WebIDL conversions. Here the
 * same exchange is a plain request and a body read from the socket.
 *
 * What it sends and how it answers is fetch's, so that the client behaves the
 * same on both paths: the default headers fetch adds (`accept: *\/*`,
 * `accept-language: *`, `sec-fetch-mode: cors`, `user-agent: node`,
 * `accept-encoding: gzip, deflate`, each unless set), the body encoding
 * (`content-length`, fetch's content type for a form or a string), no
 * redirect followed, a gzip/deflate/br body decoded, and errors that the
 * client maps to the same codes. The modules come from
 * `process.getBuiltinModule`, never a static import, so the package still
 * loads where there is no `node:http` (browsers, workerd); there, and in
 * Bun and Deno, fetch is used.
 * @internal
 */
import type * as NodeHttp from 'node:http'
import type * as NodeHttps from 'node:https'
import type * as NodeStream from 'node:stream'
import type * as NodeZlib from 'node:zlib'
import { BoundedMap } from './crypto/bounded-map.js'
import type { TokenReply } from './http.js'
import { setOwn } from './own.js'

interface NodeModules {
  http: typeof NodeHttp
  https: typeof NodeHttps
  stream: typeof NodeStream
  zlib: typeof NodeZlib
  httpAgent: NodeHttp.Agent
  httpsAgent: NodeHttps.Agent
}

/** How long an idle keep-alive connection is kept: under Node servers' default 5 s keepAliveTimeout. */
const IDLE_SOCKET_TIMEOUT = 4_000

let loaded: NodeModules | null | undefined

/**
 * True in Node itself: not Bun, Deno or Cloudflare Workers, whose node:http is
 * a layer over their own fetch (nothing to gain, and their agents differ).
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

/** node:http, node:https and node:zlib with keep-alive agents, or null where they are not Node's. */
function load(): NodeModules | null {
  if (loaded !== undefined) return loaded
  loaded = null
  try {
    if (!isNode()) return loaded
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process
    const get = proc?.getBuiltinModule
    if (typeof get !== 'function') return loaded
    const http = get('node:http') as typeof NodeHttp | undefined
    const https = get('node:https') as typeof NodeHttps | undefined
    const stream = get('node:stream') as typeof NodeStream | undefined
    const zlib = get('node:zlib') as typeof NodeZlib | undefined
    if (!http?.request || !https?.request || !stream?.Transform || !zlib?.createGunzip)
      return loaded
    const options = { keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT }
    loaded = {
      http,
      https,
      stream,
      zlib,
      httpAgent: new http.Agent(options),
      httpsAgent: new https.Agent(options),
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
 * from now on (`'node'`, the default, falls back to fetch where node:http is
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
 * True when token requests without an injected fetch go through node:http(s)
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
 * One exchange with a token endpoint over node:http(s), under a deadline of
 * `timeout` ms (`0`/`Infinity`: none) covering the answer and its body, like
 * the fetch path's deadline.
 */
export interface NodeExchange {
  /** Resolves with the answer's status and headers; rejects on a network failure or the deadline. */
  readonly reply: Promise<TokenReply>
  /** True once the deadline passed. */
  readonly timedOut: boolean
  /** Stops the timer and drops the connection if the body was not read to its end. */
  finish(): void
}

const MAX_TIMER_DELAY = 2_147_483_647

/** UTF-8, U+FFFD for bad bytes, a leading BOM dropped: what the fetch path's reading gives. */
const utf8Decoder = new TextDecoder('utf-8')
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
 * defaults, then `content-type`, `content-length` and `host`, each a bit of
 * the mask `startNodeExchange` keeps of the names it was given.
 */
const CONTENT_TYPE = 1 << FETCH_DEFAULT_HEADERS.length
const CONTENT_LENGTH = CONTENT_TYPE << 1
const HOST = CONTENT_TYPE << 2
const ADDED_HEADERS = new Map<string, number>([
  ...FETCH_DEFAULT_HEADERS.map(([name], i) => [name, 1 << i] as const),
  ['content-type', CONTENT_TYPE],
  ['content-length', CONTENT_LENGTH],
  ['host', HOST],
])

/** Where a request goes, as node:http's options name it. */
interface Target {
  readonly secure: boolean
  readonly protocol: string
  readonly hostname: string
  readonly port: string
  readonly path: string
  /** The `host` header node:http would send: the URL's host (IPv6 in brackets, a port not the default). */
  readonly host: string
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
    target = {
      secure: parsed.protocol === 'https:',
      protocol: parsed.protocol,
      // node:http wants an IPv6 address without its brackets.
      hostname: parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname,
      port: parsed.port,
      path: `${parsed.pathname}${parsed.search}`,
      host: parsed.host,
    }
    if (url.length <= 2048 && parsed.search === '') targets.set(url, target)
  }
  return target
}

/** A request as node:http takes it: where, how (the header list among the options), and the body. */
interface Prepared {
  readonly secure: boolean
  readonly options: NodeHttp.RequestOptions
  readonly body: Uint8Array | null
}

function prepare(url: string, init: NodeRequestInit, mods: NodeModules): Prepared {
  const { secure, protocol, hostname, port, path, host } = targetOf(url)
  // The headers as a flat [name, value, …] list, which node:http writes as
  // they are (checked as setHeader checks them) rather than setting each:
  // the request's own (lower-case, as Headers gives them), then what fetch
  // would add (its defaults, the body's content type and length) and the
  // host node:http adds to an object of headers, each unless given.
  const raw: string[] = []
  if (init.authorization !== undefined) raw.push('authorization', init.authorization)
  let given = 0
  init.headers.forEach((value, name) => {
    raw.push(name, value)
    given |= ADDED_HEADERS.get(name) ?? 0
  })
  // Strings go out as UTF-8 bytes, as fetch sends them: their length is the content-length.
  let body: Uint8Array | null = null
  let contentType: string | undefined
  if (init.body instanceof URLSearchParams) {
    body = utf8Encoder.encode(init.body.toString())
    contentType = 'application/x-www-form-urlencoded;charset=UTF-8'
  } else if (typeof init.body === 'string') {
    body = utf8Encoder.encode(init.body)
    contentType = 'text/plain;charset=UTF-8'
  } else if (init.body instanceof Uint8Array) {
    body = init.body
  }
  if (contentType !== undefined && (given & CONTENT_TYPE) === 0)
    raw.push('content-type', contentType)
  for (let i = 0; i < FETCH_DEFAULT_HEADERS.length; i++) {
    const [name, value] = FETCH_DEFAULT_HEADERS[i] as readonly [string, string]
    if ((given & (1 << i)) === 0) raw.push(name, value)
  }
  if (body !== null || (init.method !== 'GET' && init.method !== 'HEAD')) {
    // The body's length, whatever length the request named.
    const length = String(body === null ? 0 : body.byteLength)
    if ((given & CONTENT_LENGTH) === 0) raw.push('content-length', length)
    else {
      for (let i = 0; i < raw.length; i += 2) if (raw[i] === 'content-length') raw[i + 1] = length
    }
  }
  if ((given & HOST) === 0) raw.push('host', host)
  return {
    secure,
    options: {
      protocol,
      hostname,
      port,
      path,
      method: init.method,
      headers: raw,
      agent: secure ? mods.httpsAgent : mods.httpAgent,
    },
    body,
  }
}

/** The same request signed afresh (a new nonce and timestamp), for sending it once more. */
export type SignAgain = () =>
  | { url: string; init: NodeRequestInit }
  | Promise<{ url: string; init: NodeRequestInit }>

/** What the reading of an answer shares with its exchange. */
interface ReadState {
  /** The body was read to its end: the connection can be kept. */
  consumed: boolean
  /** Ends a reading still under way with `err` (the deadline). */
  abort: ((err: Error) => void) | undefined
}

/**
 * Starts a token request with node:http(s). Call only when
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
  const mods = load() as NodeModules
  let timedOut = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let request: NodeHttp.ClientRequest | undefined
  let response: NodeHttp.IncomingMessage | undefined
  let failReply: ((err: unknown) => void) | undefined
  const state: ReadState = { consumed: false, abort: undefined }
  const reply = new Promise<TokenReply>((resolve, reject) => {
    failReply = reject
    const send = (prepared: Prepared, retry: boolean) => {
      const req = (prepared.secure ? mods.https : mods.http).request(prepared.options)
      request = req
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (req !== request) return
        if (
          retry &&
          again !== undefined &&
          req.reusedSocket &&
          !timedOut &&
          response === undefined &&
          RESET.has(err.code ?? '')
        ) {
          // A kept-alive connection the server closed while idle, nothing
          // answered: sent once more on a new connection, signed afresh — the
          // same nonce twice is one a provider may refuse (RFC 5849 §3.3).
          request = undefined
          const resend = (next: { url: string; init: NodeRequestInit }) => {
            if (!timedOut) send(prepare(next.url, next.init, mods), false)
          }
          try {
            const next = again()
            if (next instanceof Promise) next.then(resend, reject)
            else resend(next)
          } catch (signing) {
            reject(signing)
          }
          return
        }
        reject(err)
      })
      req.once('response', (res) => {
        response = res
        const codings = rawHeader(res.rawHeaders, 'content-encoding')
        if (codings !== undefined && tooManyCodings(codings)) {
          // As fetch (undici) does: refused before the body, an answer it does not give.
          res.destroy()
          reject(new Error(`too many content-encodings in the answer: ${codings}`))
          return
        }
        resolve(nodeReply(res, mods, state, codings))
      })
      // Closed with neither an answer nor an error: an answer of 101 (which
      // node:http drops, with its connection, when no one listens for an
      // upgrade). Without this the request would wait for ever.
      req.once('close', () => {
        if (req === request && response === undefined) {
          reject(new Error('The connection closed before any answer'))
        }
      })
      req.end(prepared.body ?? undefined)
    }
    send(prepare(url, init, mods), true)
  })
  if (Number.isFinite(timeout) && timeout > 0 && timeout <= MAX_TIMER_DELAY) {
    timer = setTimeout(() => {
      timedOut = true
      const reason = new DOMException('The provider did not answer in time', 'TimeoutError')
      request?.destroy(reason)
      response?.destroy(reason)
      // Settled here whatever the streams do (or no longer do): the answer
      // not yet come, or its body still being read.
      failReply?.(reason)
      state.abort?.(reason)
    }, timeout)
  }
  return {
    reply,
    get timedOut() {
      return timedOut
    },
    finish() {
      if (timer !== undefined) clearTimeout(timer)
      if (!state.consumed) {
        // Not read to its end (an error answer, a body over the bound): the
        // connection cannot be reused.
        response?.destroy()
        request?.destroy()
      }
    },
  }
}

/** The answer, read as the fetch path reads a Response. */
function nodeReply(
  res: NodeHttp.IncomingMessage,
  mods: NodeModules,
  state: ReadState,
  codings: string | undefined,
): TokenReply {
  let record: Record<string, string> | undefined
  const headerRecord = () => {
    if (record !== undefined) return record
    // As a Headers would give them: lower-case, sorted, repeated values joined by ', '.
    const out: Record<string, string> = {}
    const raw = res.rawHeaders
    const names: string[] = []
    for (let i = 0; i < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase()
      const value = (raw[i + 1] as string).trim()
      if (Object.hasOwn(out, name)) {
        // Headers.forEach gives each set-cookie apart: the record keeps the last.
        out[name] = name === 'set-cookie' ? value : `${out[name]}, ${value}`
      } else {
        names.push(name)
        setOwn(out, name, value)
      }
    }
    record = {}
    for (const name of names.sort()) {
      setOwn(record, name, out[name])
    }
    return record
  }
  return {
    status: res.statusCode ?? 0,
    header(name) {
      return rawHeader(res.rawHeaders, name) ?? null
    },
    headers: () => ({ ...headerRecord() }),
    read(limit) {
      return new Promise((resolve, reject) => {
        const decoders = decodersFor(codings, mods)
        let source: NodeJS.ReadableStream & { destroy(err?: Error): void } = res
        if (decoders.length > 0) {
          res.once('aborted', () => decoders[0]?.destroy(new Error('The answer was cut short')))
          for (const decoder of decoders) {
            const from = source
            from.pipe(decoder)
            from.once('error', (err: Error) => decoder.destroy(err))
            source = decoder
          }
        }
        const chunks: Uint8Array[] = []
        let size = 0
        let settled = false
        const done = (truncated: boolean) => {
          if (settled) return
          settled = true
          // No Buffer (the built package must not name it): bytes joined, decoded as the fetch path does.
          // A token answer is one chunk: decoded as it came.
          let bytes: Uint8Array
          if (chunks.length === 1) bytes = chunks[0] as Uint8Array
          else {
            bytes = new Uint8Array(size)
            let offset = 0
            for (const chunk of chunks) {
              bytes.set(chunk, offset)
              offset += chunk.byteLength
            }
          }
          resolve({ text: utf8Decoder.decode(bytes), truncated })
        }
        source.on('data', (chunk: Uint8Array) => {
          if (settled) return
          const room = limit - size
          if (chunk.byteLength > room) {
            chunks.push(chunk.subarray(0, room))
            size += room
            // More than the bound: stop reading, hang up.
            for (const decoder of decoders) decoder.destroy()
            res.destroy()
            done(true)
            return
          }
          chunks.push(chunk)
          size += chunk.byteLength
        })
        source.once('end', () => {
          state.consumed = true
          done(false)
        })
        const fail = (err: Error) => {
          if (!settled) {
            settled = true
            reject(err)
          }
        }
        state.abort = fail
        source.on('error', fail)
        res.once('close', () => {
          if (!res.complete) fail(new Error('The answer was cut short'))
        })
      })
    },
    async cancel() {
      res.destroy()
    },
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
