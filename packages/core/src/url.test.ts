import { describe, expect, it, vi } from 'vitest'
import {
  checkRelativeCallback,
  firstHeaderValue,
  isPathCallback,
  requestOriginFrom,
  requestTargetQuery,
  resolveCallbackUri,
  resolveRequestCallback,
} from './url.js'

describe('resolveCallbackUri: one rule for relative callbacks', () => {
  it('passes oob and absolute URIs untouched, without reading the base', () => {
    const base = vi.fn(() => 'https://app.example/')
    for (const uri of ['oob', 'https://other.example/cb?x=%2F', 'myapp://callback', 'myapp:cb']) {
      expect(resolveCallbackUri(uri, base)).toBe(uri)
    }
    expect(base).not.toHaveBeenCalled()
  })

  it.each([
    ['/authorize', 'https://app.example/authorize'],
    // against the origin, not the current path: with or without a leading slash
    ['authorize', 'https://app.example/authorize'],
    ['auth/callback?x=1', 'https://app.example/auth/callback?x=1'],
    ['/authorize?next=%2Fhome', 'https://app.example/authorize?next=%2Fhome'],
    ['/a/b/', 'https://app.example/a/b/'],
    ['/café', 'https://app.example/caf%C3%A9'],
    ['/caf%C3%A9', 'https://app.example/caf%C3%A9'],
    ['/cb?next=/a?b', 'https://app.example/cb?next=/a?b'],
    ['/..a/b.', 'https://app.example/..a/b.'],
  ])('%j from /auth/login?x=1 → %s, as new URL(path, origin) gives', (uri, expected) => {
    expect(resolveCallbackUri(uri, 'https://app.example/auth/login?x=1')).toBe(expected)
    expect(resolveCallbackUri(uri, () => new URL('https://app.example'))).toBe(expected)
    expect(expected).toBe(new URL(uri, 'https://app.example').href)
  })

  it('keeps the port and scheme of the base, and resolves the base lazily once', () => {
    const base = vi.fn(() => 'http://[::1]:8080/deep/page')
    expect(resolveCallbackUri('cb', base)).toBe('http://[::1]:8080/cb')
    expect(base).toHaveBeenCalledTimes(1)
  })

  const NETWORK_PATH =
    'redirectUri should be an absolute URL, "oob", or a path such as "/authorize" (not //host)'
  it.each([
    [
      '',
      'redirectUri should not be empty: give an absolute URL, "oob", or a path such as "/authorize"',
    ],
    ['//evil.example/cb', NETWORK_PATH],
    ['/\\evil.example/cb', NETWORK_PATH],
    ['\\\\evil.example', NETWORK_PATH],
    ['\\/evil.example', NETWORK_PATH],
    [
      ' /cb',
      'redirectUri " /cb" holds whitespace or a control character: percent-encode it (a space is %20)',
    ],
    [
      '/cb ',
      'redirectUri "/cb " holds whitespace or a control character: percent-encode it (a space is %20)',
    ],
    [
      '/c b',
      'redirectUri "/c b" holds whitespace or a control character: percent-encode it (a space is %20)',
    ],
    [
      '/c\tb',
      'redirectUri "/c\\tb" holds whitespace or a control character: percent-encode it (a space is %20)',
    ],
    [
      '/c\nb',
      'redirectUri "/c\\nb" holds whitespace or a control character: percent-encode it (a space is %20)',
    ],
    [
      '/cb\u0000',
      'redirectUri "/cb\\u0000" holds whitespace or a control character: percent-encode it (a space is %20)',
    ],
    [
      '/cb\u007f',
      'redirectUri "/cb\u007f" holds whitespace or a control character: percent-encode it (a space is %20)',
    ],
    ['\\cb', 'redirectUri "\\\\cb" holds a backslash, which URL parsers read as "/": write "/"'],
    ['/a\\b', 'redirectUri "/a\\\\b" holds a backslash, which URL parsers read as "/": write "/"'],
    [
      '?next=1',
      'redirectUri "?next=1" is only a query or a fragment: give the path too, such as "/authorize?next=1"',
    ],
    [
      '#top',
      'redirectUri "#top" is only a query or a fragment: give the path too, such as "/authorize?next=1"',
    ],
    ['/cb#top', 'redirectUri "/cb#top" has a fragment, which browsers never send to the server'],
    [
      '.',
      'redirectUri "." has a "." or ".." segment: write the path it means, such as "/authorize"',
    ],
    [
      '..',
      'redirectUri ".." has a "." or ".." segment: write the path it means, such as "/authorize"',
    ],
    [
      './cb',
      'redirectUri "./cb" has a "." or ".." segment: write the path it means, such as "/authorize"',
    ],
    [
      '../cb',
      'redirectUri "../cb" has a "." or ".." segment: write the path it means, such as "/authorize"',
    ],
    [
      '/a/../cb',
      'redirectUri "/a/../cb" has a "." or ".." segment: write the path it means, such as "/authorize"',
    ],
    [
      '/a/./cb',
      'redirectUri "/a/./cb" has a "." or ".." segment: write the path it means, such as "/authorize"',
    ],
    [
      '/a/..',
      'redirectUri "/a/.." has a "." or ".." segment: write the path it means, such as "/authorize"',
    ],
    [
      '/%2e%2e/cb',
      'redirectUri "/%2e%2e/cb" has a "." or ".." segment: write the path it means, such as "/authorize"',
    ],
    [
      '/.%2E/cb',
      'redirectUri "/.%2E/cb" has a "." or ".." segment: write the path it means, such as "/authorize"',
    ],
    [
      '/%2E?x',
      'redirectUri "/%2E?x" has a "." or ".." segment: write the path it means, such as "/authorize"',
    ],
    [
      '1a:cb',
      'redirectUri "1a:cb" has a ":" in its first segment, which reads as a scheme: start it with "/"',
    ],
  ])('refuses %j with a TypeError naming the problem', (uri, message) => {
    const base = vi.fn(() => 'https://app.example/')
    expect(() => resolveCallbackUri(uri, base)).toThrow(new TypeError(message))
    expect(() => checkRelativeCallback(uri)).toThrow(new TypeError(message))
    expect(base).not.toHaveBeenCalled()
  })

  it('shows at most 64 characters of a long value, and names the option given', () => {
    expect(() => checkRelativeCallback(`/${'a'.repeat(100)} `)).toThrow(
      new TypeError(
        `redirectUri "/${'a'.repeat(63)}…" holds whitespace or a control character: percent-encode it (a space is %20)`,
      ),
    )
    expect(() => checkRelativeCallback('../x', 'TWITTER_REDIRECT_URI')).toThrow(
      /^TWITTER_REDIRECT_URI "..\/x"/,
    )
  })

  it('refuses a value that is not a string, and a base that is not http(s)', () => {
    for (const value of [42, null, undefined, {}]) {
      expect(() => resolveCallbackUri(value as never, 'https://app.example/')).toThrow(
        new TypeError('redirectUri should be a string: an absolute URL, "oob", or a path'),
      )
    }
    expect(() => resolveCallbackUri('/cb', 'file:///tmp/x')).toThrow(
      new TypeError('base should be the http(s) URL of the request'),
    )
  })
})

describe("resolveRequestCallback: the adapters' use of the rule", () => {
  class BadRequest extends Error {}
  const badRequest = (problem: string): never => {
    throw new BadRequest(problem)
  }
  const HOST_PROBLEM =
    'cannot resolve the relative redirectUri: the request has no valid Host header'
  const PROTOCOL_PROBLEM =
    "cannot resolve the relative redirectUri: the request's protocol (X-Forwarded-Proto behind a trusted proxy) should be http or https"

  it('resolves a relative callback against the protocol and Host the request gives', () => {
    const at = (protocol: string, host: string) => () => ({ protocol, host })
    expect(resolveRequestCallback('/authorize', at('https', 'app.example'), badRequest)).toBe(
      'https://app.example/authorize',
    )
    expect(resolveRequestCallback('cb?next=%2F', at('HTTP:', '[::1]:8080'), badRequest)).toBe(
      'http://[::1]:8080/cb?next=%2F',
    )
  })

  it('reads the request only for a relative callback', () => {
    const request = vi.fn(() => ({ protocol: 'ftp', host: 'not a host' }))
    expect(resolveRequestCallback('oob', request, badRequest)).toBe('oob')
    expect(resolveRequestCallback('https://other.example/cb', request, badRequest)).toBe(
      'https://other.example/cb',
    )
    expect(request).not.toHaveBeenCalled()
  })

  it('refuses a callback the rule refuses with a TypeError, before reading the request', () => {
    const request = vi.fn(() => ({ protocol: 'https', host: 'app.example' }))
    expect(() => resolveRequestCallback('//evil.example/cb', request, badRequest)).toThrow(
      new TypeError(
        'redirectUri should be an absolute URL, "oob", or a path such as "/authorize" (not //host)',
      ),
    )
    expect(() => resolveRequestCallback(42 as never, request, badRequest)).toThrow(TypeError)
    expect(request).not.toHaveBeenCalled()
  })

  it.each(['javascript', 'ftp', '', 'https://', 'wss'])(
    'calls badRequest for the protocol %j',
    (protocol) => {
      expect(() =>
        resolveRequestCallback('/cb', () => ({ protocol, host: 'app.example' }), badRequest),
      ).toThrow(new BadRequest(PROTOCOL_PROBLEM))
    },
  )

  it.each(['', 'evil.example/path', 'user@evil.example', 'a b', 'app.example:99999'])(
    'calls badRequest for the Host %j',
    (host) => {
      expect(() =>
        resolveRequestCallback('/cb', () => ({ protocol: 'https', host }), badRequest),
      ).toThrow(new BadRequest(HOST_PROBLEM))
    },
  )

  it('calls badRequest for a protocol or Host that is not a string (a framework quirk)', () => {
    const odd = [
      { protocol: undefined, host: 'app.example' },
      { protocol: 'https', host: undefined },
    ] as unknown as { protocol: string; host: string }[]
    expect(() => resolveRequestCallback('/cb', () => odd[0]!, badRequest)).toThrow(
      new BadRequest(PROTOCOL_PROBLEM),
    )
    expect(() => resolveRequestCallback('/cb', () => odd[1]!, badRequest)).toThrow(
      new BadRequest(HOST_PROBLEM),
    )
  })
})

describe('isPathCallback', () => {
  it('is true for any relative reference, false for oob and absolute URIs', () => {
    for (const uri of ['/authorize', 'authorize', '//evil.example', '../x', '?q', ''])
      expect(isPathCallback(uri), uri).toBe(true)
    for (const uri of ['oob', 'https://app.example/cb', 'myapp:cb'])
      expect(isPathCallback(uri), uri).toBe(false)
  })
})

const LONGEST_NAME = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`

describe('requestOriginFrom', () => {
  it.each([
    ['https', 'app.example', 'https://app.example'],
    ['HTTPS', 'App.Example:443', 'https://app.example'],
    ['http:', 'app.example:8080', 'http://app.example:8080'],
    ['http', '127.0.0.1:3000', 'http://127.0.0.1:3000'],
    ['http', '[::1]:8080', 'http://[::1]:8080'],
    ['http', 'web_app:3000', 'http://web_app:3000'],
    ['http', 'localhost.', 'http://localhost.'],
    // The longest DNS name (253 characters), its final dot and a port.
    ['http', `${LONGEST_NAME}.:65535`, `http://${LONGEST_NAME}.:65535`],
  ])('%s + %s → %s', (protocol, host, origin) => {
    expect(requestOriginFrom(protocol, host)).toBe(origin)
  })

  it.each([
    ['http', ''],
    ['http', 'evil.example/path'],
    ['http', 'user@evil.example'],
    ['http', 'evil.example:99999'],
    ['http', 'evil.example:99999999'],
    ['http', 'a b'],
    ['http', 'evil.example#x'],
    ['http', 'evil.example?x'],
    ['http', 'evil.example\\x'],
    ['http', 'café.example'],
    ['http', '[not-ipv6]'],
    // Longer than any DNS name with its port (it would make the callback, and the session, huge).
    ['http', `a${LONGEST_NAME}.:65535`],
    ['http', `${'a.'.repeat(2_000)}example`],
    ['javascript', 'app.example'],
    ['ftp', 'app.example'],
    ['', 'app.example'],
  ])('%j + %j → undefined', (protocol, host) => {
    expect(requestOriginFrom(protocol, host)).toBeUndefined()
  })
})

describe('the answers kept for the next login (small caches)', () => {
  it('answer each origin and callback for itself, asked alternately and again', () => {
    for (let round = 0; round < 3; round++) {
      expect(requestOriginFrom('https', 'a.example')).toBe('https://a.example')
      expect(requestOriginFrom('HTTP', 'a.example')).toBe('http://a.example')
      expect(requestOriginFrom('https', 'evil.example/x')).toBeUndefined()
      expect(resolveCallbackUri('/authorize', 'https://a.example/login')).toBe(
        'https://a.example/authorize',
      )
      expect(resolveCallbackUri('/authorize', 'https://b.example/login')).toBe(
        'https://b.example/authorize',
      )
      expect(resolveCallbackUri('cb?x=1', 'https://a.example/')).toBe('https://a.example/cb?x=1')
      expect(() => resolveCallbackUri('//evil.example/cb', 'https://a.example/')).toThrow(TypeError)
      expect(() => checkRelativeCallback('../cb', 'options.redirectUri')).toThrow(
        /options\.redirectUri/,
      )
    }
  })

  it('still refuse a base that is not http(s) after the same callback was resolved', () => {
    expect(resolveCallbackUri('/authorize', 'https://a.example/')).toBe(
      'https://a.example/authorize',
    )
    expect(() => resolveCallbackUri('/authorize', 'ftp://a.example/')).toThrow(TypeError)
  })
})

describe('firstHeaderValue', () => {
  it('is the first comma-separated value, trimmed, or undefined', () => {
    expect(firstHeaderValue('https, http')).toBe('https')
    expect(firstHeaderValue(' app.example ')).toBe('app.example')
    for (const none of [undefined, null, '', ' ', ', x'])
      expect(firstHeaderValue(none)).toBeUndefined()
  })
})

describe('requestTargetQuery', () => {
  it('is the raw query of a request target, duplicates and odd encodings kept', () => {
    expect(requestTargetQuery('/cb?oauth_token=a&oauth_token=b&x=%zz&y=a+b&z[a]=1')).toBe(
      'oauth_token=a&oauth_token=b&x=%zz&y=a+b&z[a]=1',
    )
    expect(requestTargetQuery('/cb?a=1#frag')).toBe('a=1')
    expect(requestTargetQuery('/cb?a=?b')).toBe('a=?b')
    for (const none of ['/cb', '/cb?', '', '/cb#x?y']) expect(requestTargetQuery(none)).toBe('')
  })
})
