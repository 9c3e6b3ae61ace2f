import type { FastifyRequest } from 'fastify'
import { describe, expect, it } from 'vitest'
import { BadRequestError, rawQuery, resolveRedirectUri } from './url.js'

const request = (host: string, protocol = 'http', url = '/') =>
  ({ host, protocol, url }) as unknown as FastifyRequest

describe('resolveRedirectUri', () => {
  it.each([
    ['/authorize', 'app.example', 'https', 'https://app.example/authorize'],
    [
      '/authorize?next=%2Fhome',
      'localhost:3000',
      'http',
      'http://localhost:3000/authorize?next=%2Fhome',
    ],
    ['authorize', 'app.example', 'https', 'https://app.example/authorize'],
    ['/cb', '[::1]:8080', 'http', 'http://[::1]:8080/cb'],
    ['/cb', 'APP.Example:443', 'https', 'https://app.example/cb'],
    ['/caf%C3%A9%20x', 'app.example', 'https', 'https://app.example/caf%C3%A9%20x'],
    ['auth/callback', 'app.example', 'https', 'https://app.example/auth/callback'],
  ])('resolves %s against %s (%s)', (uri, host, protocol, expected) => {
    expect(resolveRedirectUri(request(host, protocol), uri)).toBe(expected)
  })

  it('keeps absolute URLs and oob as they are', () => {
    const req = request('app.example')
    expect(resolveRedirectUri(req, 'oob')).toBe('oob')
    expect(resolveRedirectUri(req, 'https://other.example/cb?x=1')).toBe(
      'https://other.example/cb?x=1',
    )
  })

  it('refuses a protocol-relative redirectUri, which would leave the origin', () => {
    for (const uri of ['//evil.example/cb', '\\\\evil.example/cb', '/\\evil.example/cb']) {
      expect(() => resolveRedirectUri(request('app.example'), uri)).toThrow(
        new TypeError(
          'redirectUri should be an absolute URL, "oob", or a path such as "/authorize" (not //host)',
        ),
      )
    }
  })

  it.each(['', 'bad host', 'evil.example/path', 'user@evil.example', 'a?b', 'a#b', 'a\\b', '[::1'])(
    'answers 400 for the Host %j',
    (host) => {
      const error = (() => {
        try {
          resolveRedirectUri(request(host), '/authorize')
        } catch (caught) {
          return caught
        }
      })()
      expect(error).toBeInstanceOf(BadRequestError)
      expect(error).toMatchObject({
        statusCode: 400,
        message:
          '@oauth1/fastify: cannot resolve the relative redirectUri: the request has no valid Host header',
      })
    },
  )
  it.each(['javascript', 'ftp', ''])('answers 400 for the protocol %j', (protocol) => {
    expect(() => resolveRedirectUri(request('app.example', protocol), '/authorize')).toThrow(
      new BadRequestError(
        "@oauth1/fastify: cannot resolve the relative redirectUri: the request's protocol (X-Forwarded-Proto behind a trusted proxy) should be http or https",
      ),
    )
  })
})

describe('rawQuery', () => {
  it.each([
    ['/authorize', ''],
    ['/authorize?', ''],
    ['/authorize?oauth_token=a%2Bb&oauth_verifier=v+w', 'oauth_token=a%2Bb&oauth_verifier=v+w'],
    ['/authorize?a=1#fragment', 'a=1'],
    ['/authorize?a=?b', 'a=?b'],
  ])('reads %s raw', (url, expected) => {
    expect(rawQuery(request('app.example', 'http', url))).toBe(expected)
  })
})
