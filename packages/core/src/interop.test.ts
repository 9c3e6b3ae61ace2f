/**
 * Agreement with independent implementations, so that a shared
 * misreading of RFC 5849 cannot hide behind our own vectors.
 *
 * - `oauth-1.0a` (ddo/oauth-1.0a 2.2.6), with node:crypto as its hash
 *   function, on generated requests restricted to where it is right. It is
 *   WRONG (so generators stay clear of these) when: a query contains `+`
 *   (not decoded as a space) or an encoded name (names are not decoded); a
 *   raw query value contains `=` (split off); the same name is in the query
 *   and the body (one overwrites the other); the URL needs normalising
 *   (host case, default port, raw non-ASCII or space in the path, a
 *   fragment); the token is empty (sent anyway); and for body hashes (it
 *   HMACs the body instead of hashing it). Its nonce uses Math.random().
 * - `oauth` (node-oauth 0.10.2), on fixed requests: it turns repeated query
 *   names into `name[0]`, `name[1]` and has no SHA-512, so only fixed
 *   comparisons are made.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto'
import fc from 'fast-check'
import { OAuth as NodeOAuth } from 'oauth'
import OAuth1a from 'oauth-1.0a'
import { describe, expect, it } from 'vitest'
import { BACKENDS, useBackend } from '../test/backends.js'
import { percentEncode } from './encoding.js'
import { parseAuthorizationHeader, signRequest } from './sign.js'
import type { SignatureMethod } from './types.js'

const NODE_HASH = { 'HMAC-SHA1': 'sha1', 'HMAC-SHA256': 'sha256', 'HMAC-SHA512': 'sha512' } as const

function oauth1a(
  method: SignatureMethod,
  key: string,
  secret: string,
  nonce: string,
  timestamp: number,
) {
  const client = new OAuth1a({
    consumer: { key, secret },
    signature_method: method,
    ...(method === 'PLAINTEXT'
      ? {}
      : {
          hash_function: (base: string, signingKey: string) =>
            createHmac(NODE_HASH[method as keyof typeof NODE_HASH], signingKey)
              .update(base)
              .digest('base64'),
        }),
  })
  // Its nonce and timestamp are generated inside authorize(); pin them.
  const pinned = client as unknown as { getNonce: () => string; getTimeStamp: () => number }
  pinned.getNonce = () => nonce
  pinned.getTimeStamp = () => timestamp
  return client
}

const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/).filter((n) => !n.startsWith('oauth_'))
const value = fc.string({ unit: 'grapheme', maxLength: 12 })
const secret = fc.string({ unit: 'grapheme', maxLength: 16 })
const segment = fc.stringMatching(/^[A-Za-z0-9_~-]{1,8}$/)
const request = fc.record({
  host: fc.constantFrom('api.example.com', 'photos.example.net', 'localhost', 'a.b.c.example'),
  scheme: fc.constantFrom('http', 'https'),
  path: fc.array(segment, { maxLength: 4 }),
  params: fc.uniqueArray(fc.tuple(name, value), { selector: ([n]) => n, maxLength: 8 }),
  split: fc.nat(),
  consumerKey: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }),
  consumerSecret: secret,
  token: fc.option(
    fc.record({ key: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }), secret }),
    { nil: undefined },
  ),
  nonce: fc.stringMatching(/^[A-Za-z0-9]{1,32}$/),
  timestamp: fc.integer({ min: 0, max: 4_000_000_000 }),
  method: fc.constantFrom<SignatureMethod>('HMAC-SHA1', 'HMAC-SHA256', 'HMAC-SHA512', 'PLAINTEXT'),
  httpMethod: fc.constantFrom('GET', 'POST', 'put', 'DELETE'),
})

describe.each(BACKENDS)('agreement with oauth-1.0a, %s back end', (backend) => {
  useBackend(backend)

  it('same base string and signature on generated requests (property)', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        // Some parameters go in the query, the rest in a form body (names unique across both).
        const cut = r.params.length === 0 ? 0 : r.split % (r.params.length + 1)
        const query = r.params.slice(0, cut)
        const form = r.params.slice(cut)
        const hasBody = form.length > 0 && r.httpMethod.toUpperCase() !== 'GET'
        const queryString = query.map(([n, v]) => `${n}=${percentEncode(v)}`).join('&')
        const url = `${r.scheme}://${r.host}/${r.path.join('/')}${queryString ? `?${queryString}` : ''}`

        const ours = await signRequest(
          {
            method: r.httpMethod,
            url,
            ...(hasBody ? { body: new URLSearchParams(form) } : {}),
          },
          {
            clientId: r.consumerKey,
            clientSecret: r.consumerSecret,
            ...(r.token ? { token: r.token.key, tokenSecret: r.token.secret } : {}),
            signatureMethod: r.method,
          },
          { nonce: r.nonce, timestamp: r.timestamp },
        )

        const theirs = oauth1a(r.method, r.consumerKey, r.consumerSecret, r.nonce, r.timestamp)
        const requestData = {
          url,
          method: r.httpMethod,
          data: hasBody ? Object.fromEntries(form) : {},
        }
        const token = r.token ? { key: r.token.key, secret: r.token.secret } : undefined
        const authorized = theirs.authorize(requestData, token)
        const { oauth_signature: theirSignature, ...unsigned } = authorized
        expect(ours.baseString).toBe(theirs.getBaseString(requestData, unsigned as never))
        expect(ours.signature).toBe(theirSignature)

        // Their header parses to the same protocol parameters as ours.
        const theirHeader = new Map(
          parseAuthorizationHeader(theirs.toHeader(authorized).Authorization),
        )
        const ourHeader = new Map(parseAuthorizationHeader(ours.headers.get('authorization')!))
        expect(ourHeader).toEqual(theirHeader)
      }),
      { numRuns: 300 },
    )
  })
})

describe.each(BACKENDS)('fixed comparisons with node-oauth (`oauth`), %s back end', (backend) => {
  useBackend(backend)

  function nodeOAuth(
    key: string,
    secretOrKey: string,
    method: string,
    nonce: string,
    timestamp: string,
  ) {
    const client = new NodeOAuth('', '', key, secretOrKey, '1.0', null, method)
    const pinned = client as unknown as { _getNonce: () => string; _getTimestamp: () => string }
    pinned._getNonce = () => nonce
    pinned._getTimestamp = () => timestamp
    return client as unknown as {
      _prepareParameters(
        token: string | null,
        tokenSecret: string | null,
        method: string,
        url: string,
        extra?: Record<string, string>,
      ): [string, string][]
    }
  }

  it('the X/Twitter request: same signature as node-oauth _prepareParameters', async () => {
    const url = 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true'
    const status = 'Hello Ladies + Gentlemen, a signed OAuth request!'
    const theirs = nodeOAuth(
      'xvz1evFS4wEEPTGEFPHBog',
      'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
      'HMAC-SHA1',
      'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg',
      '1318622958',
    )._prepareParameters(
      '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
      'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
      'POST',
      url,
      { status },
    )
    const ours = await signRequest(
      { method: 'POST', url, body: new URLSearchParams({ status }) },
      {
        clientId: 'xvz1evFS4wEEPTGEFPHBog',
        clientSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
        token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
        tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
      },
      { nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg', timestamp: '1318622958' },
    )
    expect(new Map(theirs).get('oauth_signature')).toBe('hCtSmYh+iHYCEqBWrE7C7hYmtUk=')
    expect(ours.signature).toBe(new Map(theirs).get('oauth_signature'))
  })

  const cases: { method: string; url: string; extra: Record<string, string> }[] = [
    {
      method: 'GET',
      url: 'http://photos.example.net:80/photos?file=vacation.jpg&size=original',
      extra: {},
    },
    {
      method: 'POST',
      url: 'https://Api.Example.com:443/1/items.json?q=a+b%2Bc&empty=',
      extra: { note: "it's (*) ~ é 😀" },
    },
    { method: 'DELETE', url: 'https://api.example.com:8443/a/b%2Fc/', extra: {} },
  ]
  for (const signatureMethod of ['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT'] as const) {
    it.each(cases)(`${signatureMethod}: $method $url`, async ({ method, url, extra }) => {
      const theirs = nodeOAuth(
        'ck',
        'c&s',
        signatureMethod,
        'nonce123',
        '1700000000',
      )._prepareParameters('t k', 't/s', method, url, extra)
      const ours = await signRequest(
        { method, url, ...(Object.keys(extra).length ? { body: new URLSearchParams(extra) } : {}) },
        { clientId: 'ck', clientSecret: 'c&s', token: 't k', tokenSecret: 't/s', signatureMethod },
        { nonce: 'nonce123', timestamp: '1700000000' },
      )
      expect(ours.signature).toBe(new Map(theirs).get('oauth_signature'))
    })
  }

  it('RSA-SHA1: same signature as node-oauth with the private key as its consumer secret', async () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs1',
      format: 'pem',
    }) as string
    const url = 'https://api.example.com/r?x=1'
    const theirs = nodeOAuth('ck', pem, 'RSA-SHA1', 'n', '1700000000')._prepareParameters(
      null,
      null,
      'GET',
      url,
    )
    const ours = await signRequest(
      { method: 'GET', url },
      { clientId: 'ck', signatureMethod: 'RSA-SHA1', rsaKey: pem },
      { nonce: 'n', timestamp: '1700000000' },
    )
    expect(ours.signature).toBe(new Map(theirs).get('oauth_signature'))
  })
})
