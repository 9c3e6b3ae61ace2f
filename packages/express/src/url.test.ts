import express from 'express'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { serve } from './http.test-helper.js'
import { rawQuery, resolveRedirectUri } from './url.js'

/** An app answering what the helpers compute for the request, or the error's status and message. */
function appAnswering(trustProxy: boolean | string, redirectUri = '/authorize') {
  const app = express()
  app.set('trust proxy', trustProxy)
  app.all('/{*path}', (req, res) => {
    try {
      res.json({
        redirectUri: resolveRedirectUri(req, redirectUri),
        query: rawQuery(req),
      })
    } catch (err) {
      const e = err as Error & { status?: number }
      res.status(e.status ?? 500).json({ error: e.message })
    }
  })
  return app
}

describe('resolveRedirectUri', () => {
  it('refuses a protocol-relative redirectUri, which would leave the origin', async () => {
    const res = await request(await serve(appAnswering(false, '//evil.example/cb')))
      .get('/login')
      .set('Host', 'app.example')
    expect(res.status).toBe(500)
    expect(res.body).toEqual({
      error:
        'redirectUri should be an absolute URL, "oob", or a path such as "/authorize" (not //host)',
    })
  })

  it('resolves /authorize against the Host the browser used', async () => {
    const res = await request(await serve(appAnswering(false)))
      .get('/login')
      .set('Host', 'app.example:8080')
    expect(res.body).toEqual({
      redirectUri: 'http://app.example:8080/authorize',
      query: '',
    })
  })

  it('ignores X-Forwarded-* unless trust proxy trusts the peer', async () => {
    const res = await request(await serve(appAnswering(false)))
      .get('/login')
      .set('Host', 'app.example')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'evil.example')
    expect(res.body.redirectUri).toBe('http://app.example/authorize')
  })

  it('uses X-Forwarded-Proto and X-Forwarded-Host behind a trusted proxy (first value)', async () => {
    const res = await request(await serve(appAnswering('loopback')))
      .get('/login')
      .set('Host', 'internal:3000')
      .set('X-Forwarded-Proto', 'https, http')
      .set('X-Forwarded-Host', 'app.example, internal')
    expect(res.body.redirectUri).toBe('https://app.example/authorize')
  })

  it('resolves a path with or without a slash against the origin (not the current path), and keeps absolute URLs and oob', async () => {
    for (const uri of ['callback?x=1', '/callback?x=1']) {
      const relative = await request(await serve(appAnswering(false, uri)))
        .get('/auth/login?next=/')
        .set('Host', 'app.example')
      expect(relative.body.redirectUri, uri).toBe('http://app.example/callback?x=1')
    }
    const absolute = await request(
      await serve(appAnswering(false, 'https://other.example/cb')),
    ).get('/')
    expect(absolute.body.redirectUri).toBe('https://other.example/cb')
    const oob = await request(await serve(appAnswering(false, 'oob'))).get('/')
    expect(oob.body.redirectUri).toBe('oob')
  })

  it('answers 400, not 500, for a Host header that is not a host', async () => {
    const url = await serve(appAnswering(false))
    for (const host of ['evil.example/path', 'user@evil.example', 'a b', '']) {
      const res = await request(url).get('/login').set('Host', host)
      expect(res.status, host).toBe(400)
      expect(res.body.error).toMatch(/^@oauth1\/express: /)
    }
    const proto = await request(await serve(appAnswering(true)))
      .get('/login')
      .set('Host', 'app.example')
      .set('X-Forwarded-Proto', 'javascript')
    expect(proto.status).toBe(400)
  })

  it("refuses a redirectUri that is not a non-empty string with the core's TypeError naming it", async () => {
    const app = express()
    app.get('/', (req, res) => {
      const messages = [42, '', null, {}].map((value) => {
        try {
          resolveRedirectUri(req, value as never)
          return 'accepted'
        } catch (err) {
          return `${(err as Error).name}: ${(err as Error).message}`
        }
      })
      res.json(messages)
    })
    const notString = 'TypeError: redirectUri should be a string: an absolute URL, "oob", or a path'
    expect((await request(await serve(app)).get('/')).body).toEqual([
      notString,
      'TypeError: redirectUri should not be empty: give an absolute URL, "oob", or a path such as "/authorize"',
      notString,
      notString,
    ])
  })

  it('keeps undefined when no redirectUri is given', async () => {
    const app = express()
    app.get('/', (req, res) => {
      res.json({ value: resolveRedirectUri(req, undefined) ?? null })
    })
    expect((await request(await serve(app)).get('/')).body).toEqual({ value: null })
  })
})

describe('rawQuery', () => {
  it('returns the query exactly as sent, duplicates and odd encodings included', async () => {
    const app = appAnswering(false)
    const url = await serve(app)
    const res = await request(url).get('/authorize?oauth_token=a&oauth_token=b&x=%zz&y=a+b&z[a]=1')
    expect(res.body.query).toBe('oauth_token=a&oauth_token=b&x=%zz&y=a+b&z[a]=1')
    expect((await request(url).get('/authorize')).body.query).toBe('')
    expect((await request(url).get('/authorize?')).body.query).toBe('')
  })
})
