/**
 * Strict parsers for what a client sends: form-encoded strings, the
 * `Authorization: OAuth …` header, and percent-encoded values. A provider that
 * quietly "fixes" bad input hides client bugs, so every malformed input here
 * throws a {@link ParseError} that the server answers with a 400.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1
 */

/** Raised for malformed input; `parameter` names the offending parameter when known. */
export class ParseError extends Error {
  readonly parameter: string | undefined
  constructor(message: string, parameter?: string) {
    super(message)
    this.name = 'ParseError'
    this.parameter = parameter
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
const HEX = /^[0-9A-Fa-f]{2}$/

/**
 * Decodes `%XX` escapes (and nothing else), refusing a `%` not followed by two
 * hex digits and byte sequences that are not UTF-8.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.6
 * @example
 * ```ts
 * strictPercentDecode('caf%C3%A9') // 'café'
 * strictPercentDecode('100%')      // throws ParseError
 * ```
 */
export function strictPercentDecode(value: string, what = 'value'): string {
  if (!value.includes('%')) return value
  const bytes: number[] = []
  for (let i = 0; i < value.length; ) {
    const ch = value.charCodeAt(i)
    if (ch === 0x25) {
      const hex = value.slice(i + 1, i + 3)
      if (!HEX.test(hex)) throw new ParseError(`bad percent-encoding in ${what}`)
      bytes.push(Number.parseInt(hex, 16))
      i += 3
    } else {
      const cp = value.codePointAt(i)!
      const chunk = Buffer.from(String.fromCodePoint(cp), 'utf8')
      for (const b of chunk) bytes.push(b)
      i += cp > 0xffff ? 2 : 1
    }
  }
  try {
    return utf8.decode(Uint8Array.from(bytes))
  } catch {
    throw new ParseError(`percent-encoded ${what} is not UTF-8`)
  }
}

/**
 * Parses `application/x-www-form-urlencoded` (a query string or a form body):
 * `+` is a space, each name and value is decoded exactly once, repeated names
 * and empty values are kept in order, and a pair with no `=` has an empty value.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1
 * @example
 * ```ts
 * parseForm('a=1&a=2+3&c2&b5=%3D%253D') // [['a','1'], ['a','2 3'], ['c2',''], ['b5','=%3D']]
 * ```
 */
export function parseForm(input: string, what = 'form'): [string, string][] {
  const out: [string, string][] = []
  if (input === '') return out
  for (const part of input.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const rawName = eq === -1 ? part : part.slice(0, eq)
    const rawValue = eq === -1 ? '' : part.slice(eq + 1)
    const name = strictPercentDecode(rawName.replace(/\+/g, ' '), `${what} parameter name`)
    const value = strictPercentDecode(rawValue.replace(/\+/g, ' '), `${what} parameter ${name}`)
    out.push([name, value])
  }
  return out
}

/** The result of reading an `Authorization` header. */
export interface AuthorizationHeader {
  /** `realm`, if sent (never part of the signature base string). */
  realm: string | undefined
  /** Every other parameter, decoded, in the order sent (repeats kept). */
  params: [string, string][]
}

/** Options of {@link parseAuthorizationHeader}. */
export interface AuthorizationHeaderOptions {
  /**
   * Let `oauth_signature` carry a literal `&` (Discogs' documented PLAINTEXT
   * form, `oauth_signature="secret&token-secret"`). Every other character
   * outside RFC 3986's unreserved set must be percent-encoded, as RFC 5849
   * §3.6 asks. Default `false`.
   */
  literalAmpersandInSignature?: boolean
}

// What §3.6 leaves unencoded: RFC 3986's unreserved characters, and escapes.
const ENCODED = /^(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})*$/
const UNRESERVED = /^[A-Za-z0-9._~-]$/

/** Refuses a header parameter name or value with a character §3.6 says must be encoded. */
function checkEncoded(raw: string, ampersand: boolean, what: string, parameter?: string): void {
  if (!ampersand && ENCODED.test(raw)) return
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!
    if (ch === '%') {
      if (!HEX.test(raw.slice(i + 1, i + 3))) {
        throw new ParseError(`bad percent-encoding in ${what}`, parameter)
      }
      i += 2
    } else if (!UNRESERVED.test(ch) && !(ampersand && ch === '&')) {
      const shown = String.fromCodePoint(raw.codePointAt(i)!)
      throw new ParseError(
        `${what} is not percent-encoded (RFC 5849 §3.6): ${JSON.stringify(shown)} must be sent as %XX`,
        parameter,
      )
    }
  }
}

// A quoted-string: quoted-pairs (`\"`, `\\`) allowed, so a realm may carry them.
const PAIR = /^[ \t]*([^\s=,"]+)[ \t]*=[ \t]*"((?:[^"\\]|\\[\t\x20-\x7E\x80-\uFFFF])*)"[ \t]*/

/**
 * Reads an `Authorization: OAuth …` header (§3.5.1): `name="value"` pairs,
 * comma-separated with optional whitespace, values percent-encoded. `realm`
 * is an RFC 2617 quoted-string instead: its quoted-pairs (`\"`) are
 * unescaped and it is not percent-decoded, as clients send it verbatim.
 * Every other name and value must be encoded as §3.6 asks — only RFC 3986's
 * unreserved characters as they are — so `oauth_nonce="a b"` or an unencoded
 * callback URL is refused, not read as a lenient parser would.
 * Returns `null` when the header uses another scheme (e.g. `Basic`);
 * throws {@link ParseError} when the OAuth header is malformed.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1
 * @example
 * ```ts
 * parseAuthorizationHeader('OAuth realm="Photos", oauth_token="ab%2Bc"')
 * // { realm: 'Photos', params: [['oauth_token', 'ab+c']] }
 * ```
 */
export function parseAuthorizationHeader(
  header: string,
  options: AuthorizationHeaderOptions = {},
): AuthorizationHeader | null {
  const match = /^[ \t]*OAuth(?:[ \t]+|$)/i.exec(header)
  if (!match) return null
  let rest = header.slice(match[0].length)
  const params: [string, string][] = []
  let realm: string | undefined
  while (rest.trim() !== '') {
    const pair = PAIR.exec(rest)
    if (!pair) throw new ParseError('malformed Authorization header')
    checkEncoded(pair[1]!, false, 'Authorization header parameter name')
    const name = strictPercentDecode(pair[1]!, 'Authorization header parameter name')
    const raw = pair[2]!
    if (name === 'realm') {
      if (realm !== undefined) throw new ParseError('realm sent twice', 'realm')
      realm = raw.replace(/\\(.)/gsu, '$1')
    } else {
      // Every other value is percent-encoded (§3.5.1), so it never needs a quoted-pair.
      if (raw.includes('\\')) throw new ParseError('malformed Authorization header', name)
      const ampersand = options.literalAmpersandInSignature === true && name === 'oauth_signature'
      checkEncoded(raw, ampersand, `Authorization header parameter ${name}`, name)
      params.push([name, strictPercentDecode(raw, `Authorization header parameter ${name}`)])
    }
    rest = rest.slice(pair[0].length)
    if (rest.startsWith(',')) {
      rest = rest.slice(1)
      if (rest.trim() === '') throw new ParseError('malformed Authorization header')
    } else if (rest.trim() !== '') {
      throw new ParseError('malformed Authorization header')
    }
  }
  return { realm, params }
}

/** True when the `Content-Type` media type is `application/x-www-form-urlencoded` (parameters ignored). */
export function isFormContentType(contentType: string | undefined): boolean {
  if (!contentType) return false
  const media = contentType.split(';', 1)[0]!.trim().toLowerCase()
  return media === 'application/x-www-form-urlencoded'
}

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/

/** True for a syntactically valid `Host` header value (name or IP literal, optional port). */
export function isValidHost(host: string): boolean {
  return HOST.test(host)
}

/** True when `hostname` (as in a URL or Host header, without port) is a loopback host. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '')
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    /^127(?:\.\d{1,3}){3}$/.test(h) ||
    h === '[::1]' ||
    h === '::1'
  )
}
