/**
 * What every framework adapter needs to turn a request into URLs: the origin
 * the browser used, the raw query of the request target, and the one rule
 * for a relative callback (`/authorize`), resolved against that origin. Each
 * adapter only reads its framework's protocol, Host and proxy settings and
 * answers a bad Host with its own 400.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-4.2 (relative references)
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1 (oauth_callback)
 */

import { BoundedMap } from './crypto/bounded-map.js'

const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/

// Every login of an app resolves the same callback against the same origin
// or two: the answers of the last few, in small bounded maps (none of it is
// secret; a Host header an attacker varies only evicts entries). Longer
// inputs than MAX_CACHED are worked out every time.
const MAX_CACHED = 1024
/** Relative callbacks that passed {@link checkRelativeCallback}. */
const acceptedRelative = new BoundedMap<string, true>(32)
/** `<base>\n<relative callback>` → the absolute callback. */
const resolvedCallbacks = new BoundedMap<string, string>(64)
/** `<protocol>\n<host>` → the origin {@link requestOriginFrom} made of them. */
const origins = new BoundedMap<string, string>(64)

/**
 * True for a callback that is neither `oob` nor an absolute URI: a relative
 * reference (`/authorize`, `authorize`) that each framework adapter resolves
 * against the origin of the request at hand with {@link resolveCallbackUri}.
 * It says nothing of whether the reference is acceptable (see
 * {@link checkRelativeCallback}).
 */
export function isPathCallback(value: string): boolean {
  return value !== 'oob' && !URI_SCHEME.test(value)
}

/** A path segment that URL parsers read as `.` or `..`, `%2e` included. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i

/**
 * Checks a relative callback against the rule every adapter follows, and
 * returns it. Accepted: a path (`/authorize`, `auth/callback`), with a query
 * if wanted (`/authorize?next=%2Fhome`); a path without a leading slash
 * means the same as with one. Refused with a `TypeError` naming the problem,
 * because what it resolves to would depend on the page it is resolved from,
 * on the URL parser, or would leave the app's origin:
 *
 * - an empty string;
 * - `//host/…` or `/\host/…` (a network-path reference: another origin);
 * - whitespace or a control character anywhere (URL parsers drop some of
 *   them silently): percent-encode it;
 * - a backslash (read as `/` by WHATWG URL parsers, kept by others);
 * - a query or fragment alone (`?next=1`, `#top`): relative to the current page;
 * - a fragment at all (`/cb#top`): browsers never send it to the server;
 * - a `.` or `..` segment, percent-encoded or not (`../cb`, `/a/./cb`, `/%2e%2e/cb`);
 * - a first segment holding a `:` (`1a:cb`), which reads like a scheme.
 *
 * @throws TypeError naming `name` and the problem.
 */
export function checkRelativeCallback(value: unknown, name = 'redirectUri'): string {
  if (typeof value === 'string' && acceptedRelative.get(value) === true) return value
  const refuse = (problem: string): never => {
    const text = value as string
    const shown = JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text)
    throw new TypeError(`${name} ${shown} ${problem}`)
  }
  if (typeof value !== 'string') {
    throw new TypeError(`${name} should be a string: an absolute URL, "oob", or a path`)
  }
  if (value === '') {
    throw new TypeError(
      `${name} should not be empty: give an absolute URL, "oob", or a path such as "/authorize"`,
    )
  }
  if (/^[\\/]{2}/.test(value)) {
    throw new TypeError(
      `${name} should be an absolute URL, "oob", or a path such as "/authorize" (not //host)`,
    )
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
  if (/[\u0000-\u0020\u007f]/.test(value)) {
    refuse('holds whitespace or a control character: percent-encode it (a space is %20)')
  }
  if (value.includes('\\')) refuse('holds a backslash, which URL parsers read as "/": write "/"')
  if (value.startsWith('?') || value.startsWith('#')) {
    refuse('is only a query or a fragment: give the path too, such as "/authorize?next=1"')
  }
  if (value.includes('#')) refuse('has a fragment, which browsers never send to the server')
  const path = value.split('?', 1)[0] as string
  const segments = path.split('/')
  if (segments.some((segment) => DOT_SEGMENT.test(segment))) {
    refuse('has a "." or ".." segment: write the path it means, such as "/authorize"')
  }
  if (!path.startsWith('/') && (segments[0] as string).includes(':')) {
    refuse('has a ":" in its first segment, which reads as a scheme: start it with "/"')
  }
  if (value.length <= MAX_CACHED) acceptedRelative.set(value, true)
  return value
}

/**
 * The callback a framework adapter sends as `oauth_callback`: `oob` and
 * absolute URIs as they are; a relative reference checked by
 * {@link checkRelativeCallback} and resolved as `new URL(path, origin)`
 * against the origin of `base` — the URL of the request at hand, whose path
 * is ignored, so `authorize` and `/authorize` both give
 * `https://app.example/authorize` from any route. `base` may be a function
 * returning it, called only for a relative reference (so an adapter checks
 * the request's Host only when it needs it).
 *
 * @throws TypeError for a relative reference the rule refuses, or a `base` that is not an http(s) URL.
 * @example
 * ```ts
 * resolveCallbackUri('/authorize', 'https://app.example/auth/login') // 'https://app.example/authorize'
 * resolveCallbackUri('authorize', 'https://app.example/auth/login')  // 'https://app.example/authorize'
 * resolveCallbackUri('oob', 'https://app.example/')                  // 'oob'
 * ```
 */
export function resolveCallbackUri(
  redirectUri: string,
  base: string | URL | (() => string | URL),
): string {
  if (typeof redirectUri === 'string' && !isPathCallback(redirectUri)) return redirectUri
  checkRelativeCallback(redirectUri)
  const from = typeof base === 'function' ? base() : base
  const key = typeof from === 'string' ? `${from}\n${redirectUri}` : undefined
  if (key !== undefined) {
    const resolved = resolvedCallbacks.get(key)
    if (resolved !== undefined) return resolved
  }
  const origin = new URL(from)
  if (origin.protocol !== 'https:' && origin.protocol !== 'http:') {
    throw new TypeError('base should be the http(s) URL of the request')
  }
  const resolved = new URL(redirectUri, `${origin.origin}/`).href
  if (key !== undefined && key.length <= MAX_CACHED) resolvedCallbacks.set(key, resolved)
  return resolved
}

/** What an adapter reads from its framework to know the origin of a request. */
export interface RequestProtocolAndHost {
  /** `http` or `https` (any case, a trailing `:` allowed), after the framework's proxy rules. */
  readonly protocol: string
  /** The Host (`app.example:8443`), after the framework's proxy rules. */
  readonly host: string
}

/**
 * {@link resolveCallbackUri} for the request at hand, as every framework
 * adapter does it: `oob` and absolute URIs as they are; a relative reference
 * checked by {@link checkRelativeCallback} and resolved against the origin
 * of the request's protocol and Host, which `request` reads (only for a
 * relative reference). A protocol other than http(s) or a Host that is not
 * a plain `host[:port]` is the client's fault, not the app's: `badRequest`
 * is called with the problem, to throw the framework's 400.
 *
 * @throws TypeError for a relative reference the rule refuses (the app's mistake).
 * @throws whatever `badRequest` throws for a request whose origin cannot be known.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
 * @example
 * ```ts
 * const callback = resolveRequestCallback(
 *   '/authorize',
 *   () => ({ protocol: 'https', host: 'app.example' }),
 *   (problem) => {
 *     throw new Error(problem)
 *   },
 * ) // 'https://app.example/authorize'
 * ```
 */
export function resolveRequestCallback(
  redirectUri: string,
  request: () => RequestProtocolAndHost,
  badRequest: (problem: string) => never,
): string {
  return resolveCallbackUri(redirectUri, () => {
    const { protocol, host } = request()
    if (typeof protocol !== 'string' || !/^https?:?$/i.test(protocol)) {
      badRequest(
        "cannot resolve the relative redirectUri: the request's protocol (X-Forwarded-Proto behind a trusted proxy) should be http or https",
      )
    }
    const origin = requestOriginFrom(protocol, host)
    if (origin === undefined) {
      badRequest('cannot resolve the relative redirectUri: the request has no valid Host header')
    }
    return origin
  })
}

/**
 * A Host header value: a host name (letters, digits, `-`, `_`, dots, a final
 * dot allowed), an IPv4 address or a bracketed IPv6 address, and an optional
 * port. No userinfo, path, whitespace or anything a URL parser would
 * reinterpret.
 */
/** The longest Host: a 253-character DNS name, its final dot and a port (`:65535`). */
const MAX_HOST = 260

const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?)(?::\d{1,5})?$/

/**
 * The origin (`https://app.example:8443`) of a request, from the protocol
 * and Host an adapter reads from its framework (after its own proxy rules),
 * or `undefined` when they do not make one: a protocol other than `http` or
 * `https` (any case, a trailing `:` allowed), or a Host that is not a plain
 * `host[:port]` (userinfo, a path, whitespace, a port over 65535, longer
 * than a DNS name with its port…). The adapter answers `undefined` with a
 * 400 of its framework.
 *
 * @example
 * ```ts
 * requestOriginFrom('HTTPS', 'App.Example:443') // 'https://app.example'
 * requestOriginFrom('http', 'evil.example/path') // undefined
 * ```
 */
export function requestOriginFrom(protocol: string, host: string): string | undefined {
  if (typeof protocol !== 'string' || typeof host !== 'string') return undefined
  const key = `${protocol}\n${host}`
  const known = origins.get(key)
  if (known !== undefined) return known
  const scheme = protocol.toLowerCase().replace(/:$/, '')
  if ((scheme !== 'http' && scheme !== 'https') || host.length > MAX_HOST || !HOST.test(host)) {
    return undefined
  }
  // Checked here, not left to the URL parser: workerd's before its 2022-10-31
  // compatibility date takes a port past 65535.
  const port = /:(\d+)$/.exec(host)?.[1]
  if (port !== undefined && Number(port) > 65535) return undefined
  let origin: string
  try {
    origin = new URL(`${scheme}://${host}`).origin
  } catch {
    return undefined // a port over 65535, an IPv6 literal that is not one
  }
  if (key.length <= MAX_CACHED) origins.set(key, origin)
  return origin
}

/**
 * The first value of a comma-separated header such as `X-Forwarded-Host`
 * (the one the client-facing proxy set), trimmed; `undefined` when absent or
 * empty.
 */
export function firstHeaderValue(value: string | null | undefined): string | undefined {
  if (typeof value !== 'string') return undefined
  const comma = value.indexOf(',')
  const first = (comma === -1 ? value : value.slice(0, comma)).trim()
  return first === '' ? undefined : first
}

/**
 * The raw query of a request target (`/authorize?oauth_token=…` →
 * `oauth_token=…`), exactly as the client sent it, without `?` or a
 * fragment; `''` when there is none. Frameworks' parsed queries (`qs`
 * objects, the last of repeated values) would hide a repeated `oauth_token`.
 */
export function requestTargetQuery(target: string): string {
  const hash = target.indexOf('#')
  const beforeHash = hash === -1 ? target : target.slice(0, hash)
  const start = beforeHash.indexOf('?')
  return start === -1 ? '' : beforeHash.slice(start + 1)
}
