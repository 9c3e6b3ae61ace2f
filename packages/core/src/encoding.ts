/**
 * Percent-encoding and form decoding as OAuth 1.0a needs them.
 *
 * RFC 5849 §3.6 keeps only the unreserved characters `A-Z a-z 0-9 - . _ ~`
 * and encodes every other UTF-8 byte as `%XX` with uppercase hex. That is
 * neither `encodeURIComponent` (which leaves `! ' ( ) *`) nor form encoding
 * (which turns a space into `+`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.6
 * @module
 */

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/
/**
 * Encodes a string per RFC 5849 §3.6: UTF-8, then every byte that is not
 * unreserved becomes `%XX` with uppercase hex digits.
 *
 * A lone UTF-16 surrogate (which has no UTF-8 form) is encoded as U+FFFD,
 * the replacement character, as `TextEncoder` and `URL` do.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.6
 * @example
 * ```ts
 * percentEncode("!*'()~ +é😀") // '%21%2A%27%28%29~%20%2B%C3%A9%F0%9F%98%80'
 * ```
 */
export function percentEncode(value: string): string {
  // The common case (nonces, timestamps, keys, most parameter names) is
  // already unreserved: one regex test, no allocation.
  if (UNRESERVED.test(value)) return value
  let encoded: string
  try {
    encoded = encodeURIComponent(value)
  } catch {
    // URIError: a lone surrogate. Encode what TextEncoder would send.
    encoded = encodeURIComponent(toWellFormed(value))
  }
  // encodeURIComponent leaves ! ' ( ) *. Plain string searches beat a regex
  // replace here, and most values contain none of them.
  if (encoded.indexOf('!') !== -1) encoded = encoded.replaceAll('!', '%21')
  if (encoded.indexOf("'") !== -1) encoded = encoded.replaceAll("'", '%27')
  if (encoded.indexOf('(') !== -1) encoded = encoded.replaceAll('(', '%28')
  if (encoded.indexOf(')') !== -1) encoded = encoded.replaceAll(')', '%29')
  if (encoded.indexOf('*') !== -1) encoded = encoded.replaceAll('*', '%2A')
  return encoded
}

function toWellFormed(value: string): string {
  const native = (value as { toWellFormed?: () => string }).toWellFormed
  if (typeof native === 'function') return native.call(value)
  return value.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  )
}

const HEX_VALUE = (() => {
  const table = new Int8Array(128).fill(-1)
  for (let i = 0; i < 10; i++) table[48 + i] = i
  for (let i = 0; i < 6; i++) {
    table[65 + i] = 10 + i
    table[97 + i] = 10 + i
  }
  return table
})()

function hexValue(code: number): number {
  return code < 128 ? HEX_VALUE[code]! : -1
}

const textEncoder = new TextEncoder()
const lenientDecoder = new TextDecoder('utf-8')
const strictDecoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Decodes `%XX` escapes (and `+` as a space when `plusAsSpace`) into a UTF-8
 * string. Returns `null` in strict mode when an escape is malformed or the
 * bytes are not UTF-8; in lenient mode a malformed `%` stays as it is and
 * invalid UTF-8 becomes U+FFFD, exactly as `URLSearchParams` decodes.
 */
function decode(value: string, plusAsSpace: boolean, strict: boolean): string | null {
  const hasPercent = value.indexOf('%') !== -1
  if (plusAsSpace && value.indexOf('+') !== -1) value = value.replace(/\+/g, ' ')
  if (!hasPercent) return value
  try {
    // Fast path: decodeURIComponent is strict about both escapes and UTF-8.
    return decodeURIComponent(value)
  } catch {
    // Fall through to the byte decoder below.
  }
  const bytes: number[] = []
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code === 0x25 /* % */) {
      const hi = i + 2 < value.length ? hexValue(value.charCodeAt(i + 1)) : -1
      const lo = hi === -1 ? -1 : hexValue(value.charCodeAt(i + 2))
      if (lo === -1) {
        if (strict) return null
        bytes.push(0x25)
        continue
      }
      bytes.push((hi << 4) | lo)
      i += 2
    } else if (code < 0x80) {
      bytes.push(code)
    } else {
      // Copy the non-ASCII run as UTF-8.
      let end = i + 1
      while (end < value.length && value.charCodeAt(end) >= 0x80) end++
      for (const b of textEncoder.encode(value.slice(i, end))) bytes.push(b)
      i = end - 1
    }
  }
  const array = Uint8Array.from(bytes)
  if (!strict) return lenientDecoder.decode(array)
  try {
    return strictDecoder.decode(array)
  } catch {
    return null
  }
}

/**
 * Decodes an RFC 3986 percent-encoded string (`+` stays a plus). Never
 * throws: a malformed escape is kept as it is and invalid UTF-8 becomes
 * U+FFFD, as `URLSearchParams` does. Use {@link tryPercentDecode} to reject
 * malformed input instead.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.6
 * @example
 * ```ts
 * percentDecode('%C3%A9+%2B') // 'é++'
 * ```
 */
export function percentDecode(value: string): string {
  return decode(value, false, false)!
}

/**
 * Like {@link percentDecode}, but returns `null` when an escape is malformed
 * (`%G1`, a trailing `%`) or the decoded bytes are not UTF-8. A provider
 * verifying requests should answer such input with 400.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1
 * @example
 * ```ts
 * tryPercentDecode('%E2%82%AC') // '€'
 * tryPercentDecode('%E2%82')    // null
 * ```
 */
export function tryPercentDecode(value: string): string | null {
  return decode(value, false, true)
}

/** Options of {@link parseFormEncoded}. */
export interface ParseFormOptions {
  /** Return `null` on a malformed escape or invalid UTF-8 instead of decoding leniently. */
  strict?: boolean
}

/**
 * Parses an `application/x-www-form-urlencoded` string into name/value
 * pairs, in order, keeping repeated names and empty values (`c2` reads as
 * `['c2', '']`). `+` decodes to a space and `%2B` to a plus. A leading `?`
 * is not stripped: pass `url.search.slice(1)`.
 *
 * Lenient by default, like `URLSearchParams`; with `{ strict: true }` a
 * malformed escape or invalid UTF-8 gives `null`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1
 * @see https://url.spec.whatwg.org/#urlencoded-parsing
 * @example
 * ```ts
 * parseFormEncoded('a=1&b=x+y&c2&a=%2B') // [['a','1'],['b','x y'],['c2',''],['a','+']]
 * ```
 */
export function parseFormEncoded(body: string): [string, string][]
export function parseFormEncoded(
  body: string,
  options: ParseFormOptions & { strict: true },
): [string, string][] | null
export function parseFormEncoded(
  body: string,
  options?: ParseFormOptions,
): [string, string][] | null
export function parseFormEncoded(
  body: string,
  options: ParseFormOptions = {},
): [string, string][] | null {
  const strict = options.strict === true
  const pairs: [string, string][] = []
  if (body === '') return pairs
  let start = 0
  while (start <= body.length) {
    let end = body.indexOf('&', start)
    if (end === -1) end = body.length
    if (end > start) {
      const part = body.slice(start, end)
      const eq = part.indexOf('=')
      const rawName = eq === -1 ? part : part.slice(0, eq)
      const rawValue = eq === -1 ? '' : part.slice(eq + 1)
      const name = decode(rawName, true, strict)
      const value = decode(rawValue, true, strict)
      if (name === null || value === null) return null
      pairs.push([name, value])
    }
    start = end + 1
  }
  return pairs
}

/** @internal A form-encoded component (`+` is a space), decoded leniently. */
export function formDecode(raw: string): string {
  return decode(raw, true, false)!
}

// Already in RFC 5849 form: unreserved characters and uppercase escapes only,
// none of which stands for an unreserved character (which §3.6 leaves bare),
// and only of ASCII bytes (%00–%7F), so the bytes are UTF-8 without decoding.
const CANONICAL_ASCII =
  /^(?:[A-Za-z0-9\-._~]|%(?!3[0-9]|[46][1-9A-F]|[57][0-9A]|2[DE]|5F|7E)[0-7][0-9A-F])*$/

/**
 * @internal `percentEncode(formDecode(raw))`, without the round trip when
 * `raw` is already exactly what it would produce (a common form body).
 */
export function reencodeFormComponent(raw: string): string {
  if (CANONICAL_ASCII.test(raw)) return raw
  return percentEncode(decode(raw, true, false)!)
}

/**
 * Serialises pairs with {@link percentEncode}: `name=value&…`. The output is
 * valid both as a query string and as an `application/x-www-form-urlencoded`
 * body (a space is `%20`, never `+`, so it reads back the same either way).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.5.2
 * @example
 * ```ts
 * formatParameters([['oauth_signature', 'a+b=']]) // 'oauth_signature=a%2Bb%3D'
 * ```
 */
export function formatParameters(pairs: Iterable<readonly [string, string]>): string {
  let out = ''
  for (const [name, value] of pairs) {
    if (out !== '') out += '&'
    out += `${percentEncode(name)}=${percentEncode(value)}`
  }
  return out
}
