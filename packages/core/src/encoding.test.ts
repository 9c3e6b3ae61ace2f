import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  formatParameters,
  formDecode,
  parseFormEncoded,
  percentDecode,
  percentEncode,
  reencodeFormComponent,
  tryPercentDecode,
} from './encoding.js'

/** String.prototype.isWellFormed (ES2024), which the ES2023 lib does not declare. */
const isWellFormed = (s: string): boolean =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)

describe('percentEncode (RFC 5849 §3.6)', () => {
  it('encodes the sub-delims encodeURIComponent leaves, space as %20, plus, UTF-8 and emoji', () => {
    expect(percentEncode("!*'()~ +é😀")).toBe('%21%2A%27%28%29~%20%2B%C3%A9%F0%9F%98%80')
  })

  it('leaves exactly the unreserved characters alone', () => {
    const unreserved = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~'
    expect(percentEncode(unreserved)).toBe(unreserved)
    for (let code = 0; code < 128; code++) {
      const c = String.fromCharCode(code)
      if (unreserved.includes(c)) continue
      expect(percentEncode(c)).toBe(`%${code.toString(16).toUpperCase().padStart(2, '0')}`)
    }
  })

  it('encodes reserved characters and an existing escape again', () => {
    expect(percentEncode(':/?#[]@&=$,;')).toBe('%3A%2F%3F%23%5B%5D%40%26%3D%24%2C%3B')
    expect(percentEncode('%3D')).toBe('%253D')
    expect(percentEncode('%c3%a9')).toBe('%25c3%25a9')
  })

  it('encodes RFC 5849 §3.4.1.3.2 values', () => {
    expect(percentEncode('=%3D')).toBe('%3D%253D')
    expect(percentEncode('c@')).toBe('c%40')
    expect(percentEncode('r b')).toBe('r%20b')
    expect(percentEncode('2 q')).toBe('2%20q')
    expect(percentEncode('')).toBe('')
  })

  it('encodes a lone surrogate as U+FFFD instead of throwing', () => {
    expect(percentEncode('a\uD800b')).toBe('a%EF%BF%BDb')
    expect(percentEncode('\uDC00')).toBe('%EF%BF%BD')
  })

  it('outputs only unreserved characters and uppercase %XX (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(percentEncode(s)).toMatch(/^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/)
      }),
    )
  })
})

describe('percentDecode', () => {
  it('decodes UTF-8 escapes, lowercase hex too, and keeps + as a plus', () => {
    expect(percentDecode('%C3%A9+%2B%2b')).toBe('é+++')
    expect(percentDecode('%c3%a9')).toBe('é')
    expect(percentDecode('plain')).toBe('plain')
  })

  it('is lenient like URLSearchParams: malformed % kept, bad UTF-8 → U+FFFD', () => {
    expect(percentDecode('100%')).toBe('100%')
    expect(percentDecode('%G1%41')).toBe('%G1A')
    expect(percentDecode('%FF')).toBe('\uFFFD')
    expect(percentDecode('%E2%82')).toBe('\uFFFD')
    expect(percentDecode('é%41')).toBe('éA')
  })

  it('tryPercentDecode returns null for malformed escapes or invalid UTF-8', () => {
    expect(tryPercentDecode('%E2%82%AC')).toBe('€')
    expect(tryPercentDecode('%E2%82')).toBeNull()
    expect(tryPercentDecode('%')).toBeNull()
    expect(tryPercentDecode('%4')).toBeNull()
    expect(tryPercentDecode('%ZZ')).toBeNull()
    expect(tryPercentDecode('%C0%AF')).toBeNull() // overlong UTF-8
  })

  it('round-trips percentEncode for every well-formed string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(percentDecode(percentEncode(s))).toBe(s)
        expect(tryPercentDecode(percentEncode(s))).toBe(s)
      }),
    )
  })

  it('decodes like URLSearchParams on arbitrary input, lenient mode (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        fc.pre(isWellFormed(s))
        const value = s.replace(/[+&=]/g, (c) => percentEncode(c))
        expect(percentDecode(value)).toBe(new URLSearchParams(`x=${value}`).get('x'))
      }),
    )
  })
})

describe('parseFormEncoded (RFC 5849 §3.4.1.3.1, application/x-www-form-urlencoded)', () => {
  it('keeps order, repeated names and empty values; c2 without = reads as c2=', () => {
    expect(parseFormEncoded('c2&a3=2+q')).toEqual([
      ['c2', ''],
      ['a3', '2 q'],
    ])
    expect(parseFormEncoded('b5=%3D%253D&a3=a&c%40=&a2=r%20b')).toEqual([
      ['b5', '=%3D'],
      ['a3', 'a'],
      ['c@', ''],
      ['a2', 'r b'],
    ])
    expect(parseFormEncoded('a=1&a=1&a=')).toEqual([
      ['a', '1'],
      ['a', '1'],
      ['a', ''],
    ])
  })

  it('decodes + as a space and %2B as a plus (get-plus-and-space)', () => {
    expect(parseFormEncoded('q=a+b%2Bc%20d')).toEqual([['q', 'a b+c d']])
  })

  it('splits at the first = only and skips empty segments', () => {
    expect(parseFormEncoded('a==b=&&c=1&')).toEqual([
      ['a', '=b='],
      ['c', '1'],
    ])
    expect(parseFormEncoded('')).toEqual([])
    expect(parseFormEncoded('&')).toEqual([])
    expect(parseFormEncoded('=v')).toEqual([['', 'v']])
  })

  it('agrees with URLSearchParams on any input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        fc.pre(isWellFormed(s))
        expect(parseFormEncoded(s)).toEqual([...new URLSearchParams(s)])
      }),
    )
  })

  it('strict mode gives null for malformed input and pairs otherwise', () => {
    expect(parseFormEncoded('a=%E2%82', { strict: true })).toBeNull()
    expect(parseFormEncoded('a%=1', { strict: true })).toBeNull()
    expect(parseFormEncoded('a=%E2%82%AC+x', { strict: true })).toEqual([['a', '€ x']])
  })

  it('round-trips formatParameters (property)', () => {
    const pair = fc.tuple(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }))
    fc.assert(
      fc.property(
        fc.array(
          pair.filter(([n]) => n !== ''),
          { maxLength: 8 },
        ),
        (pairs) => {
          expect(parseFormEncoded(formatParameters(pairs))).toEqual(pairs)
        },
      ),
    )
  })
})

describe('formatParameters', () => {
  it('percent-encodes names and values, so + in a signature is %2B', () => {
    expect(
      formatParameters([
        ['oauth_signature', 'a+b/c='],
        ['q', 'x y'],
      ]),
    ).toBe('oauth_signature=a%2Bb%2Fc%3D&q=x%20y')
    expect(formatParameters([])).toBe('')
  })
})

describe('reencodeFormComponent (internal fast path)', () => {
  it('equals percentEncode(form-decode(raw)) on any input (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({
            unit: fc.constantFrom(
              '%',
              '2',
              '0',
              'A',
              'a',
              'F',
              '4',
              '1',
              '7',
              'E',
              'C',
              '3',
              '+',
              '~',
              '9',
            ),
          }),
          fc.string({ unit: 'grapheme' }).map(percentEncode),
        ),
        (raw) => {
          fc.pre(isWellFormed(raw))
          expect(reencodeFormComponent(raw)).toBe(percentEncode(formDecode(raw)))
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('keeps a canonical value as it is and re-encodes the rest', () => {
    expect(reencodeFormComponent('Hello%20Ladies%20%2B%20Gentlemen%21')).toBe(
      'Hello%20Ladies%20%2B%20Gentlemen%21',
    )
    expect(reencodeFormComponent('%41')).toBe('A')
    expect(reencodeFormComponent('%2b')).toBe('%2B')
    expect(reencodeFormComponent('a+b')).toBe('a%20b')
    expect(reencodeFormComponent('%C3%A9')).toBe('%C3%A9')
    expect(reencodeFormComponent('%C3')).toBe('%EF%BF%BD')
  })
})
