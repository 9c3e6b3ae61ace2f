import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BACKENDS, useBackend } from '../test/backends.js'
import {
  CORE_A_5_1_BASE_STRING,
  RFC_1_2,
  RFC_3_1_PARAMS,
  RFC_3_1_SIGNATURE,
  RFC_3_4_1_1_BASE_STRING,
} from '../test/vectors.js'
import {
  baseStringUri,
  collectSignatureParameters,
  normalizeParameters,
  signatureBaseString,
} from './base-string.js'
import { computeSignature } from './crypto/index.js'
import { percentEncode } from './encoding.js'

describe('signatureBaseString: RFC 5849 §3.4.1.1 example (rfc5849-3.4.1-example)', () => {
  it('builds the base string byte for byte from the §3.1 request', () => {
    expect(signatureBaseString('POST', 'http://example.com/request', RFC_3_1_PARAMS)).toBe(
      RFC_3_4_1_1_BASE_STRING,
    )
  })

  it('collects the same parameters from the raw request of §3.1 (query, header, body)', () => {
    const params = collectSignatureParameters({
      url: 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b',
      authorization: [
        ['realm', 'Example'],
        ['oauth_consumer_key', '9djdj82h48djs9d2'],
        ['oauth_token', 'kkk9d7dh3k39sjv7'],
        ['oauth_signature_method', 'HMAC-SHA1'],
        ['oauth_timestamp', '137131201'],
        ['oauth_nonce', '7d8f3e4a'],
        ['oauth_signature', 'bYT5CMsGcbgUdFHObYMEfcx6bsw='],
      ],
      form: [
        ['c2', ''],
        ['a3', '2 q'],
      ],
    })
    expect(params).toEqual(RFC_3_1_PARAMS)
    expect(signatureBaseString('POST', 'http://example.com/request', params)).toBe(
      RFC_3_4_1_1_BASE_STRING,
    )
  })

  describe.each(BACKENDS)('signature, %s back end', (backend) => {
    useBackend(backend)
    it('is r6/TJjbC…, not the bYT5CMsG… printed in §3.1', async () => {
      // The RFC prints oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw=" in §3.1, but that
      // value is not the HMAC-SHA1 of its own §3.4.1.1 base string (RFC errata 2550):
      // with the client secret j49sk3j29djd and token secret dh893hdasih9 the HMAC is
      // r6/TJjbCOr97/+UU0NsvSne7s5g=, which independent implementations (openssl, Go,
      // node request/oauth-sign) reproduce. We test what is correct.
      const signature = await computeSignature(
        'HMAC-SHA1',
        RFC_3_4_1_1_BASE_STRING,
        RFC_3_1_SIGNATURE.secrets,
      )
      expect(signature).toBe(RFC_3_1_SIGNATURE.signature)
      expect(signature).not.toBe(RFC_3_1_SIGNATURE.printed)
    })
  })
})

describe.each(BACKENDS)('RFC 5849 §1.2 and OAuth Core 1.0 App. A, %s back end', (backend) => {
  useBackend(backend)
  const clientSecret = 'kd94hf93k423kf44'

  it.each(RFC_1_2)(
    '§1.2 $name',
    async ({ method, url, params, secrets, baseString, signature }) => {
      const base = signatureBaseString(method, url, params)
      if (baseString !== undefined) expect(base).toBe(baseString)
      expect(await computeSignature('HMAC-SHA1', base, secrets)).toBe(signature)
    },
  )

  it('§1.2 protected resource: the parameters collected from its query and header', () => {
    const params = collectSignatureParameters({
      url: 'http://photos.example.net/photos?file=vacation.jpg&size=original',
      authorization: [
        ['realm', 'Photos'],
        ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
        ['oauth_token', 'nnch734d00sl2jdk'],
        ['oauth_signature_method', 'HMAC-SHA1'],
        ['oauth_timestamp', '137131202'],
        ['oauth_nonce', 'chapoH'],
      ],
    })
    expect(params).toEqual(RFC_1_2[2]!.params)
  })

  it('Core 1.0 A.5.1 base string and A.5.2 signature tR3+Ty81lMeYAr/Fid0kMTYa/WM=', async () => {
    const base = signatureBaseString('GET', 'http://photos.example.net/photos', [
      ['file', 'vacation.jpg'],
      ['size', 'original'],
      ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
      ['oauth_token', 'nnch734d00sl2jdk'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '1191242096'],
      ['oauth_nonce', 'kllo9940pd9333jh'],
      ['oauth_version', '1.0'],
    ])
    expect(base).toBe(CORE_A_5_1_BASE_STRING)
    expect(
      await computeSignature('HMAC-SHA1', base, { clientSecret, tokenSecret: 'pfkkdhi9sl3r4s00' }),
    ).toBe('tR3+Ty81lMeYAr/Fid0kMTYa/WM=')
  })

  it('Core 1.0 A.2 / A.4 PLAINTEXT and RFC 5849 §2.1 PLAINTEXT: the key itself, & always present', async () => {
    expect(await computeSignature('PLAINTEXT', 'ignored', { clientSecret })).toBe(
      'kd94hf93k423kf44&',
    )
    expect(
      await computeSignature('PLAINTEXT', 'ignored', {
        clientSecret,
        tokenSecret: 'hdhd0244k9j7ao03',
      }),
    ).toBe('kd94hf93k423kf44&hdhd0244k9j7ao03')
    expect(await computeSignature('PLAINTEXT', '', { clientSecret: 'ja893SD9' })).toBe('ja893SD9&')
  })

  it('secrets are percent-encoded in the key (secrets-special, empty-client-secret)', async () => {
    expect(
      await computeSignature('PLAINTEXT', '', { clientSecret: 'a&b c', tokenSecret: 'é%' }),
    ).toBe('a%26b%20c&%C3%A9%25')
    expect(await computeSignature('PLAINTEXT', '', { tokenSecret: 'ts' })).toBe('&ts')
    expect(await computeSignature('PLAINTEXT', '', {})).toBe('&')
  })
})

describe('baseStringUri (RFC 5849 §3.4.1.2)', () => {
  it('the two examples of §3.4.1.2', () => {
    expect(baseStringUri('HTTP://EXAMPLE.COM:80/r%20v/X?id=123')).toBe('http://example.com/r%20v/X')
    expect(baseStringUri('https://www.example.net:8080/?q=1')).toBe('https://www.example.net:8080/')
  })

  it('drops only the scheme default port, keeps others (ports)', () => {
    expect(baseStringUri('http://example.com:80/a')).toBe('http://example.com/a')
    expect(baseStringUri('https://example.com:443/a')).toBe('https://example.com/a')
    expect(baseStringUri('https://example.com:80/a')).toBe('https://example.com:80/a')
    expect(baseStringUri('http://example.com:443/a')).toBe('http://example.com:443/a')
    expect(baseStringUri('http://example.com:8080/a')).toBe('http://example.com:8080/a')
  })

  it('lowercases scheme and host, never the path (case)', () => {
    expect(baseStringUri('HtTpS://Api.Example.COM/Path/To/Resource')).toBe(
      'https://api.example.com/Path/To/Resource',
    )
  })

  it('drops the query and the fragment; an empty path is / (fragments, empty paths)', () => {
    expect(baseStringUri('https://example.com/a?b=c#frag')).toBe('https://example.com/a')
    expect(baseStringUri('https://example.com')).toBe('https://example.com/')
    expect(baseStringUri('https://example.com?x=1')).toBe('https://example.com/')
    expect(baseStringUri('https://example.com#f')).toBe('https://example.com/')
  })

  it('keeps an encoded path as it is: %2F not decoded, %7E not normalised, lowercase hex kept (path-encoded*, path-lowercase-hex)', () => {
    expect(baseStringUri('https://example.com/a%2Fb/%7Euser/%c3%a9')).toBe(
      'https://example.com/a%2Fb/%7Euser/%c3%a9',
    )
  })

  it('converts a raw space or raw non-ASCII path to the form on the wire (raw-space-path, iri-raw-unicode-path)', () => {
    expect(baseStringUri('https://example.com/a b')).toBe('https://example.com/a%20b')
    expect(baseStringUri('https://example.com/café')).toBe('https://example.com/caf%C3%A9')
    // …which the base string then encodes again:
    expect(signatureBaseString('GET', 'https://example.com/café', [])).toBe(
      'GET&https%3A%2F%2Fexample.com%2Fcaf%25C3%25A9&',
    )
  })

  it('uses the Host header value when given (default port dropped, lowercased)', () => {
    expect(baseStringUri('http://127.0.0.1:3000/cb', 'Example.com')).toBe('http://example.com/cb')
    expect(baseStringUri('https://10.0.0.1/cb', 'api.example.com:443')).toBe(
      'https://api.example.com/cb',
    )
    expect(baseStringUri('https://10.0.0.1/cb', 'api.example.com:8443')).toBe(
      'https://api.example.com:8443/cb',
    )
  })

  it('keeps dot segments of a path given as a string: the server checks the path it was sent', () => {
    expect(baseStringUri('https://example.com/a/../b')).toBe('https://example.com/a/../b')
    expect(baseStringUri('https://example.com/a/./b')).toBe('https://example.com/a/./b')
    expect(baseStringUri('https://example.com/a/%2e%2E/b?x=1')).toBe(
      'https://example.com/a/%2e%2E/b',
    )
    expect(signatureBaseString('GET', 'http://h/api/echo/../me', [])).not.toBe(
      signatureBaseString('GET', 'http://h/api/me', []),
    )
    // A URL object has resolved them already, as fetch sends it.
    expect(baseStringUri(new URL('https://example.com/a/../b'))).toBe('https://example.com/b')
    // What a URL parser rewrites before anything is sent is taken as parsed.
    expect(baseStringUri('https://example.com\\a\\..\\b')).toBe('https://example.com/b')
  })

  it('takes the Host header as the request carried it: lowercased, the default port dropped, nothing rewritten', () => {
    expect(baseStringUri('http://127.0.0.1/cb', '2130706433')).toBe('http://2130706433/cb')
    expect(baseStringUri('http://127.0.0.1/cb', '0x7F.1:8080')).toBe('http://0x7f.1:8080/cb')
    expect(baseStringUri('http://127.0.0.1/cb', 'ex%61mple.com')).toBe('http://ex%61mple.com/cb')
    expect(baseStringUri('https://127.0.0.1/cb', '[::1]:443')).toBe('https://[::1]/cb')
    expect(baseStringUri('https://127.0.0.1/cb', '[::1]:8443')).toBe('https://[::1]:8443/cb')
    expect(baseStringUri('http://127.0.0.1/cb', 'example.com:')).toBe('http://example.com/cb')
    for (const bad of [
      'example.com:99999',
      'example.com:8x',
      'exa mple.com',
      'bücher.example',
      '[::1',
    ]) {
      expect(() => baseStringUri('http://127.0.0.1/cb', bad), bad).toThrow(
        new TypeError('host should be a host name with an optional port'),
      )
    }
  })

  it('punycodes an internationalised host, as fetch sends it', () => {
    expect(baseStringUri('https://bücher.example/')).toBe('https://xn--bcher-kva.example/')
  })

  it('rejects what is not an absolute http(s) URL, or a bad Host, with a TypeError naming it', () => {
    expect(() => baseStringUri('/relative')).toThrow(
      new TypeError('url should be an absolute http: or https: URL'),
    )
    expect(() => baseStringUri('ftp://example.com/')).toThrow(
      new TypeError('url should be an absolute http: or https: URL'),
    )
    expect(() => baseStringUri(42 as unknown as string)).toThrow(
      new TypeError('url should be a string or a URL'),
    )
    expect(() => baseStringUri('https://a.example/', 'evil.example/path')).toThrow(
      new TypeError('host should be a host name with an optional port'),
    )
    expect(() => baseStringUri('https://a.example/', '')).toThrow(TypeError)
    expect(() => baseStringUri('https://a.example/', 'user@host')).toThrow(TypeError)
  })
})

describe('normalizeParameters (RFC 5849 §3.4.1.3.2)', () => {
  it('decodes once, then encodes: b5=%3D%253D appears as b5%3D%253D%25253D (encoded-amp-eq)', () => {
    const params = collectSignatureParameters({ url: 'https://example.com/?b5=%3D%253D' })
    expect(params).toEqual([['b5', '=%3D']])
    expect(normalizeParameters(params)).toBe('b5=%3D%253D')
    expect(signatureBaseString('GET', 'https://example.com/', params)).toContain(
      'b5%3D%253D%25253D',
    )
  })

  it('a callback with %2F is encoded twice more in the base string', () => {
    const base = signatureBaseString('POST', 'https://example.com/initiate', [
      ['oauth_callback', 'https://client.example/cb?next=%2Fhome'],
    ])
    expect(base).toContain('next%253D%25252Fhome')
  })

  it('+ in a query is a space, %2B a plus (get-plus-and-space)', () => {
    const params = collectSignatureParameters({ url: 'https://example.com/?q=a+b%2Bc' })
    expect(normalizeParameters(params)).toBe('q=a%20b%2Bc')
  })

  it('refuses a query it cannot decode: %ZZ or %FF would sign as %25ZZ or U+FFFD', () => {
    for (const query of ['a=%ZZ', 'a=%FF', 'note=%', 'x%=1', 'a=%ED%A0%80']) {
      expect(
        () => collectSignatureParameters({ url: `https://example.com/?${query}` }),
        query,
      ).toThrow(
        new TypeError(
          'sources.url has a query with a malformed percent-escape or invalid UTF-8: answer the request 400',
        ),
      )
    }
    expect(collectSignatureParameters({ url: 'https://example.com/?a=%25ZZ' })).toEqual([
      ['a', '%ZZ'],
    ])
  })

  it('sorts by encoded name, then encoded value, in byte order (sort-encoded-vs-decoded)', () => {
    // "é" encodes to %C3%A9 and "%" (0x25) sorts before "Z" (0x5A): a%C3%A9 < aZ.
    expect(
      normalizeParameters([
        ['aZ', '1'],
        ['aé', '1'],
      ]),
    ).toBe('a%C3%A9=1&aZ=1')
    // Byte order, not numeric: 1 < 10 < 2.
    expect(
      normalizeParameters([
        ['n', '2'],
        ['n', '10'],
        ['n', '1'],
      ]),
    ).toBe('n=1&n=10&n=2')
    // Not localeCompare: uppercase before lowercase.
    expect(
      normalizeParameters([
        ['b', ''],
        ['B', ''],
        ['a', ''],
        ['A', ''],
      ]),
    ).toBe('A=&B=&a=&b=')
    // A name that is a prefix of another sorts first, whatever its value (name-encoding).
    expect(
      normalizeParameters([
        ['a-b', '1'],
        ['a', 'z'],
        ['a.', '0'],
      ]),
    ).toBe('a=z&a-b=1&a.=0')
    // Encoded names: "a b" → a%20b sorts before "a+b" → a%2Bb.
    expect(
      normalizeParameters([
        ['a+b', ''],
        ['a b', ''],
      ]),
    ).toBe('a%20b=&a%2Bb=')
  })

  it('keeps repeated names and empty values (get-repeated-names, get-empty-values, post-query-form-duplicates)', () => {
    const params = collectSignatureParameters({
      url: 'https://example.com/?a=1&a=1&e=&f',
      form: [['a', '1']],
    })
    expect(normalizeParameters(params)).toBe('a=1&a=1&a=1&e=&f=')
  })

  it('leaves out oauth_signature and, from the header only, realm (realm-basic, realm-url)', () => {
    const params = collectSignatureParameters({
      url: 'https://example.com/?realm=query-realm-is-signed',
      authorization: [
        ['realm', 'http://sp.example.com/'],
        ['oauth_signature', 'x'],
        ['oauth_nonce', 'n'],
      ],
    })
    expect(normalizeParameters(params)).toBe('oauth_nonce=n&realm=query-realm-is-signed')
    expect(
      normalizeParameters([
        ['oauth_signature', 'x'],
        ['a', ''],
      ]),
    ).toBe('a=')
  })

  it('is independent of input order and stable (property)', () => {
    const pair = fc.tuple(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }))
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 12 }), fc.nat(), (pairs, seed) => {
        const shuffled = [...pairs]
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = (seed + i * 7919) % (i + 1)
          ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
        }
        expect(normalizeParameters(shuffled)).toBe(normalizeParameters(pairs))
      }),
    )
  })

  it('equals encode-then-sort-by-(name, value) with a plain comparator (property)', () => {
    const pair = fc.tuple(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }))
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 12 }), (pairs) => {
        const encoded = pairs
          .filter(([n]) => n !== 'oauth_signature')
          .map(([n, v]) => [percentEncode(n), percentEncode(v)] as const)
        encoded.sort((x, y) =>
          x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0,
        )
        expect(normalizeParameters(pairs)).toBe(encoded.map(([n, v]) => `${n}=${v}`).join('&'))
      }),
    )
  })

  it('the base string has exactly two unencoded & and only unreserved/%XX elsewhere (property)', () => {
    const pair = fc.tuple(fc.string(), fc.string())
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 8 }), fc.webPath(), (pairs, path) => {
        const base = signatureBaseString('post', `https://example.com${path}`, pairs)
        expect(base.split('&')).toHaveLength(3)
        expect(base).toMatch(
          /^POST&(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})+&(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/,
        )
      }),
    )
  })
})

describe('signatureBaseString arguments', () => {
  it('uppercases the method (lowercase-method) and accepts custom methods (custom-method)', () => {
    expect(signatureBaseString('get', 'https://example.com/', [])).toBe(
      'GET&https%3A%2F%2Fexample.com%2F&',
    )
    expect(signatureBaseString('PROPFIND', 'https://example.com/', [])).toMatch(/^PROPFIND&/)
  })

  it('ignores the query of the URL argument: params is the complete list', () => {
    expect(signatureBaseString('GET', 'https://example.com/p?x=1#f', [['y', '2']])).toBe(
      'GET&https%3A%2F%2Fexample.com%2Fp&y%3D2',
    )
  })

  it('signs the Host header authority when given', () => {
    expect(
      signatureBaseString('GET', 'http://127.0.0.1:8080/r', [], { host: 'photos.example.net' }),
    ).toBe('GET&http%3A%2F%2Fphotos.example.net%2Fr&')
  })

  it('rejects a method that is not an HTTP token', () => {
    for (const method of ['', 'GE T', 'GET\r\n', 'GÉT']) {
      expect(() => signatureBaseString(method, 'https://example.com/', [])).toThrow(
        new TypeError('method should be an HTTP method token such as "GET"'),
      )
    }
  })
})
