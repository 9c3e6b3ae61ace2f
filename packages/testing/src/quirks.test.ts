import { request as httpRequest } from 'node:http'
import { describe, expect, it } from 'vitest'
import { answerConsent, FLOW_CLIENTS, redirectParams } from './flow-helpers.js'
import { createTestProvider, type Failure, type TestProviderOptions } from './index.js'
import { call, SIGNERS, type Signer } from './test-helpers.js'

const CALLBACK = 'http://localhost:3000/cb'

async function withProvider<T>(
  options: TestProviderOptions,
  fn: (p: Awaited<ReturnType<typeof createTestProvider>>) => Promise<T>,
): Promise<T> {
  const p = await createTestProvider(options)
  try {
    return await fn(p)
  } finally {
    await p.close()
  }
}

describe.each(SIGNERS)('quirks, signed by %s', (_name, sign: Signer) => {
  const requestToken = (
    p: { requestTokenUrl: string },
    clientId = 'demo-client',
    clientSecret = 'demo-secret',
  ) =>
    call(sign, {
      method: 'POST',
      url: p.requestTokenUrl,
      callback: CALLBACK,
      clientId,
      clientSecret,
    })

  it.each([
    ['true', 'true'],
    ['True', 'True'],
    ['false', 'false'],
    ['omit', null],
  ] as const)('callbackConfirmed %s', async (quirk, expected) => {
    await withProvider({ quirks: { callbackConfirmed: quirk } }, async (p) => {
      const res = await requestToken(p)
      expect(res.status).toBe(200)
      expect(res.form.get('oauth_callback_confirmed')).toBe(expected)
      expect(res.form.get('oauth_token')).toBeTruthy()
    })
  })

  it('tokenFormat json answers token endpoints with JSON', async () => {
    await withProvider({ quirks: { tokenFormat: 'json' } }, async (p) => {
      const res = await requestToken(p)
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
      const json = JSON.parse(res.text)
      expect(Object.keys(json)).toEqual([
        'oauth_token',
        'oauth_token_secret',
        'oauth_callback_confirmed',
      ])
      // errors stay form-encoded, as the Problem Reporting extension has them
      const bad = await requestToken(p, 'demo-client', 'wrong')
      expect(bad.form.get('oauth_problem')).toBe('signature_invalid')
    })
  })

  it('tokenContentType labels successful token responses, errors keep their own type', async () => {
    await withProvider({ quirks: { tokenContentType: 'text/html;charset=utf-8' } }, async (p) => {
      const res = await requestToken(p)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/html;charset=utf-8')
      expect(res.form.get('oauth_token')).toBeTruthy()
      expect(res.form.get('oauth_token_secret')).toBeTruthy()
      const bad = await requestToken(p, 'demo-client', 'wrong')
      expect(bad.headers.get('content-type')).toBe('application/x-www-form-urlencoded')
    })
  })

  it('quirks on one client apply to that client only', async () => {
    await withProvider(
      {
        clients: [
          { id: 'demo-client', secret: 'demo-secret' },
          {
            id: 'magento',
            secret: 'm',
            quirks: { callbackConfirmed: 'omit', failure: { accessToken: 'server_error' } },
          },
        ],
      },
      async (p) => {
        expect((await requestToken(p)).form.get('oauth_callback_confirmed')).toBe('true')
        expect((await requestToken(p, 'magento', 'm')).form.has('oauth_callback_confirmed')).toBe(
          false,
        )
      },
    )
  })

  const failures: [Failure, number, string | RegExp, (body: string) => void][] = [
    ['server_error', 500, /^text\/plain/, (b) => expect(b).toBe('Internal Server Error')],
    ['unavailable', 503, /^text\/plain/, (b) => expect(b).toBe('Service Unavailable')],
    [
      'html',
      200,
      /^text\/html/,
      (b) => expect(b).toMatch(/^<!doctype html>.*Something went wrong/s),
    ],
    [
      'malformed',
      200,
      'application/x-www-form-urlencoded',
      (b) => {
        const form = new URLSearchParams(b)
        expect(form.get('oauth_token')).toBeTruthy()
        expect(form.has('oauth_token_secret')).toBe(false)
      },
    ],
    ['empty', 200, 'application/x-www-form-urlencoded', (b) => expect(b).toBe('')],
    [
      'oversized',
      200,
      'application/x-www-form-urlencoded',
      (b) => {
        expect(b.length).toBe(2 * 1024 * 1024)
        expect(b.startsWith('oauth_token=aaaa')).toBe(true)
      },
    ],
    [
      { status: 502, body: '<h1>Bad Gateway</h1>', contentType: 'text/html' },
      502,
      'text/html',
      (b) => expect(b).toBe('<h1>Bad Gateway</h1>'),
    ],
  ]
  it.each(failures)('failure %j', async (failure, status, contentType, check) => {
    await withProvider({ quirks: { failure: { requestToken: failure } } }, async (p) => {
      const res = await requestToken(p)
      expect(res.status).toBe(status)
      const ct = res.headers.get('content-type') ?? ''
      if (typeof contentType === 'string') expect(ct).toBe(contentType)
      else expect(ct).toMatch(contentType)
      check(res.text)
      // the record keeps the verdict the provider would have given
      expect(p.lastRequest).toMatchObject({ endpoint: 'requestToken', status: 200, ok: true })
      // other endpoints are untouched
      const echo = await call(sign, { method: 'GET', url: `${p.apiBaseUrl}echo` })
      expect(echo.status).toBe(200)
    })
  })

  it('a provider-wide failure applies to every endpoint', async () => {
    await withProvider({ quirks: { failure: 'unavailable' } }, async (p) => {
      expect((await requestToken(p)).status).toBe(503)
      expect((await call(sign, { method: 'GET', url: `${p.apiBaseUrl}echo` })).status).toBe(503)
    })
  })

  it('a delayed answer arrives, and close() does not wait for a pending one', async () => {
    await withProvider({ quirks: { delay: { api: 1 } } }, async (p) => {
      expect((await call(sign, { method: 'GET', url: `${p.apiBaseUrl}echo` })).status).toBe(200)
    })
    const p = await createTestProvider({ quirks: { delay: 600_000 } })
    const seen = new Promise((resolve) => p.once('request', resolve))
    const pending = call(sign, { method: 'POST', url: p.requestTokenUrl, callback: CALLBACK }).then(
      () => 'answered',
      () => 'aborted',
    )
    await seen
    await p.close()
    expect(await pending).toBe('aborted')
  })
})

describe.each(FLOW_CLIENTS)('deny quirk in a full flow signed by %s', (_name, makeClient) => {
  it.each([
    ['user_refused', ['oauth_problem', 'oauth_token']],
    ['denied', ['denied']],
  ] as const)('denial %s', async (denial, keys) => {
    await withProvider({ quirks: { denial } }, async (p) => {
      const client = makeClient(p)
      const temp = await client.fetchRequestToken(`${CALLBACK}?state=1`)
      const params = redirectParams(await answerConsent(p, temp.token, 'deny'))
      expect([...params.keys()]).toEqual(['state', ...keys])
    })
  })

  it('autoApprove: true (first user) and a screen name', async () => {
    for (const [autoApprove, screenName] of [
      [true, 'alice'],
      ['bob', 'bob'],
    ] as const) {
      await withProvider({ autoApprove }, async (p) => {
        const client = makeClient(p)
        const temp = await client.fetchRequestToken(CALLBACK)
        const res = await fetch(`${p.authorizeUrl}?oauth_token=${temp.token}`, {
          redirect: 'manual',
        })
        expect(res.status).toBe(302)
        const token = await client.fetchAccessToken(
          temp,
          redirectParams(res).get('oauth_verifier')!,
        )
        expect(token.extra.screen_name).toBe(screenName)
        const me = (await client.getJson(`${p.apiBaseUrl}me`, token)) as { screen_name: string }
        expect(me.screen_name).toBe(screenName)
      })
    }
  })
})

describe('failures that are not an answer', () => {
  /** A raw POST to the request-token endpoint (the failure applies whatever the verdict). */
  function post(url: string) {
    return new Promise<{
      status: number | undefined
      headers: Record<string, unknown>
      received: Buffer
      error: string | undefined
      request: ReturnType<typeof httpRequest>
    }>((resolve) => {
      let status: number | undefined
      let headers: Record<string, unknown> = {}
      const chunks: Buffer[] = []
      const done = (error?: string) =>
        resolve({ status, headers, received: Buffer.concat(chunks), error, request })
      const request = httpRequest(url, { method: 'POST' }, (res) => {
        status = res.statusCode
        headers = res.headers
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk)
          // a drip never ends: stop after three bytes
          if (Buffer.concat(chunks).length >= 3 && res.headers['content-length'] === undefined) {
            done()
          }
        })
        res.on('end', () => done())
        res.on('error', (err) => done(err.message))
        res.on('aborted', () => done('aborted'))
      })
      request.on('error', (err) => done((err as NodeJS.ErrnoException).code ?? err.message))
      request.end()
    })
  }

  it("'reset' resets the connection without an answer", async () => {
    await withProvider({ quirks: { failure: { requestToken: 'reset' } } }, async (p) => {
      const res = await post(p.requestTokenUrl)
      expect(res.status).toBeUndefined()
      expect(res.error).toBe('ECONNRESET')
      expect(p.lastRequest).toMatchObject({ endpoint: 'requestToken' })
    })
  })

  it("'truncated' promises a token body and closes halfway", async () => {
    await withProvider({ quirks: { failure: { requestToken: 'truncated' } } }, async (p) => {
      const res = await post(p.requestTokenUrl)
      expect(res.status).toBe(200)
      const promised = Number(res.headers['content-length'])
      expect(promised).toBeGreaterThan(40)
      expect(res.received.length).toBe(promised >> 1)
      expect(res.received.toString()).toMatch(/^oauth_token=/)
      expect(res.error).toBe('aborted')
    })
  })

  it("'drip' answers 200 and then a byte at a time, never ending; close() stops it", async () => {
    const p = await createTestProvider({ quirks: { failure: { requestToken: 'drip' } } })
    try {
      const res = await post(p.requestTokenUrl)
      expect(res.status).toBe(200)
      expect(res.headers['content-length']).toBeUndefined()
      expect(res.received.toString()).toBe('ooo')
      res.request.destroy()
    } finally {
      await p.close()
    }
  })

  it('setQuirks changes a running provider, and checks what it gets', async () => {
    await withProvider({}, async (p) => {
      expect((await post(p.requestTokenUrl)).status).toBe(400) // unsigned: refused, answered
      p.setQuirks({ failure: { requestToken: 'server_error' } })
      expect((await post(p.requestTokenUrl)).status).toBe(500)
      p.setQuirks({})
      expect((await post(p.requestTokenUrl)).status).toBe(400)
      expect(() => p.setQuirks({ delay: -1 })).toThrow(/quirks\.delay/)
      expect(() => p.setQuirks(null as never)).toThrow(TypeError)
    })
  })
})
