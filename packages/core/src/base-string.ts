/**
 * The signature base string (RFC 5849 §3.4.1): method, base string URI and
 * normalised parameters, each percent-encoded and joined with `&`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1
 * @module
 */

import { parseFormEncoded, percentEncode } from './encoding.js'

const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const BAD_HOST_CHAR = /[\s/?#@\\,"]/

/** @internal Parses a URL argument, throwing a TypeError that names `label`. */
export function toHttpUrl(url: string | URL, label: string): URL {
  let parsed: URL
  if (url instanceof URL) {
    parsed = url
  } else if (typeof url === 'string') {
    try {
      parsed = new URL(url)
    } catch {
      throw new TypeError(`${label} should be an absolute http: or https: URL`)
    }
  } else {
    throw new TypeError(`${label} should be a string or a URL`)
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TypeError(`${label} should be an absolute http: or https: URL`)
  }
  return parsed
}

/** @internal Validates an HTTP method token; returns it uppercased for the base string. */
export function normalizeMethod(method: unknown, label: string): string {
  if (method === 'GET' || method === 'POST') return method
  if (typeof method !== 'string' || !METHOD_TOKEN.test(method)) {
    throw new TypeError(`${label} should be an HTTP method token such as "GET"`)
  }
  return method.toUpperCase()
}

/** A Host header's value: a name or IPv4 address, or a bracketed IPv6 address, and an optional port. */
const HOST_HEADER = /^(\[[0-9A-Fa-f:.]+\]|[!$&'()*+;=A-Za-z0-9._~%-]+)(?::([0-9]{0,5}))?$/

/**
 * @internal The authority (`host[:port]`) from a Host header as the request
 * carries it: lowercased, the scheme's default port dropped, and nothing
 * else changed (§3.4.1.2: it MUST match the header). A URL parser would
 * rewrite `2130706433` or `0x7f.1` as `127.0.0.1`, and a client that signed
 * with the header it sent would be refused.
 */
export function hostFromHeader(protocol: string, host: string, label: string): string {
  if (typeof host !== 'string') {
    throw new TypeError(`${label} should be a host name with an optional port`)
  }
  const trimmed = host.trim()
  const match = BAD_HOST_CHAR.test(trimmed) ? null : HOST_HEADER.exec(trimmed)
  const port = match?.[2] === undefined || match[2] === '' ? undefined : Number(match[2])
  if (match === null || (port !== undefined && port > 65_535)) {
    throw new TypeError(`${label} should be a host name with an optional port`)
  }
  const name = (match[1] as string).toLowerCase()
  const defaultPort = protocol === 'https:' ? 443 : 80
  return port === undefined || port === defaultPort ? name : `${name}:${port}`
}

/** Characters a request target cannot carry as they are; fetch sends them %-encoded (WHATWG's path set). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const UNSENDABLE_IN_PATH = /[\x00-\x20"<>`{}\x7F]|[^\x00-\x7F]/gu
/** `scheme://authority` at the start of an absolute http(s) URL written the ordinary way. */
const SCHEME_AND_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\\]*/

/**
 * @internal The path of `url` as it goes on the wire: for a string, the path
 * as written, dot segments (`/./`, `/../`, `%2e`) and escapes kept, with
 * what a request line cannot carry (spaces, quotes, non-ASCII…) %-encoded
 * as fetch encodes it; `/` when empty. A URL object, or a string a URL parser
 * would rewrite (a backslash, a tab or line break, leading spaces), gives the
 * parsed `pathname`, whose dot segments are already resolved.
 */
export function wirePath(url: string | URL, parsed: URL): string {
  if (typeof url !== 'string' || /[\t\n\r\\]/.test(url) || url !== url.trim()) {
    return parsed.pathname
  }
  const start = SCHEME_AND_AUTHORITY.exec(url)
  if (start === null) return parsed.pathname
  const rest = url.slice(start[0].length)
  const end = rest.search(/[?#]/)
  const path = end === -1 ? rest : rest.slice(0, end)
  if (path === '') return '/'
  return path.replace(UNSENDABLE_IN_PATH, (c) => {
    try {
      return encodeURIComponent(c)
    } catch {
      return '%EF%BF%BD' // a lone surrogate: what fetch sends for it
    }
  })
}

/**
 * The base string URI of RFC 5849 §3.4.1.2: scheme and host lowercased, the
 * port only when it is not the scheme's default (80 for http, 443 for
 * https), the path exactly as it goes on the wire (raw spaces and non-ASCII
 * characters take the `%XX` form `fetch` sends; existing escapes and dot
 * segments are kept as they are), no query, no fragment, and `/` for an
 * empty path.
 *
 * When the request carries a `Host` header, pass its value as `host`: the
 * server signs with the authority it sees (§3.4.1.2). A server passes the
 * request target as it came (`https://${host}${req.url}`), as a string: a
 * `URL` object has its dot segments resolved already, so `/a/../b` would be
 * checked as `/b`, a path the request did not name.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.2
 * @example
 * ```ts
 * baseStringUri('HTTP://Example.com:80/r%20v/X?id=123') // 'http://example.com/r%20v/X'
 * baseStringUri('https://www.example.net:8080/?q=1')   // 'https://www.example.net:8080/'
 * ```
 */
export function baseStringUri(url: string | URL, host?: string | null): string {
  const parsed = toHttpUrl(url, 'url')
  const authority =
    host === undefined || host === null
      ? parsed.host
      : hostFromHeader(parsed.protocol, host, 'host')
  return `${parsed.protocol}//${authority}${wirePath(url, parsed)}`
}

/** Where the parameters of a received request came from (RFC 5849 §3.4.1.3.1). */
export interface SignatureParameterSources {
  /** The request URL; its query is form-decoded (`+` is a space). */
  url: string | URL
  /**
   * The parameters of the `Authorization: OAuth …` header, as
   * {@link parseAuthorizationHeader} returns them. `realm` is dropped.
   */
  authorization?: Iterable<readonly [string, string]> | null
  /**
   * The decoded pairs of a single-part `application/x-www-form-urlencoded`
   * body, as {@link parseFormEncoded} returns them. Leave out for any other body.
   */
  form?: Iterable<readonly [string, string]> | null
}

/**
 * Collects the request parameters that are signed (RFC 5849 §3.4.1.3.1):
 * the query, the `Authorization` header's parameters except `realm`, and a
 * form body's parameters, in that order, keeping repeated names and empty
 * values, without `oauth_signature`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1
 * @example
 * ```ts
 * const params = collectSignatureParameters({
 *   url: req.url,
 *   authorization: parseAuthorizationHeader(req.headers.authorization ?? ''),
 *   form: isForm ? parseFormEncoded(body) : null,
 * })
 * const base = signatureBaseString(req.method, req.url, params)
 * ```
 */
export function collectSignatureParameters(sources: SignatureParameterSources): [string, string][] {
  const parsed = toHttpUrl(sources.url, 'sources.url')
  const params: [string, string][] = []
  if (parsed.search.length > 1) {
    // Decoded strictly: `%ZZ` or `%FF` kept as written would sign the same as
    // `%25ZZ` or `%EF%BF%BD`, values a server's own query parser reads apart.
    const query = parseFormEncoded(parsed.search.slice(1), { strict: true })
    if (query === null) {
      throw new TypeError(
        'sources.url has a query with a malformed percent-escape or invalid UTF-8: answer the request 400',
      )
    }
    for (const pair of query) {
      if (pair[0] !== 'oauth_signature') params.push(pair)
    }
  }
  if (sources.authorization) {
    for (const [name, value] of sources.authorization) {
      if (name !== 'realm' && name !== 'oauth_signature') params.push([name, value])
    }
  }
  if (sources.form) {
    for (const [name, value] of sources.form) {
      if (name !== 'oauth_signature') params.push([name, value])
    }
  }
  return params
}

/**
 * Normalises request parameters (RFC 5849 §3.4.1.3.2): each name and value
 * percent-encoded, sorted by encoded name and then encoded value in byte
 * order, joined as `name=value` pairs with `&`. Repeated names and empty
 * values are kept. `oauth_signature` is left out.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.2
 * @example
 * ```ts
 * normalizeParameters([['b5', '=%3D'], ['a3', 'a'], ['c2', '']]) // 'a3=a&b5=%3D%253D&c2='
 * ```
 */
export function normalizeParameters(params: Iterable<readonly [string, string]>): string {
  return sortedEntries(params).join('&').replaceAll('\x01', '=')
}

// Encoded names and values only contain [A-Za-z0-9._~%-], all above \x01, so
// sorting "name\x01value" strings orders by name, then by value, in byte
// order, and lets the engine use its fast comparator-free sort.
function sortedEntries(params: Iterable<readonly [string, string]>): string[] {
  const entries: string[] = []
  for (const [name, value] of params) {
    if (name === 'oauth_signature') continue
    entries.push(`${percentEncode(name)}\x01${percentEncode(value)}`)
  }
  return entries.sort()
}

/**
 * @internal The third part of the base string from encoded "name\x01value"
 * entries: sorted, joined, and percent-encoded again, which for these
 * entries only touches `%`, `=` and `&`. Sorts `entries` in place.
 */
export function encodeSortedEntries(entries: string[]): string {
  entries.sort()
  let joined = entries.join('\x02')
  if (joined.indexOf('%') !== -1) joined = joined.replaceAll('%', '%25')
  return joined.replaceAll('\x01', '%3D').replaceAll('\x02', '%26')
}

/** Options of {@link signatureBaseString}. */
export interface BaseStringOptions {
  /** The `Host` header the request carries; it replaces the URL's authority (§3.4.1.2). */
  host?: string | null
}

/**
 * Builds the signature base string (RFC 5849 §3.4.1.1): the uppercased
 * method, the base string URI and the normalised parameters, each
 * percent-encoded, joined with `&`.
 *
 * `params` is the complete list of request parameters (query, OAuth
 * protocol parameters, form body; see {@link collectSignatureParameters}):
 * the URL's own query and fragment are NOT read here, only its scheme,
 * authority and path. `oauth_signature` is left out; `realm` is the caller's
 * to leave out (it is only excluded when it comes from the header).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1
 * @example
 * ```ts
 * signatureBaseString('get', 'http://photos.example.net/photos', [
 *   ['file', 'vacation.jpg'], ['size', 'original'], ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
 *   // …
 * ]) // 'GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26…'
 * ```
 */
export function signatureBaseString(
  method: string,
  url: string | URL,
  params: Iterable<readonly [string, string]>,
  options: BaseStringOptions = {},
): string {
  const upper = normalizeMethod(method, 'method')
  const parsed = toHttpUrl(url, 'url')
  const host =
    options.host === undefined || options.host === null
      ? parsed.host
      : hostFromHeader(parsed.protocol, options.host, 'options.host')
  return buildBaseString(upper, `${parsed.protocol}//${host}${wirePath(url, parsed)}`, params)
}

/** @internal The base string from an uppercased method and a finished base string URI. */
export function buildBaseString(
  upperMethod: string,
  uri: string,
  params: Iterable<readonly [string, string]>,
): string {
  return `${percentEncode(upperMethod)}&${percentEncode(uri)}&${encodeSortedEntries(sortedEntries(params))}`
}
