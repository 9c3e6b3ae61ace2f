/**
 * HTTP plumbing shared by `OAuth1Client` and the registry: deadlines,
 * transport checks, bounded body reads, token-response parsing and provider
 * errors. Nothing here ever puts a secret, a verifier or an Authorization
 * header into an error.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
 */
import { BoundedMap } from './crypto/bounded-map.js'
import { percentEncode } from './encoding.js'
import { MAX_ERROR_BODY, OAuthError, type ProviderResponse } from './errors.js'
import { setOwn } from './own.js'
import { knownProblem } from './problems.js'
import type { Token } from './types.js'

/** Token responses larger than this are refused (64 KiB). */
export const MAX_TOKEN_RESPONSE = 64 * 1024

/**
 * The longest `oauth_token` or `oauth_token_secret` a token response may
 * carry (512 characters; providers' are 20 to 64). Each pending login is kept
 * in the session, which a cookie of at most 4 KiB often holds.
 */
export const MAX_CREDENTIAL_LENGTH = 512

/** The default time a provider gets to answer, in milliseconds. */
export const DEFAULT_TIMEOUT = 10_000

/**
 * True for the hosts a browser treats as this machine: `localhost`,
 * `*.localhost`, `127.0.0.0/8` and `::1` (also as an IPv4-mapped address).
 * Takes a `URL.hostname` (IPv6 in brackets, IPv4 already normalised by
 * WHATWG URL). Adapters use it for the browser's side (a cookie without
 * `Secure` over plain http while developing); the client's own connections
 * use the stricter {@link isLoopbackTransportHost}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6761#section-6.3
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '')
  return host.endsWith('.localhost') || isLoopbackTransportHost(host)
}

/**
 * True for the hosts a connection from this process cannot leave the machine
 * for: `localhost`, `127.0.0.0/8` and `::1` (also IPv4-mapped). Not
 * `*.localhost`: Node asks the system's resolver for those names, which does
 * not keep them on the machine (a resolver's search domain can turn
 * `app.localhost` into a host on the network), so plain `http://` there
 * needs `allowInsecureTransport` like any other host.
 */
export function isLoopbackTransportHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '')
  if (host === 'localhost') return true
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true
  if (host === '[::1]') return true
  // ::ffff:127.x.y.z, which WHATWG URL writes as [::ffff:7fxx:xxxx]
  return /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host)
}

/** `scheme://host/path` of a URL: no credentials, query or fragment, fit for an error message. */
export function describeUrl(url: URL | string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '(invalid URL)'
  }
}

/**
 * Parses an absolute http(s) URL given as option `name`.
 * @throws TypeError naming the option otherwise.
 */
export function parseHttpUrl(value: unknown, name: string): URL {
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw new TypeError(`${name} must be an absolute http(s) URL`)
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new TypeError(`${name} must be an absolute http(s) URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`${name} must be an absolute http(s) URL`)
  }
  return url
}

/**
 * Parses the absolute http(s) URL a request goes to, given as `name`.
 * @throws TypeError naming it otherwise, or when it carries a user name or
 *   password, which fetch refuses to send (and the node transport would drop).
 */
export function parseRequestUrl(value: unknown, name: string): URL {
  return checkNoUserinfo(parseHttpUrl(value, name), name)
}

function checkNoUserinfo(url: URL, name: string): URL {
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(`${name} must not carry a user name or password (user:password@)`)
  }
  return url
}

// Endpoint URLs parsed lately (not secret: token endpoints, authorization
// pages), for the callers that only read the result: a login parses the same
// three endpoints every time. A string longer than MAX_SHARED_URL is parsed
// every time, so the cache stays small.
const sharedUrls = new BoundedMap<string, URL>(32)
const MAX_SHARED_URL = 2048

/**
 * {@link parseHttpUrl}, where the same string gives the same `URL` object
 * from a small cache. The caller must never change the URL it gets (copy it
 * with `new URL(url.href)` first).
 */
export function sharedHttpUrl(value: unknown, name: string): URL {
  if (typeof value === 'string') {
    const cached = sharedUrls.get(value)
    if (cached !== undefined) return cached
  }
  const url = parseHttpUrl(value, name)
  // Endpoints only: a URL with a query or a user:password may carry something secret.
  if (
    typeof value === 'string' &&
    value.length <= MAX_SHARED_URL &&
    url.search === '' &&
    url.username === '' &&
    url.password === ''
  ) {
    sharedUrls.set(value, url)
  }
  return url
}

/** {@link parseRequestUrl} over {@link sharedHttpUrl}: never change the URL it gives. */
export function sharedRequestUrl(value: unknown, name: string): URL {
  return checkNoUserinfo(sharedHttpUrl(value, name), name)
}

/**
 * Refuses plain `http://` off loopback unless the user opted in.
 * @throws OAuthError `insecure_transport`
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1 (temporary and token credentials MUST use TLS)
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.4 (PLAINTEXT only over TLS)
 */
export function assertSecureTransport(
  url: URL,
  what: string,
  allowInsecureTransport: boolean,
): void {
  if (url.protocol === 'https:' || allowInsecureTransport || isLoopbackTransportHost(url.hostname))
    return
  throw new OAuthError('insecure_transport', {
    description: `Refusing to send ${what} to ${describeUrl(url)} over plain http://; use https://, or set allowInsecureTransport: true`,
  })
}

/** A deadline for one exchange with the provider, merged with the caller's own signal. */
export interface Deadline {
  readonly signal: AbortSignal
  /** True once the timer fired (as opposed to the caller aborting). */
  readonly timedOut: boolean
  /**
   * Settles like `promise`, or rejects when the deadline passes or the
   * caller aborts, even if `promise` ignores the signal (a fetch that never answers).
   */
  race<T>(promise: Promise<T>): Promise<T>
  /** Stops the timer. The caller's signal still aborts `signal` afterwards. */
  clear(): void
}

/** The longest delay setTimeout honours (2^31-1 ms); a longer one fires at once. */
const MAX_TIMER_DELAY = 2_147_483_647

/** Starts a deadline of `timeout` ms (`Infinity` or `0`: none). Uses setTimeout, so fake timers drive it. */
export function startDeadline(timeout: number, callerSignal?: AbortSignal | null): Deadline {
  const controller = new AbortController()
  let timedOut = false
  let timer: ReturnType<typeof setTimeout> | undefined
  // setTimeout fires at once past 2^31-1 ms (about 24.8 days): treat longer as none.
  if (Number.isFinite(timeout) && timeout > 0 && timeout <= MAX_TIMER_DELAY) {
    timer = setTimeout(() => {
      timedOut = true
      controller.abort(new DOMException('The provider did not answer in time', 'TimeoutError'))
    }, timeout)
  }
  let signal = controller.signal
  if (callerSignal) {
    if (typeof AbortSignal.any === 'function') {
      signal = AbortSignal.any([controller.signal, callerSignal])
    } else if (callerSignal.aborted) {
      controller.abort(callerSignal.reason)
    } else {
      callerSignal.addEventListener('abort', () => controller.abort(callerSignal.reason), {
        once: true,
      })
    }
  }
  return {
    signal,
    get timedOut() {
      return timedOut
    },
    race(promise) {
      if (signal.aborted) {
        promise.catch(() => {})
        return Promise.reject(signal.reason)
      }
      return new Promise((resolve, reject) => {
        const onAbort = () => reject(signal.reason)
        signal.addEventListener('abort', onAbort, { once: true })
        promise.then(
          (value) => {
            signal.removeEventListener('abort', onAbort)
            resolve(value)
          },
          (err) => {
            signal.removeEventListener('abort', onAbort)
            reject(err)
          },
        )
      })
    },
    clear() {
      if (timer !== undefined) clearTimeout(timer)
    },
  }
}

/** Validates a `timeout` option (ms): a positive number, or `Infinity`/`0` for none. */
export function checkTimeout(value: unknown, name = 'timeout'): number {
  if (value === undefined) return DEFAULT_TIMEOUT
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new TypeError(`${name} must be a non-negative number of milliseconds`)
  }
  return value
}

export function timeoutError(url: URL | string, timeout: number, cause?: unknown): OAuthError {
  return new OAuthError('request_timeout', {
    description: `${describeUrl(url)} did not answer within ${timeout} ms`,
    ...(cause === undefined ? {} : { cause }),
  })
}

/** An API call that could not reach the provider (network failure): `cause` is fetch's error. */
export function requestFailedError(url: URL | string, cause: unknown): OAuthError {
  return new OAuthError('request_failed', {
    description: `Could not reach ${describeUrl(url)}`,
    cause,
  })
}

/**
 * Reads at most `limit` bytes of a body as UTF-8, streaming, and cancels the
 * rest. `truncated` tells whether there was more.
 */
export async function readBodyLimited(
  response: Response,
  limit: number,
): Promise<{ text: string; truncated: boolean }> {
  const body = response.body
  if (body === null) return { text: '', truncated: false }
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  let truncated = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      const room = limit - size
      if (value.byteLength > room) {
        chunks.push(value.subarray(0, room))
        size += room
        truncated = true
        break
      }
      chunks.push(value)
      size += value.byteLength
    }
  } finally {
    if (truncated) await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
  return { text: decodeChunks(chunks, size), truncated }
}

/** UTF-8, U+FFFD for bad bytes, a leading BOM dropped: how either transport reads a body. */
const utf8Decoder = new TextDecoder('utf-8')

/**
 * `chunks` (`size` bytes in all) joined and read as UTF-8; a body that came
 * in one chunk is read as it came.
 * @internal
 */
export function decodeChunks(chunks: readonly Uint8Array[], size: number): string {
  if (chunks.length === 1) return utf8Decoder.decode(chunks[0])
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return utf8Decoder.decode(bytes)
}

/**
 * A token endpoint's answer, whichever transport brought it: a fetch
 * `Response` ({@link replyOf}) or the node transport's (node-http.ts).
 * @internal
 */
export interface TokenReply {
  readonly status: number
  /** A header's value (lower-case name), `null` when absent. */
  header(name: string): string | null
  /** Every header as {@link headersToRecord} gives them. */
  headers(): Record<string, string>
  /** At most `limit` bytes of the body as UTF-8; `truncated` when there was more (the rest is dropped). */
  read(limit: number): Promise<{ text: string; truncated: boolean }>
  /** Drops the body. */
  cancel(): Promise<void>
}

/** A fetch `Response` as a {@link TokenReply}. */
export function replyOf(response: Response): TokenReply {
  return {
    status: response.status,
    header: (name) => response.headers.get(name),
    headers: () => headersToRecord(response.headers),
    read: (limit) => readBodyLimited(response, limit),
    cancel: async () => {
      await response.body?.cancel().catch(() => {})
    },
  }
}

/** A response's headers as a plain record (lower-case names). */
export function headersToRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {}
  headers.forEach((value, name) => {
    setOwn(out, name, value)
  })
  return out
}

/** One name or value of a form: `+` is a space, then %-escapes; most have neither. */
function formComponent(raw: string): string {
  if (raw.indexOf('%') === -1 && raw.indexOf('+') === -1) return raw
  return decodeURIComponent(raw.replace(/\+/g, ' '))
}

/**
 * Decodes `application/x-www-form-urlencoded` (`+` is a space) into pairs,
 * keeping repeated names and empty values. `null` when an escape is malformed.
 *
 * @see https://url.spec.whatwg.org/#urlencoded-parsing
 */
export function decodeForm(text: string): [string, string][] | null {
  const pairs: [string, string][] = []
  if (text === '') return pairs
  for (const part of text.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const rawName = eq === -1 ? part : part.slice(0, eq)
    const rawValue = eq === -1 ? '' : part.slice(eq + 1)
    try {
      pairs.push([formComponent(rawName), formComponent(rawValue)])
    } catch {
      return null
    }
  }
  return pairs
}

/** What {@link jsonFieldText} answers for a value nested too deeply to write back out. */
const TOO_DEEP = null

/**
 * A field of a JSON token response as the string the token keeps: a string
 * as it is, a number or boolean as written, an object or array as JSON.
 * `undefined` leaves the field out: `null`, and a number JSON.parse could not
 * read exactly (an integer past 2^53, or past the largest double) — kept, it
 * would be another number, and an id there another user. `TOO_DEEP` when
 * the value is nested too deeply for `JSON.stringify` (a RangeError).
 */
function jsonFieldText(value: unknown): string | undefined | typeof TOO_DEEP {
  if (typeof value === 'string') return value
  if (typeof value === 'number') {
    return !Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))
      ? undefined
      : String(value)
  }
  if (typeof value === 'boolean') return String(value)
  if (value === null || value === undefined) return undefined
  try {
    return JSON.stringify(value)
  } catch {
    return TOO_DEEP
  }
}

/** A credential field of a JSON token response that holds no credential (see parseTokenFields). */
function badJsonCredential(value: unknown): boolean {
  return typeof value === 'number' ? !Number.isSafeInteger(value) : typeof value !== 'string'
}

/**
 * The fields of a token-response body, every value a string, or `null` when
 * the body is neither a JSON object nor a form (HTML, malformed escapes…).
 *
 * Read by content, never by the `Content-Type` label: providers mislabel
 * their form-encoded token responses (X sends `text/html;charset=utf-8`), so
 * a body starting with `{` is JSON, one starting with `<` is markup (a login
 * or error page, never a token), and anything else is a form.
 */
export function parseTokenFields(text: string): Record<string, string> | null {
  const trimmed = text.trim()
  if (trimmed === '') return null
  const fields: Record<string, string> = {}
  const put = (name: string, value: string) => setOwn(fields, name, value)

  if (trimmed.startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch {
      return null
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null
    for (const [name, value] of Object.entries(parsed)) {
      // A credential is a string, or a number JSON carries exactly; an object,
      // array, boolean, null or an integer past 2^53 there is not one,
      // whatever it stringifies to.
      if ((name === 'oauth_token' || name === 'oauth_token_secret') && badJsonCredential(value)) {
        return null
      }
      const s = jsonFieldText(value)
      if (s === TOO_DEEP) return null
      if (s !== undefined) put(name, s)
    }
    // JSON.parse keeps the last of repeated keys; a form with two values for a
    // protocol field is refused below, so the JSON one is refused too.
    const keys = new Set<string>()
    for (const match of trimmed.matchAll(/"(oauth_[A-Za-z_]+)"\s*:/g)) {
      const key = match[1] as string
      if (keys.has(key)) return null
      keys.add(key)
    }
    return fields
  }
  // Markup (a login or error page) or a JSON array: neither is a token answer.
  if (trimmed.startsWith('<') || trimmed.startsWith('[')) return null
  const pairs = decodeForm(trimmed)
  if (pairs === null) return null
  const seen = new Set<string>()
  for (const [name, value] of pairs) {
    if (seen.has(name)) {
      // Two values for a credential field: ambiguous, refuse the whole response.
      if (name.startsWith('oauth_')) return null
      continue
    }
    seen.add(name)
    put(name, value)
  }
  return fields
}

/**
 * Why {@link parseTokenFields} read no fields in `text` (it returned null),
 * in words for an error: worked out again on that error path only.
 */
function unreadable(text: string): string {
  const trimmed = text.trim()
  if (trimmed.startsWith('<')) return 'markup (a web page), neither a form nor a JSON object'
  if (trimmed.startsWith('[')) return 'a JSON array, not an object'
  if (trimmed.startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch {
      return 'malformed JSON'
    }
    if (typeof parsed !== 'object' || parsed === null) return 'JSON that is not an object'
    for (const name of ['oauth_token', 'oauth_token_secret']) {
      const value = (parsed as Record<string, unknown>)[name]
      if (!Object.hasOwn(parsed, name) || !badJsonCredential(value)) continue
      return typeof value === 'number'
        ? `a JSON ${name} that is a number other than a whole one below 2^53 (JSON cannot carry it exactly)`
        : `a JSON ${name} that is neither a string nor a number`
    }
    for (const value of Object.values(parsed)) {
      if (jsonFieldText(value) === TOO_DEEP) return 'JSON nested too deeply to read'
    }
    return 'a JSON object naming an oauth_ field twice'
  }
  const pairs = decodeForm(trimmed)
  if (pairs === null) return 'a form with a malformed percent-escape'
  const seen = new Set<string>()
  for (const [name] of pairs) {
    if (seen.has(name) && name.startsWith('oauth_')) return `a form with two values for ${name}`
    seen.add(name)
  }
  return 'a body that is neither a form nor a JSON object'
}

/** The problem report among a body's fields (from {@link parseTokenFields}), if any. */
function problemOf(fields: Record<string, string> | null): { problem?: string; advice?: string } {
  if (fields === null) return {}
  const problem =
    fields.oauth_problem ?? (typeof fields.error === 'string' ? fields.error : undefined)
  const advice = fields.oauth_problem_advice ?? fields.error_description
  return {
    ...(problem ? { problem } : {}),
    ...(advice ? { advice } : {}),
  }
}

/**
 * `problem`, then what it means when it is one of the Problem Reporting
 * extension's (`timestamp_refused, the provider refused the timestamp (check
 * the clock)`); a provider's own problem as sent.
 */
function describeProblem(problem: string): string {
  const known = knownProblem(problem)
  return known === undefined ? problem : `${problem}, ${known.meaning}`
}

/** `text` cut to at most `max` UTF-16 units, never between the halves of a surrogate pair. */
function excerpt(text: string, max: number): string {
  if (text.length <= max) return text
  const last = text.charCodeAt(max - 1)
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max)
}

const REDACTED = '[redacted]'

/** The shortest secret value blanked by its spelling (shorter ones only by name). */
const MIN_BLANKED_SECRET = 4

/**
 * A token endpoint's answer with every secret blanked, for an error's
 * `response.body`:
 * - every `oauth_token_secret` value: the one the form or JSON parse found,
 *   in each way the body may spell it, and whatever follows the name in form
 *   (`oauth_token_secret=…`, the name percent-encoded too) or JSON
 *   (`"oauth_token_secret": …`) syntax, so a body that did not parse (a bad
 *   escape, a repeated field, JSON cut short) gives nothing away either;
 * - the request's own secrets (`known`: the client secret, the temporary
 *   secret, the verifier), which a provider may echo back (a debug base
 *   string, PLAINTEXT's signature), raw, percent-encoded once or twice.
 *   Frameworks log an error's fields (Fastify's logger writes `response`).
 */
function withoutSecrets(
  text: string,
  fields: Record<string, string> | null,
  known: readonly string[],
): string {
  let out = text
    .replace(/(oauth(?:_|%5f)token(?:_|%5f)secret=)[^&\s"'<>]*/gi, `$1${REDACTED}`)
    .replace(/("oauth_token_secret"\s*:\s*)(?:"(?:[^"\\]|\\.)*"?|[^,}\s]*)/gi, `$1"${REDACTED}"`)
  const secrets = [...known]
  const parsed = fields?.oauth_token_secret
  if (parsed !== undefined) secrets.push(parsed)
  const spellings = new Set<string>()
  for (const secret of secrets) {
    // Three characters or fewer guard nothing, and blanking them would garble the text.
    if (secret.length < MIN_BLANKED_SECRET) continue
    const once = percentEncode(secret)
    for (const spelling of [
      secret,
      encodeURIComponent(secret),
      once,
      percentEncode(once),
      JSON.stringify(secret).slice(1, -1),
    ]) {
      spellings.add(spelling)
    }
  }
  // Longest first: a secret that contains another is blanked whole.
  for (const spelling of [...spellings].sort((a, b) => b.length - a.length)) {
    out = out.split(spelling).join(REDACTED)
  }
  return out
}

/** The statuses fetch follows as redirects (304 Not Modified is not one). */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])

/** Turns a ≥ 400 (or otherwise unexpected) answer of a token endpoint into `fetch_token_denied`. */
export async function tokenEndpointError(
  response: TokenReply,
  url: URL,
  what: string,
  known: readonly string[] = [],
): Promise<OAuthError> {
  let text = ''
  try {
    text = (await response.read(MAX_TOKEN_RESPONSE)).text
  } catch {
    // The body failed mid-way: report the status alone.
  }
  const fields = parseTokenFields(text)
  const reported = problemOf(fields)
  // A provider's own words reach the description: blank the request's secrets there too.
  const problem =
    reported.problem === undefined ? undefined : withoutSecrets(reported.problem, null, known)
  const advice =
    reported.advice === undefined ? undefined : withoutSecrets(reported.advice, null, known)
  const providerResponse: ProviderResponse = {
    status: response.status,
    headers: response.headers(),
    body: excerpt(withoutSecrets(text, fields, known), MAX_ERROR_BODY),
  }
  let description = `The ${what} endpoint ${describeUrl(url)} answered ${response.status}`
  if (REDIRECT_STATUSES.has(response.status)) description += ' (a redirect, not followed)'
  if (problem !== undefined) description += `: ${describeProblem(problem)}`
  if (advice !== undefined) description += ` (${advice})`
  return new OAuthError('fetch_token_denied', {
    description,
    response: providerResponse,
    ...(problem === undefined ? {} : { oauthProblem: problem }),
    ...(advice === undefined ? {} : { oauthProblemAdvice: advice }),
  })
}

/**
 * Reads a token endpoint's answer: a 2xx with a form or JSON body carrying
 * both `oauth_token` and `oauth_token_secret`. Every field is kept, as a string.
 *
 * @throws OAuthError `fetch_token_denied` for a non-2xx status; `invalid_token_response`
 *   for an empty, HTML, malformed, incomplete or oversized body.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.3
 */
export async function parseTokenResponse(
  response: TokenReply,
  url: URL,
  what: string,
  known: readonly string[] = [],
): Promise<Token> {
  if (response.status < 200 || response.status >= 300) {
    throw await tokenEndpointError(response, url, what, known)
  }
  // The answer rides on the error as `response` (status, headers, a bounded
  // body), as for a ≥ 400: a provider's own words (MediaWiki's `Error: …`
  // with a 200) are what tells the user what went wrong. Any token secret in
  // the body is blanked first.
  const invalid = (
    reason: string,
    body: string,
    reported: { problem?: string; advice?: string } = {},
  ) =>
    new OAuthError('invalid_token_response', {
      description: `The ${what} endpoint ${describeUrl(url)} answered ${response.status} with ${reason}`,
      response: {
        status: response.status,
        headers: response.headers(),
        body: excerpt(body, MAX_ERROR_BODY),
      },
      ...(reported.problem === undefined ? {} : { oauthProblem: reported.problem }),
      ...(reported.advice === undefined ? {} : { oauthProblemAdvice: reported.advice }),
    })
  const length = Number(response.header('content-length'))
  if (Number.isFinite(length) && length > MAX_TOKEN_RESPONSE) {
    await response.cancel()
    throw invalid(`a body larger than ${MAX_TOKEN_RESPONSE} bytes`, '')
  }
  const { text, truncated } = await response.read(MAX_TOKEN_RESPONSE)
  if (truncated) {
    throw invalid(
      `a body larger than ${MAX_TOKEN_RESPONSE} bytes`,
      withoutSecrets(text, null, known),
    )
  }
  if (text.trim() === '') throw invalid('an empty body', '')
  const fields = parseTokenFields(text)
  const body = () => withoutSecrets(text, fields, known)
  if (fields === null) throw invalid(unreadable(text), body())
  if (fields.oauth_problem !== undefined) {
    // Some providers answer 200 with a problem report: never read it as
    // credentials. Read as a ≥ 400's is: the provider's own words reach the
    // description, so the request's secrets are blanked there too.
    const problem = withoutSecrets(fields.oauth_problem, null, known)
    const reportedAdvice = fields.oauth_problem_advice
    const advice =
      reportedAdvice === undefined || reportedAdvice === ''
        ? undefined
        : withoutSecrets(reportedAdvice, null, known)
    throw invalid(
      `oauth_problem=${describeProblem(problem)}${advice === undefined ? '' : ` (${advice})`}`,
      body(),
      { problem, ...(advice === undefined ? {} : { advice }) },
    )
  }
  if (typeof fields.oauth_token !== 'string' || fields.oauth_token === '') {
    throw invalid('no oauth_token', body())
  }
  if (typeof fields.oauth_token_secret !== 'string') throw invalid('no oauth_token_secret', body())
  for (const name of ['oauth_token', 'oauth_token_secret'] as const) {
    // Kept in the session (often a cookie) and put on the authorize URL: a
    // credential this long is no provider's, and would overflow both.
    if ((fields[name] as string).length > MAX_CREDENTIAL_LENGTH) {
      throw invalid(`an ${name} longer than ${MAX_CREDENTIAL_LENGTH} characters`, body())
    }
  }
  return fields as Token
}

/** The most of a profile (userinfo) answer that is read: 1 MiB. */
export const MAX_PROFILE_RESPONSE = 1024 * 1024

/**
 * Reads an API answer expected to be a JSON document (a user's profile),
 * within `timeout` ms and {@link MAX_PROFILE_RESPONSE} bytes.
 *
 * @throws OAuthError `request_failed` (502, with the provider's `response`) for a
 *   non-2xx status, a body over the bound, or one that is not JSON; `request_timeout`.
 */
export async function readJsonResponse(
  response: Response,
  url: URL | string,
  what: string,
  timeout: number,
): Promise<unknown> {
  const deadline = startDeadline(timeout)
  let text: string
  let truncated: boolean
  try {
    ;({ text, truncated } = await deadline.race(readBodyLimited(response, MAX_PROFILE_RESPONSE)))
  } catch (err) {
    await response.body?.cancel().catch(() => {})
    if (deadline.timedOut) throw timeoutError(url, timeout, err)
    throw new OAuthError('request_failed', {
      description: `The ${what} ${describeUrl(url)} broke off its answer`,
      cause: err,
    })
  } finally {
    deadline.clear()
  }
  const fail = (reason: string) => {
    const { problem } = problemOf(parseTokenFields(text))
    return new OAuthError('request_failed', {
      description: `The ${what} ${describeUrl(url)} answered ${response.status} ${reason}`,
      response: {
        status: response.status,
        headers: headersToRecord(response.headers),
        body: excerpt(text, MAX_ERROR_BODY),
      },
      ...(problem === undefined ? {} : { oauthProblem: problem }),
    })
  }
  if (response.status < 200 || response.status >= 300) throw fail('instead of 2xx')
  if (truncated) throw fail(`with a body larger than ${MAX_PROFILE_RESPONSE} bytes`)
  try {
    return JSON.parse(text)
  } catch {
    throw fail('with a body that is not JSON')
  }
}
