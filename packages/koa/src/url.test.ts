import { describe, expect, it } from 'vitest'
import { type OriginSource, resolveRedirectUri } from './url.js'

class Thrown extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

const ctx = (protocol: string, host: string): OriginSource => ({
  protocol,
  host,
  throw(status: number, message: string): never {
    throw new Thrown(status, message)
  },
})

describe('resolveRedirectUri', () => {
  it('refuses a protocol-relative callback, which would leave the origin', () => {
    for (const uri of ['//evil.example/cb', '/\\evil.example/cb']) {
      expect(() => resolveRedirectUri(ctx('https', 'app.example'), uri)).toThrow(
        new TypeError(
          'redirectUri should be an absolute URL, "oob", or a path such as "/authorize" (not //host)',
        ),
      )
    }
  })

  it('passes absolute URLs and oob through untouched', () => {
    const c = ctx('http', 'app.example')
    expect(resolveRedirectUri(c, 'oob')).toBe('oob')
    expect(resolveRedirectUri(c, 'https://other.example/cb?x=%2F')).toBe(
      'https://other.example/cb?x=%2F',
    )
    expect(resolveRedirectUri(c, 'myapp:callback')).toBe('myapp:callback')
  })

  it('resolves relative callbacks against protocol://host', () => {
    expect(resolveRedirectUri(ctx('https', 'app.example'), '/authorize')).toBe(
      'https://app.example/authorize',
    )
    expect(resolveRedirectUri(ctx('http', '127.0.0.1:3000'), '/cb?next=%2Fhome')).toBe(
      'http://127.0.0.1:3000/cb?next=%2Fhome',
    )
    expect(resolveRedirectUri(ctx('http', '[::1]:8080'), 'authorize')).toBe(
      'http://[::1]:8080/authorize',
    )
    expect(resolveRedirectUri(ctx('http', 'web_app:3000'), '/cb')).toBe('http://web_app:3000/cb')
    expect(resolveRedirectUri(ctx('http', 'localhost.'), '/cb')).toBe('http://localhost./cb')
    // a proxy that shouts
    expect(resolveRedirectUri(ctx('HTTPS', 'app.example'), '/cb')).toBe('https://app.example/cb')
  })

  it.each([
    ['', 'empty'],
    ['evil.example/path', 'a path'],
    ['user@evil.example', 'userinfo'],
    ['evil.example:99999999', 'a long port'],
    ['a b', 'a space'],
    ['evil.example#x', 'a fragment'],
    ['evil.example\\x', 'a backslash'],
  ])('answers 400 for the Host %j (%s)', (host) => {
    expect(() => resolveRedirectUri(ctx('http', host), '/cb')).toThrow(
      new Thrown(
        400,
        '@oauth1/koa: cannot resolve the relative redirectUri: the request has no valid Host header',
      ),
    )
  })

  it.each(['javascript', 'ftp', '', 'wss'])('answers 400 for the protocol %j', (protocol) => {
    expect(() => resolveRedirectUri(ctx(protocol, 'app.example'), '/cb')).toThrow(
      new Thrown(
        400,
        "@oauth1/koa: cannot resolve the relative redirectUri: the request's protocol (X-Forwarded-Proto behind a trusted proxy) should be http or https",
      ),
    )
  })
})
