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

/** @internal The authority (`host[:port]`) from a Host header, lowercased, default port dropped. */
export function hostFromHeader(protocol: string, host: string, label: string): string {
  if (typeof host !== 'string') {
    throw new TypeError(`${label} should be a host name with an optional port`)
  }
  const trimmed = host.trim()
  if (trimmed === '' || BAD_HOST_CHAR.test(trimmed)) {
    throw new TypeError(`${label} should be a host name with an optional port`)
  }
  try {
    return new URL(`${protocol}//${trimmed}/`).host
  } catch {
    throw new TypeError(`${label} should be a host name with an optional port`)
  }
}

/**
 * The base string URI of RFC 5849 §3.4.1.2: scheme and host lowercased, the
 * port only when it is not the scheme's default (80 for http, 443 for
 * https), the path exactly as it goes on the wire (raw spaces and non-ASCII
 * characters take the `%XX` form `fetch` sends; existing escapes are kept
 * as they are), no query, no fragment, and `/` for an empty path.
 *
 * When the request carries a `Host` header, pass its value as `host`: the
 * server signs with the authority it sees (§3.4.1.2).
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
  return `${parsed.protocol}//${authority}${parsed.pathname}`
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
    for (const pair of parseFormEncoded(parsed.search.slice(1))) {
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
  return buildBaseString(upper, `${parsed.protocol}//${host}${parsed.pathname}`, params)
}

/** @internal The base string from an uppercased method and a finished base string URI. */
export function buildBaseString(
  upperMethod: string,
  uri: string,
  params: Iterable<readonly [string, string]>,
): string {
  return `${percentEncode(upperMethod)}&${percentEncode(uri)}&${encodeSortedEntries(sortedEntries(params))}`
}
