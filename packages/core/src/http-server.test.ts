/**
 * The client against real sockets: node:http servers on 127.0.0.1 (port 0),
 * the runtime's own fetch, no injected fetch.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { OAuth1Client } from './client.js'
import { OAuthError } from './errors.js'
import { OAuth } from './registry.js'
import { createMemoryStore } from './stores.js'

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections()
          s.close(() => resolve())
        }),
    ),
  )
})

async function listen(handler: Handler): Promise<{ origin: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = []
  const server = createServer((req, res) => {
    requests.push(req)
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8')
    })
    req.on('end', () => handler(req, res, body))
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { origin: `http://127.0.0.1:${port}`, requests }
}

function form(res: ServerResponse, fields: Record<string, string>, status = 200) {
  res.writeHead(status, { 'content-type': 'application/x-www-form-urlencoded' })
  res.end(new URLSearchParams(fields).toString())
}

describe('over real sockets', () => {
  it('runs the web flow against a loopback provider over http://', async () => {
    const { origin, requests } = await listen((req, res) => {
      const url = new URL(req.url!, 'http://x')
      if (url.pathname === '/request_token') {
        return form(res, {
          oauth_token: 'rt',
          oauth_token_secret: 'rts',
          oauth_callback_confirmed: 'true',
        })
      }
      if (url.pathname === '/access_token') {
        return form(res, { oauth_token: 'at', oauth_token_secret: 'ats', screen_name: 'jane' })
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ auth: req.headers.authorization?.startsWith('OAuth ') }))
    })
    const oauth = new OAuth({ config: {} })
    const app = oauth.register('local', {
      clientId: 'ck',
      clientSecret: 'cs',
      requestTokenUrl: `${origin}/request_token`,
      accessTokenUrl: `${origin}/access_token`,
      authorizeUrl: `${origin}/authorize`,
      apiBaseUrl: `${origin}/api/`,
    })
    const store = createMemoryStore()
    const url = await app.beginAuthorization(store, 'http://localhost:3000/cb')
    expect(url).toBe(`${origin}/authorize?oauth_token=rt`)
    const token = await app.completeAuthorization(store, '?oauth_token=rt&oauth_verifier=v')
    expect(token).toEqual({ oauth_token: 'at', oauth_token_secret: 'ats', screen_name: 'jane' })
    const res = await app.get('me', { token })
    expect(await res.json()).toEqual({ auth: true })
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /request_token',
      'POST /access_token',
      'GET /api/me',
    ])
  })

  it('times out a provider that never answers, for token endpoints and API calls', async () => {
    const { origin } = await listen(() => {
      // never answer
    })
    const client = new OAuth1Client({ clientId: 'ck', timeout: 150 })
    const err = await client.fetchRequestToken(`${origin}/rt`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OAuthError)
    expect((err as OAuthError).code).toBe('request_timeout')
    const api = await client.request('GET', `${origin}/api`).catch((e: unknown) => e)
    expect((api as OAuthError).code).toBe('request_timeout')
  })

  it('stops reading an endless token response at the cap', async () => {
    let written = 0
    let closed = false
    let onClosed: () => void = () => {}
    const connectionClosed = new Promise<void>((resolve) => {
      onClosed = resolve
    })
    const { origin } = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' })
      const chunk = 'a'.repeat(16_384)
      const pump = () => {
        while (!closed && written < 50_000_000) {
          written += chunk.length
          if (!res.write(chunk)) return void res.once('drain', pump)
        }
        res.end()
      }
      res.on('close', () => {
        closed = true
        onClosed()
      })
      pump()
    })
    const err = await new OAuth1Client({ clientId: 'ck', requireCallbackConfirmed: false })
      .fetchRequestToken(`${origin}/rt`)
      .catch((e: unknown) => e)
    expect((err as OAuthError).code).toBe('invalid_token_response')
    // the client hung up: the server stops long before its 50 MB (no sleep racing the pump)
    await connectionClosed
    expect(written).toBeLessThan(50_000_000)
  })

  it('a cross-origin redirect reaches the other host without the signature', async () => {
    const other = await listen((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ authorization: req.headers.authorization ?? null, url: req.url }))
    })
    const otherPort = new URL(other.origin).port
    const { origin } = await listen((_req, res) => {
      // localhost and 127.0.0.1 are different origins
      res.writeHead(302, { location: `http://localhost:${otherPort}/landed` })
      res.end()
    })
    const client = new OAuth1Client({
      clientId: 'ck',
      clientSecret: 'cs',
      token: 't',
      tokenSecret: 's',
    })
    const res = await client.request('GET', `${origin}/start`)
    expect(await res.json()).toEqual({ authorization: null, url: '/landed' })
  })
})

describe('an API call that cannot reach the provider', () => {
  it("a closed port → request_failed (502), fetch's error kept as cause, the URL without its query", async () => {
    // a port that was just listening and is closed now: connection refused
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const client = new OAuth1Client({ clientId: 'ck', clientSecret: 'client-secret' })
    const err = await client
      .request('GET', `http://127.0.0.1:${port}/api/me?key=client-secret`, {
        token: { oauth_token: 't', oauth_token_secret: 'ts' },
      })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OAuthError)
    expect(err).toMatchObject({ code: 'request_failed', status: 502, statusCode: 502 })
    expect((err as OAuthError).description).toBe(`Could not reach http://127.0.0.1:${port}/api/me`)
    expect((err as OAuthError).cause).toBeInstanceOf(TypeError)
    expect(((err as OAuthError).cause as Error).message).toBe('fetch failed')
    expect(JSON.stringify(err)).not.toContain('client-secret')
  })

  it('through the registry too (RemoteApp.request)', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const app = new OAuth({ config: {} }).register('local', {
      clientId: 'ck',
      requestTokenUrl: `http://127.0.0.1:${port}/rt`,
      accessTokenUrl: `http://127.0.0.1:${port}/at`,
      authorizeUrl: `http://127.0.0.1:${port}/authorize`,
      apiBaseUrl: `http://127.0.0.1:${port}/api/`,
    })
    await expect(app.get('me', { withholdToken: true })).rejects.toMatchObject({
      code: 'request_failed',
      status: 502,
    })
  })
})
