import { describe, expect, it } from 'vitest'
import {
  escapeHtml,
  isLoopbackHost,
  ParseError,
  parseAuthorizationHeader,
  parseForm,
  strictPercentDecode,
} from './index.js'

describe('parsers', () => {
  it('strictPercentDecode decodes once and refuses bad escapes and non-UTF-8', () => {
    expect(strictPercentDecode('caf%C3%A9%20%2525')).toBe('café %25')
    expect(strictPercentDecode('plain+text')).toBe('plain+text')
    expect(strictPercentDecode('%f0%9f%98%80 é')).toBe('😀 é')
    for (const bad of ['%', '%2', '%G0', 'a%zz', '%C3', '%FF%FE']) {
      expect(() => strictPercentDecode(bad)).toThrow(ParseError)
    }
  })

  it('parseForm keeps order, repeats and empty values; + is a space', () => {
    expect(parseForm('a=1&a=2+3&c2&b5=%3D%253D&&e=')).toEqual([
      ['a', '1'],
      ['a', '2 3'],
      ['c2', ''],
      ['b5', '=%3D'],
      ['e', ''],
    ])
    expect(parseForm('')).toEqual([])
    expect(parseForm('%2B=%2B')).toEqual([['+', '+']])
  })

  it('parseAuthorizationHeader reads the RFC 5849 §3.5.1 example', () => {
    const header =
      'OAuth realm="Example",\r\n oauth_consumer_key="0685bd9184jfhq22",\n  oauth_token="ad180jjd733klru7", oauth_signature_method="HMAC-SHA1", oauth_signature="wOJIO9A2W5mFwDgiDvZbTSMK%2FPY%3D", oauth_timestamp="137131200", oauth_nonce="4572616e48616d6d65724c61686176", oauth_version="1.0"'
    // Node joins folded header lines with spaces; the parser sees them as spaces and tabs.
    const parsed = parseAuthorizationHeader(header.replace(/\r?\n/g, ''))
    expect(parsed?.realm).toBe('Example')
    expect(parsed?.params).toEqual([
      ['oauth_consumer_key', '0685bd9184jfhq22'],
      ['oauth_token', 'ad180jjd733klru7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_signature', 'wOJIO9A2W5mFwDgiDvZbTSMK/PY='],
      ['oauth_timestamp', '137131200'],
      ['oauth_nonce', '4572616e48616d6d65724c61686176'],
      ['oauth_version', '1.0'],
    ])
  })

  it('parseAuthorizationHeader: other schemes are null; the scheme is case-insensitive; bad ones throw', () => {
    expect(parseAuthorizationHeader('Basic Zm9vOmJhcg==')).toBeNull()
    expect(parseAuthorizationHeader('OAuthx a="b"')).toBeNull()
    expect(parseAuthorizationHeader('oauth a="b"')).toEqual({
      realm: undefined,
      params: [['a', 'b']],
    })
    expect(parseAuthorizationHeader('OAuth')).toEqual({ realm: undefined, params: [] })
    expect(parseAuthorizationHeader('OAuth a="",b="x"')?.params).toEqual([
      ['a', ''],
      ['b', 'x'],
    ])
    for (const bad of [
      'OAuth a=b',
      'OAuth a="b" c="d"',
      'OAuth a="b",',
      'OAuth a="b',
      'OAuth a="b\\"c"',
      'OAuth ,a="b"',
    ]) {
      expect(() => parseAuthorizationHeader(bad), bad).toThrow(ParseError)
    }
  })

  it('parseAuthorizationHeader: names and values only as §3.6 encodes them', () => {
    const refused = (header: string, options?: { literalAmpersandInSignature?: boolean }) => {
      try {
        parseAuthorizationHeader(header, options)
      } catch (e) {
        return [(e as ParseError).message, (e as ParseError).parameter]
      }
      return undefined
    }
    expect(refused('OAuth oauth_nonce="a b"')).toEqual([
      'Authorization header parameter oauth_nonce is not percent-encoded (RFC 5849 §3.6): " " must be sent as %XX',
      'oauth_nonce',
    ])
    expect(refused('OAuth oauth_token="ab+c"')?.[0]).toContain('"+" must be sent as %XX')
    expect(refused('OAuth oauth_token="caf😀"')?.[0]).toContain('"😀" must be sent as %XX')
    expect(refused('OAuth oauth_t:oken="x"')?.[0]).toContain(
      'parameter name is not percent-encoded',
    )
    // Discogs' PLAINTEXT form: a literal & in oauth_signature, when asked for, and only there.
    expect(refused('OAuth oauth_signature="s&t"')?.[1]).toBe('oauth_signature')
    const discogs = { literalAmpersandInSignature: true }
    expect(parseAuthorizationHeader('OAuth oauth_signature="s&t%26u"', discogs)?.params).toEqual([
      ['oauth_signature', 's&t&u'],
    ])
    expect(refused('OAuth oauth_token="s&t"', discogs)?.[1]).toBe('oauth_token')
    expect(refused('OAuth oauth_signature="s&t="', discogs)?.[0]).toContain('"=" must be sent')
    // Escapes of unreserved characters are the characters themselves.
    expect(parseAuthorizationHeader('OAuth oauth_token="%41b%7E"')?.params).toEqual([
      ['oauth_token', 'Ab~'],
    ])
  })

  it('parseAuthorizationHeader reads realm as an RFC 2617 quoted-string', () => {
    expect(parseAuthorizationHeader('OAuth realm="a\\"b\\\\c 100%", a="x%20y"')).toEqual({
      realm: 'a"b\\c 100%',
      params: [['a', 'x y']],
    })
    expect(parseAuthorizationHeader('OAuth realm="a%20b"')?.realm).toBe('a%20b')
    // Only realm may carry quoted-pairs: other values are percent-encoded.
    expect(() => parseAuthorizationHeader('OAuth realm="a", b="c\\"d"')).toThrow(ParseError)
    expect(() => parseAuthorizationHeader('OAuth realm="a\\"')).toThrow(ParseError)
  })

  it('isLoopbackHost and escapeHtml', () => {
    for (const h of [
      'localhost',
      'LOCALHOST',
      'app.localhost',
      '127.0.0.1',
      '127.8.9.10',
      '[::1]',
      '::1',
      'localhost.',
    ]) {
      expect(isLoopbackHost(h), h).toBe(true)
    }
    for (const h of ['localhost.example', '128.0.0.1', '0.0.0.0', 'example.com', '[::2]']) {
      expect(isLoopbackHost(h), h).toBe(false)
    }
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    )
  })
})
