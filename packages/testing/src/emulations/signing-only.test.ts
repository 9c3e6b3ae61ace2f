/**
 * The signing-only emulations (no token endpoints): signed API calls with
 * `@oauth1/core`'s OAuth1Client, their refusals, and their payloads.
 */
import { OAuth1Client, signRequest } from '@oauth1/core'
import { afterEach, describe, expect, it } from 'vitest'
import { plain, type SignedCall, signed } from '../emulation-test-helpers.js'
import { createTestProvider, type TestProvider } from '../index.js'
import { sendRaw } from '../test-helpers.js'

let running: TestProvider[] = []
afterEach(async () => {
  await Promise.all(running.map((p) => p.close()))
  running = []
})

async function start(
  emulate: 'woocommerce' | 'mastercard' | 'bricklink' | undefined,
  options: { now?: () => number } = {},
) {
  const p = await createTestProvider({ ...(emulate === undefined ? {} : { emulate }), ...options })
  running.push(p)
  return p
}

describe('woocommerce', () => {
  it('one-legged calls from OAuth1Client in every placement, HMAC-SHA1 and HMAC-SHA256', async () => {
    const p = await start('woocommerce')
    expect(p.requestTokenUrl).toBe('')
    for (const signatureType of ['header', 'query'] as const) {
      for (const signatureMethod of ['HMAC-SHA1', 'HMAC-SHA256'] as const) {
        const client = new OAuth1Client({
          clientId: p.client.id,
          clientSecret: p.client.secret,
          signatureType,
          signatureMethod,
        })
        const res = await client.request('GET', `${p.apiBaseUrl}products?per_page=1`, {
          token: null,
        })
        expect(res.status).toBe(200)
        expect(res.headers.get('x-wp-total')).toBe('2')
        expect(await res.json()).toEqual([
          expect.objectContaining({ id: 794, name: 'Premium Quality', price: '21.99' }),
        ])
        expect(p.lastRequest!.oauthSource).toBe(signatureType)
      }
    }
    const body = new OAuth1Client({
      clientId: p.client.id,
      clientSecret: p.client.secret,
      signatureType: 'body',
    })
    const created = await body.request('POST', `${p.apiBaseUrl}products`, {
      token: null,
      body: { name: 'Brick Mug' },
    })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({ id: 796, name: 'Brick Mug', slug: 'brick-mug' })
    expect(p.lastRequest!.oauthSource).toBe('body')
    const json = new OAuth1Client({ clientId: p.client.id, clientSecret: p.client.secret })
    const viaJson = await json.request('POST', `${p.apiBaseUrl}products`, {
      token: null,
      body: JSON.stringify({ name: 'Plate' }),
      headers: { 'content-type': 'application/json' },
    })
    expect(await viaJson.json()).toMatchObject({ name: 'Plate' })
    const one = await json.request('GET', `${p.apiBaseUrl}products/795`, { token: null })
    expect(await one.json()).toMatchObject({ id: 795, sku: 'SYI-1' })
    const orders = await json.request('GET', `${p.apiBaseUrl}orders`, { token: null })
    expect(await orders.json()).toEqual([
      expect.objectContaining({ id: 727, status: 'processing' }),
    ])
  })

  it('a nonce is the key’s for 15 minutes, whatever the timestamp [W1]', async () => {
    let clock = Date.UTC(2026, 5, 1, 12)
    const p = await start('woocommerce', { now: () => clock })
    const url = `${p.apiBaseUrl}products`
    const call = (nonce: string, offset = 0) =>
      signed({ method: 'GET', url, nonce, timestamp: Math.floor(clock / 1000) + offset })
    expect((await call('shared-nonce')).status).toBe(200)
    const again = await call('shared-nonce', 1)
    expect(again.status).toBe(401)
    expect(again.json()).toMatchObject({
      message: 'Invalid nonce - nonce has already been used.',
    })
    expect((await call('other-nonce', 1)).status).toBe(200)
    // Forgotten once its first use is out of the window.
    clock += 15 * 60_000 + 2000
    expect((await call('shared-nonce')).status).toBe(200)
    // RFC 5849 §3.3 elsewhere: a nonce is new for its timestamp.
    const rfc = await start(undefined, { now: () => clock })
    const token = rfc.issueToken()
    const rfcCall = (offset: number) =>
      signed({
        method: 'GET',
        url: `${rfc.apiBaseUrl}me`,
        token: token.oauth_token,
        tokenSecret: token.oauth_token_secret,
        nonce: 'shared-nonce',
        timestamp: Math.floor(clock / 1000) + offset,
      })
    expect((await rfcCall(0)).status).toBe(200)
    expect((await rfcCall(1)).status).toBe(200)
    expect((await rfcCall(1)).status).toBe(401)
  })

  it('refusals as WooCommerce words them', async () => {
    const p = await start('woocommerce')
    const url = `${p.apiBaseUrl}products`
    const error = (code: string, message: string, status = 401) => ({
      code,
      message,
      data: { status },
    })
    // signed for the name the site does not use: the base URI is the site's own [W1][W4]
    const port = new URL(p.url).port
    const s = await signRequest(
      { method: 'GET', url: `http://localhost:${port}/wp-json/wc/v3/products` },
      { clientId: 'demo-client', clientSecret: 'demo-secret' },
    )
    const localhost = await sendRaw(url, {
      method: 'GET',
      headers: { host: `localhost:${port}`, authorization: s.headers.get('authorization')! },
    })
    expect([localhost.status, JSON.parse(localhost.text)]).toEqual([
      401,
      error(
        'woocommerce_rest_authentication_error',
        'Invalid signature - provided signature does not match.',
      ),
    ])
    const none = await plain(url)
    expect(none.json()).toEqual(
      error('woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.'),
    )
    const refusals: [Partial<SignedCall>, string][] = [
      [{ clientSecret: 'cs_wrong' }, 'Invalid signature - provided signature does not match.'],
      [{ clientId: 'ck_unknown' }, 'Consumer key is invalid.'],
      [{ signatureMethod: 'PLAINTEXT' }, 'Invalid signature - signature method is invalid.'],
    ]
    for (const [call, message] of refusals) {
      expect((await signed({ method: 'GET', url, ...call })).json()).toEqual(
        error('woocommerce_rest_authentication_error', message),
      )
    }
    const token = await signed({ method: 'GET', url, token: 't', tokenSecret: 's' })
    expect(token.status).toBe(400)
    expect(token.json()).toMatchObject({ code: 'woocommerce_rest_authentication_error' })
    // a nonce used twice
    const call = {
      method: 'GET',
      url,
      nonce: 'once-only-nonce',
      timestamp: Math.floor(Date.now() / 1000),
    }
    expect((await signed(call)).status).toBe(200)
    expect((await signed(call)).json()).toEqual(
      error(
        'woocommerce_rest_authentication_error',
        'Invalid nonce - nonce has already been used.',
      ),
    )
    // ±15 minutes [W1]
    const now = Math.floor(Date.now() / 1000)
    expect((await signed({ method: 'GET', url, timestamp: now - 14 * 60 })).status).toBe(200)
    expect((await signed({ method: 'GET', url, timestamp: now - 16 * 60 })).json()).toEqual(
      error('woocommerce_rest_authentication_error', 'Invalid timestamp.'),
    )
    // a query missing oauth_nonce
    const q = await signRequest(
      { method: 'GET', url },
      { clientId: 'demo-client', clientSecret: 'demo-secret', signatureType: 'query' },
    )
    const noNonce = await plain(q.url.replace(/&?oauth_nonce=[^&]*/, ''))
    expect(noNonce.json()).toEqual(
      error(
        'woocommerce_rest_authentication_missing_parameter',
        'Missing OAuth parameter oauth_nonce',
      ),
    )
    const route = await signed({ method: 'GET', url: `${p.apiBaseUrl}nope` })
    expect(route.json()).toEqual(
      error('rest_no_route', 'No route was found matching the URL and request method.', 404),
    )
  })
})

describe('mastercard', () => {
  it('RSA-SHA256 with oauth_body_hash on every call, from OAuth1Client', async () => {
    const p = await start('mastercard')
    const client = new OAuth1Client({
      clientId: p.client.id,
      signatureMethod: 'RSA-SHA256',
      rsaKey: p.client.rsaPrivateKey!,
      forceIncludeBody: true,
    })
    const get = await client.request('GET', `${p.apiBaseUrl}locations/atms?Country=USA`, {
      token: null,
    })
    expect(await get.json()).toEqual({
      method: 'GET',
      path: '/locations/atms',
      query: { Country: 'USA' },
      body: null,
    })
    const post = await client.request(
      'POST',
      `${p.apiBaseUrl}send/v1/partners/p1/crossborder/payment`,
      {
        token: null,
        body: JSON.stringify({ amount: '10.00' }),
        headers: { 'content-type': 'application/json' },
      },
    )
    expect(await post.json()).toMatchObject({ method: 'POST', body: { amount: '10.00' } })
    // printf '{"amount":"10.00"}' | openssl dgst -sha256 -binary | base64
    expect(p.lastRequest!.oauthParams.oauth_body_hash).toBe(
      '6etJWsy84qDpW74Hm5+eQsyuIDccFRbj7TA20qeHz1M=',
    )
  })

  it('refusals: a body that does not match its hash, a token, no body hash', async () => {
    const p = await start('mastercard')
    const s = await signRequest(
      {
        method: 'POST',
        url: `${p.apiBaseUrl}payments`,
        headers: { 'content-type': 'application/json' },
        body: '{"amount":"10.00"}',
      },
      {
        clientId: 'demo-client',
        signatureMethod: 'RSA-SHA256',
        rsaKey: p.client.rsaPrivateKey!,
        bodyHash: true,
      },
    )
    const tampered = await fetch(s.url, {
      method: 'POST',
      headers: s.headers,
      body: '{"amount":"99.00"}',
    })
    expect(tampered.status).toBe(401)
    expect(new URLSearchParams(await tampered.text()).get('oauth_problem_advice')).toBe(
      'oauth_body_hash does not match the body',
    )
    const withToken = await signed({
      method: 'GET',
      url: `${p.apiBaseUrl}x`,
      signatureMethod: 'RSA-SHA256',
      rsaKey: p.client.rsaPrivateKey!,
      bodyHash: true,
      token: 't',
    })
    expect(withToken.form.get('oauth_parameters_rejected')).toBe('oauth_token')
  })
})

describe('bricklink', () => {
  it('static token credentials from OAuth1Client with realm=""; orders and items', async () => {
    const p = await start('bricklink')
    const token = p.issueToken({ userId: 'alice' })
    const client = new OAuth1Client({
      clientId: p.client.id,
      clientSecret: p.client.secret,
      token: token.oauth_token,
      tokenSecret: token.oauth_token_secret,
      realm: '',
    })
    const orders = await client.request('GET', `${p.apiBaseUrl}orders?direction=in`)
    expect(await orders.json()).toMatchObject({
      meta: { description: 'OK', message: 'OK', code: 200 },
      data: [expect.objectContaining({ order_id: 3986441, seller_name: 'alice', status: 'PAID' })],
    })
    const item = await client.request('GET', `${p.apiBaseUrl}items/part/3001`)
    expect(await item.json()).toMatchObject({ data: { no: '3001', type: 'PART' } })
  })

  it('refusals: no token, the parameters in the query, a bad JSON Authorization parameter', async () => {
    const p = await start('bricklink')
    const url = `${p.apiBaseUrl}orders`
    const noToken = await signed({ method: 'GET', url })
    expect(noToken.form.get('oauth_parameters_absent')).toBe('oauth_token')
    const token = p.issueToken()
    const query = await signed({
      method: 'GET',
      url,
      placement: 'query',
      token: token.oauth_token,
      tokenSecret: token.oauth_token_secret,
    })
    expect(query.status).toBe(400)
    expect(query.form.get('oauth_problem_advice')).toContain('Authorization query parameter')
    const queryUrl = `${p.url}${p.lastRequest!.url}`
    const bad = await plain(`${url}?Authorization=${encodeURIComponent('[1,2]')}`)
    expect(bad.form.get('oauth_parameters_rejected')).toBe('Authorization')
    // Only the signature in the JSON parameter, the rest in the plain query.
    const signedQuery = new URL(queryUrl)
    const signature = signedQuery.searchParams.get('oauth_signature')!
    signedQuery.searchParams.delete('oauth_signature')
    signedQuery.searchParams.set('Authorization', JSON.stringify({ oauth_signature: signature }))
    const mixed = await plain(signedQuery.href)
    expect(mixed.status).toBe(400)
    expect(mixed.form.get('oauth_problem_advice')).toContain('not from the query')
  })
})
