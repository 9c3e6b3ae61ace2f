/**
 * The client against real sockets: node:http servers on 127.0.0.1 (port 0),
 * no injected fetch. Every case runs twice, once per transport of the token
 * requests: node:http(s) with a keep-alive agent (the default on Node) and
 * the runtime's fetch; both must send the same requests and end in the same
 * errors.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net'
import * as zlib from 'node:zlib'
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { OAuth1Client } from './client.js'
import { OAuthError } from './errors.js'
import { nodeTransportAvailable, setTokenTransport, type TokenTransportName } from './node-http.js'
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

/** A temporary-credential answer. */
const TEMPORARY_CREDENTIALS = {
  oauth_token: 'rt',
  oauth_token_secret: 'rts',
  oauth_callback_confirmed: 'true',
}

function form(res: ServerResponse, fields: Record<string, string>, status = 200) {
  res.writeHead(status, { 'content-type': 'application/x-www-form-urlencoded' })
  res.end(new URLSearchParams(fields).toString())
}

/** A token answer with the callback confirmed. */
const TOKEN_FORM = 'oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true'

/** A loopback port nothing listens on (listened on, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** The OAuthError `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<OAuthError> {
  const err = await promise.then(
    () => {
      throw new Error('resolved instead of rejecting')
    },
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(OAuthError)
  return err as OAuthError
}

/** `run` with token requests sent over `transport`, the previous choice restored after. */
async function over<T>(transport: TokenTransportName, run: () => Promise<T>): Promise<T> {
  const previous = setTokenTransport(transport)
  try {
    return await run()
  } finally {
    setTokenTransport(previous)
  }
}

/**
 * A provider that drops the second request of each connection unanswered (an
 * idle kept-alive connection it gave up on just as the client reused it) and
 * answers the others with `answer`; `bodies` in the order of `requests`.
 */
async function listenDroppingSecondRequests(answer: (res: ServerResponse) => void) {
  const perSocket = new WeakMap<object, number>()
  const bodies: string[] = []
  const server = await listen((req, res, body) => {
    bodies.push(body)
    const n = (perSocket.get(req.socket) ?? 0) + 1
    perSocket.set(req.socket, n)
    if (n === 2) {
      req.socket.destroy()
      return
    }
    answer(res)
  })
  return { ...server, bodies }
}

describe.each<TokenTransportName>(['node', 'fetch'])('token requests over %s', (transport) => {
  let previous: TokenTransportName
  beforeEach(() => {
    previous = setTokenTransport(transport)
  })
  afterEach(() => {
    setTokenTransport(previous)
  })

  describe('over real sockets', () => {
    it('runs the web flow against a loopback provider over http://', async () => {
      const { origin, requests } = await listen((req, res) => {
        const url = new URL(req.url!, 'http://x')
        if (url.pathname === '/request_token') {
          return form(res, TEMPORARY_CREDENTIALS)
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

    it('a callback while the token endpoint refuses connections keeps the pending login; the retry completes', async () => {
      const { origin } = await listen((req, res) => {
        if (req.url === '/request_token') return form(res, TEMPORARY_CREDENTIALS)
        form(res, { oauth_token: 'at', oauth_token_secret: 'ats' })
      })
      const closed = await closedPort()
      const register = (accessTokenUrl: string) =>
        new OAuth({ config: {} }).register('local', {
          clientId: 'ck',
          clientSecret: 'cs',
          requestTokenUrl: `${origin}/request_token`,
          accessTokenUrl,
          authorizeUrl: `${origin}/authorize`,
        })
      const store = createMemoryStore()
      await register(`http://127.0.0.1:${closed}/access_token`).beginAuthorization(
        store,
        'http://localhost:3000/cb',
      )
      const callback = '?oauth_token=rt&oauth_verifier=v'
      const err = await rejection(
        register(`http://127.0.0.1:${closed}/access_token`).completeAuthorization(store, callback),
      )
      expect(err.code).toBe('fetch_token_denied')
      // Nothing reached the provider: the same callback, once it answers, logs in.
      const token = await register(`${origin}/access_token`).completeAuthorization(store, callback)
      expect(token).toEqual({ oauth_token: 'at', oauth_token_secret: 'ats' })
    })

    it('a callback whose exchange reached the provider uses the pending login up, whatever the outcome', async () => {
      const { origin } = await listen((req, res) => {
        if (req.url === '/request_token') return form(res, TEMPORARY_CREDENTIALS)
        req.socket.destroy() // the request arrived; no answer
      })
      const app = new OAuth({ config: {} }).register('local', {
        clientId: 'ck',
        clientSecret: 'cs',
        requestTokenUrl: `${origin}/request_token`,
        accessTokenUrl: `${origin}/access_token`,
        authorizeUrl: `${origin}/authorize`,
      })
      const store = createMemoryStore()
      await app.beginAuthorization(store, 'http://localhost:3000/cb')
      const callback = '?oauth_token=rt&oauth_verifier=v'
      expect((await rejection(app.completeAuthorization(store, callback))).code).toBe(
        'fetch_token_denied',
      )
      expect((await rejection(app.completeAuthorization(store, callback))).code).toBe(
        'missing_temporary_credential',
      )
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
      expect((err as OAuthError).description).toBe(
        `Could not reach http://127.0.0.1:${port}/api/me`,
      )
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

  describe('token requests: what the provider sees, and the errors', () => {
    it('sends the headers and body fetch sends (defaults, content-length 0 on an empty POST)', async () => {
      const { origin, requests } = await listen((_req, res) => form(res, TEMPORARY_CREDENTIALS))
      await new OAuth1Client({ clientId: 'ck', clientSecret: 'cs' }).fetchRequestToken(
        `${origin}/rt?x=1`,
      )
      const [req] = requests
      expect(req?.method).toBe('POST')
      expect(req?.url).toBe('/rt?x=1')
      const { authorization, host, ...rest } = req?.headers ?? {}
      expect(authorization).toMatch(/^OAuth .*oauth_consumer_key="ck"/)
      expect(authorization).toContain('oauth_callback="oob"')
      expect(host).toBe(new URL(origin).host)
      expect(rest).toEqual({
        accept: '*/*',
        'accept-language': '*',
        'sec-fetch-mode': 'cors',
        'user-agent': 'node',
        'accept-encoding': 'gzip, deflate',
        'content-length': '0',
        connection: 'keep-alive',
      })
    })

    it("keeps the user's own headers and user agent, and sends a form body with its length (signatureType body)", async () => {
      let seen = ''
      const { origin, requests } = await listen((_req, res, body) => {
        seen = body
        form(res, TEMPORARY_CREDENTIALS)
      })
      await new OAuth1Client({
        clientId: 'ck',
        clientSecret: 'cs',
        signatureType: 'body',
        userAgent: 'my-app/1.0',
        headers: { accept: 'application/x-www-form-urlencoded', 'x-extra': 'é' },
      }).fetchRequestToken(`${origin}/rt`, { scope: 'read write' })
      const [req] = requests
      expect(req?.headers['user-agent']).toBe('my-app/1.0')
      expect(req?.headers.accept).toBe('application/x-www-form-urlencoded')
      expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8')
      expect(req?.headers['content-length']).toBe(String(Buffer.byteLength(seen)))
      expect(new URLSearchParams(seen).get('scope')).toBe('read write')
      expect(new URLSearchParams(seen).get('oauth_signature')).toBeTruthy()
    })

    it("sends its own signature, never the headers option's Authorization, once, and the body's own length", async () => {
      const { origin, requests } = await listen((_req, res) => form(res, TEMPORARY_CREDENTIALS))
      const client = new OAuth1Client({
        clientId: 'ck',
        clientSecret: 'cs',
        headers: { Authorization: 'Basic dXNlcjpwYXNz', 'X-Trace': 'abc' },
      })
      await client.fetchRequestToken(`${origin}/rt`)
      await client.fetchAccessToken(`${origin}/at`, 'verifier')
      for (const req of requests) {
        const sent = req.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase())
        expect(sent.filter((n) => n === 'authorization')).toHaveLength(1)
        expect(sent.filter((n) => n === 'host')).toHaveLength(1)
        expect(req.headers.authorization).toMatch(/^OAuth .*oauth_signature="/)
        expect(req.headers['x-trace']).toBe('abc')
        expect(req.headers['content-length']).toBe('0')
      }
      expect(requests[1]?.headers.authorization).toContain('oauth_verifier="verifier"')
    })

    it('reads a gzip-encoded token response', async () => {
      const { origin } = await listen((_req, res) => {
        res.writeHead(200, {
          'content-type': 'application/x-www-form-urlencoded',
          'content-encoding': 'gzip',
        })
        res.end(
          gzipSync('oauth_token=rt&oauth_token_secret=r%C3%A9s&oauth_callback_confirmed=true'),
        )
      })
      const token = await new OAuth1Client({ clientId: 'ck' }).fetchRequestToken(`${origin}/rt`)
      expect(token).toEqual({
        oauth_token: 'rt',
        oauth_token_secret: 'rés',
        oauth_callback_confirmed: 'true',
      })
    })

    it('a closed port → fetch_token_denied, "Could not reach", the cause kept', async () => {
      const server = createServer()
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const { port } = server.address() as AddressInfo
      await new Promise<void>((resolve) => server.close(() => resolve()))
      const err = await new OAuth1Client({ clientId: 'ck', clientSecret: 'client-secret' })
        .fetchRequestToken(`http://127.0.0.1:${port}/rt?key=client-secret`)
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(OAuthError)
      expect(err).toMatchObject({ code: 'fetch_token_denied', status: 502 })
      expect((err as OAuthError).description).toBe(
        `Could not reach the temporary-credential endpoint http://127.0.0.1:${port}/rt`,
      )
      expect((err as OAuthError).cause).toBeInstanceOf(Error)
      expect(JSON.stringify(err)).not.toContain('client-secret')
    })

    it('a URL with user:password@ is a TypeError before anything is sent (fetch cannot send one)', async () => {
      const { origin, requests } = await listen((_req, res) => form(res, TEMPORARY_CREDENTIALS))
      const withCredentials = origin.replace('http://', 'http://user:pass@')
      const client = new OAuth1Client({ clientId: 'ck', clientSecret: 'cs', token: 't' })
      const refusal = new TypeError('url must not carry a user name or password (user:password@)')
      await expect(client.fetchRequestToken(`${withCredentials}/rt`)).rejects.toThrow(refusal)
      await expect(client.fetchAccessToken(`${withCredentials}/at`, 'v')).rejects.toThrow(refusal)
      await expect(client.request('GET', `${withCredentials}/api`)).rejects.toThrow(refusal)
      expect(requests).toHaveLength(0)
    })

    it('an answer cut short mid-body → fetch_token_denied "broke off its answer"', async () => {
      const { origin } = await listen((_req, res) => {
        res.writeHead(200, {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': '500',
        })
        res.write('oauth_token=rt&oauth_token_secret=')
        setImmediate(() => res.socket?.destroy())
      })
      const err = await new OAuth1Client({ clientId: 'ck' })
        .fetchRequestToken(`${origin}/rt`)
        .catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'fetch_token_denied' })
      expect((err as OAuthError).description).toBe(
        `The temporary-credential endpoint ${origin}/rt broke off its answer`,
      )
    })

    it('a body that never ends within the timeout → request_timeout', async () => {
      const { origin } = await listen((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' })
        res.write('oauth_token=rt&')
      })
      const err = await new OAuth1Client({ clientId: 'ck', timeout: 150 })
        .fetchRequestToken(`${origin}/rt`)
        .catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'request_timeout', status: 504 })
    })

    it('a redirect is not followed: fetch_token_denied, the provider answer kept', async () => {
      const { origin, requests } = await listen((_req, res) => {
        res.writeHead(302, { location: '/elsewhere', 'x-b': '2', 'x-a': '1' })
        res.end('oauth_problem=moved')
      })
      const err = await new OAuth1Client({ clientId: 'ck' })
        .fetchRequestToken(`${origin}/rt`)
        .catch((e: unknown) => e)
      expect(err).toMatchObject({
        code: 'fetch_token_denied',
        oauthProblem: 'moved',
        response: { status: 302, body: 'oauth_problem=moved' },
      })
      expect((err as OAuthError).description).toBe(
        `The temporary-credential endpoint ${origin}/rt answered 302 (a redirect, not followed): moved`,
      )
      const headers = (err as OAuthError).response?.headers ?? {}
      expect(headers).toMatchObject({ location: '/elsewhere', 'x-a': '1', 'x-b': '2' })
      expect(Object.keys(headers)).toEqual([...Object.keys(headers)].sort())
      expect(requests).toHaveLength(1)
    })

    it('an oversized content-length → invalid_token_response, the body not read', async () => {
      const { origin } = await listen((_req, res) => {
        res.writeHead(200, { 'content-length': String(1024 * 1024) })
        res.write('a'.repeat(1000))
      })
      const err = await new OAuth1Client({ clientId: 'ck' })
        .fetchRequestToken(`${origin}/rt`)
        .catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'invalid_token_response' })
    })

    it('an injected fetch is what sends the token requests', async () => {
      const { origin, requests } = await listen((_req, res) => form(res, TEMPORARY_CREDENTIALS))
      const seen: string[] = []
      const token = await new OAuth1Client({
        clientId: 'ck',
        fetch: (input, init) => {
          seen.push(String(input))
          return fetch(input, init)
        },
      }).fetchRequestToken(`${origin}/rt`)
      expect(token.oauth_token).toBe('rt')
      expect(seen).toEqual([`${origin}/rt`])
      expect(requests).toHaveLength(1)
    })
  })
})

describe('the node:http transport', () => {
  it('is the one token requests use on Node; only "node" and "fetch" can be chosen', () => {
    expect(nodeTransportAvailable()).toBe(true)
    const previous = setTokenTransport('fetch')
    expect(nodeTransportAvailable()).toBe(false)
    setTokenTransport(previous)
    expect(() => setTokenTransport('undici' as TokenTransportName)).toThrow(TypeError)
  })

  it("gives way to a globalThis.fetch put in place of Node's (a mock, an interceptor), then comes back", async () => {
    const { origin, requests } = await listen((_req, res) => form(res, TEMPORARY_CREDENTIALS))
    const nodes = globalThis.fetch
    const seen: string[] = []
    const stub: typeof fetch = async (input) => {
      seen.push(String(input))
      return new Response(
        new URLSearchParams({ ...TEMPORARY_CREDENTIALS, oauth_token: 'stubbed' }),
        {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
      )
    }
    const client = new OAuth1Client({ clientId: 'ck' })
    globalThis.fetch = stub
    try {
      expect(nodeTransportAvailable()).toBe(false)
      await expect(client.fetchRequestToken(`${origin}/rt`)).resolves.toMatchObject({
        oauth_token: 'stubbed',
      })
      expect(seen).toEqual([`${origin}/rt`])
      expect(requests).toHaveLength(0)
      // a wrapper around Node's fetch is not Node's fetch either
      globalThis.fetch = (input, init) => nodes(input, init)
      expect(nodeTransportAvailable()).toBe(false)
    } finally {
      globalThis.fetch = nodes
    }
    expect(nodeTransportAvailable()).toBe(true)
    await expect(client.fetchRequestToken(`${origin}/rt`)).resolves.toMatchObject({
      oauth_token: 'rt',
    })
    expect(requests).toHaveLength(1)
  })

  it("gives way to an undici dispatcher put in place of Node's (a MockAgent, a proxy), then comes back", async () => {
    // Node's fetch sends through undici's global dispatcher: a MockAgent, a
    // ProxyAgent or an EnvHttpProxyAgent set there (undici's
    // setGlobalDispatcher) must see the token requests as it sees API calls.
    const slot = globalThis as unknown as Record<symbol, unknown>
    await fetch('data:,x') // Node's fetch has made its own dispatcher
    // undici keeps it in a first slot (Node 20–24), and from undici 7.x on also in a
    // second one, which Node 26's fetch reads: setGlobalDispatcher writes where fetch reads.
    const keys = ['undici.globalDispatcher.1', 'undici.globalDispatcher.2']
      .map((name) => Symbol.for(name))
      .filter((key) => slot[key] !== undefined)
    type Dispatcher = { dispatch(options: { path: string }, handler: unknown): boolean }
    const nodes = new Map(keys.map((key) => [key, slot[key] as Dispatcher]))
    expect(nodes.size).toBeGreaterThan(0)
    expect(nodeTransportAvailable()).toBe(true)
    const { origin, requests } = await listen((_req, res) => form(res, TEMPORARY_CREDENTIALS))
    const client = new OAuth1Client({ clientId: 'ck' })
    const seen: string[] = []
    class ProxyAgent {
      constructor(private readonly inner: Dispatcher) {}
      dispatch(options: { path: string }, handler: unknown) {
        seen.push(options.path)
        return this.inner.dispatch(options, handler)
      }
    }
    const put = (make: (inner: Dispatcher) => unknown) => {
      for (const [key, inner] of nodes) slot[key] = make(inner)
    }
    put((inner) => new ProxyAgent(inner))
    try {
      expect(nodeTransportAvailable()).toBe(false)
      await expect(client.fetchRequestToken(`${origin}/rt`)).resolves.toMatchObject({
        oauth_token: 'rt',
      })
      expect(seen).toEqual(['/rt'])
      expect(requests).toHaveLength(1)
      // another plain Agent in place of Node's is not Node's either
      put((inner) => new (class Agent extends ProxyAgent {})(inner))
      expect(nodeTransportAvailable()).toBe(false)
    } finally {
      for (const [key, inner] of nodes) slot[key] = inner
    }
    expect(nodeTransportAvailable()).toBe(true)
    await client.fetchRequestToken(`${origin}/rt`)
    expect(seen).toEqual(['/rt'])
    expect(requests).toHaveLength(2)
  })

  it('keeps no URL signed in its query (the verifier, and with PLAINTEXT the secrets) once sent', async () => {
    // signatureType 'query' puts oauth_verifier, oauth_token and the signature (with PLAINTEXT,
    // the client secret and the temporary secret themselves) in the URL of a token request.
    const { origin } = await listen((req, res) =>
      req.url?.startsWith('/rt')
        ? form(res, { ...TEMPORARY_CREDENTIALS, oauth_token_secret: 'temporary-secret-kept' })
        : form(res, { oauth_token: 'at', oauth_token_secret: 'ats' }),
    )
    const client = new OAuth1Client({
      clientId: 'ck',
      clientSecret: 'client-secret-kept',
      signatureMethod: 'PLAINTEXT',
      signatureType: 'query',
    })
    const set = vi.spyOn(Map.prototype, 'set')
    let keys: unknown[]
    try {
      await client.fetchRequestToken(`${origin}/rt`)
      await client.fetchAccessToken(`${origin}/at`, 'verifier-kept')
    } finally {
      keys = set.mock.calls.map(([key]) => key)
      set.mockRestore()
    }
    expect(keys.length).toBeGreaterThan(0)
    const secret = /client-secret-kept|temporary-secret-kept|verifier-kept/
    expect(keys.filter((key) => typeof key === 'string' && secret.test(key))).toEqual([])
  })

  it.each<TokenTransportName>(['node', 'fetch'])(
    'over %s, sends again on a new connection when a kept-alive one was closed by the server',
    async (transport) => {
      await over(transport, async () => {
        let connections = 0
        const { origin, requests } = await listenDroppingSecondRequests((res) =>
          form(res, TEMPORARY_CREDENTIALS),
        )
        servers.at(-1)?.on('connection', () => {
          connections++
        })
        const client = new OAuth1Client({ clientId: 'ck' })
        await client.fetchRequestToken(`${origin}/rt`)
        const second = await client.fetchRequestToken(`${origin}/rt`).catch((e: unknown) => e)
        expect(second).toMatchObject({ oauth_token: 'rt' })
        if (transport === 'node') {
          // the first connection reused, reset, and the request sent once more on a second one
          expect(requests).toHaveLength(3)
          expect(connections).toBe(2)
          // signed afresh: the same nonce twice is one a provider may refuse (RFC 5849 §3.3)
          const nonces = requests.map(
            (r) => /oauth_nonce="([^"]+)"/.exec(r.headers.authorization ?? '')?.[1],
          )
          expect(new Set(nonces).size).toBe(3)
        }
      })
    },
  )
})

describe('the node transport sends a request met by a closed kept-alive connection once more', () => {
  it.each(['header', 'query', 'body'] as const)(
    'signed afresh with signatureType %s, the verifier and the form body as the first time',
    async (signatureType) => {
      await over('node', async () => {
        const { origin, requests, bodies } = await listenDroppingSecondRequests((res) =>
          form(res, { oauth_token: 'at', oauth_token_secret: 'ats' }),
        )
        const client = new OAuth1Client({
          clientId: 'ck',
          clientSecret: 'cs',
          signatureType,
          token: 'rt',
          tokenSecret: 'rts',
        })
        // The first exchange opens the connection the second finds closed.
        await client.fetchAccessToken(`${origin}/at`, 'first-verifier')
        client.token = { oauth_token: 'rt', oauth_token_secret: 'rts' }
        const token = await client.fetchAccessToken(`${origin}/at`, 'the-verifier')
        expect(token).toMatchObject({ oauth_token: 'at' })
        expect(requests).toHaveLength(3)
        // Every parameter of request i: its query, its form body, its Authorization header.
        const read = (i: number) => {
          const fields = new Map<string, string>()
          for (const [k, v] of new URL(requests[i]!.url ?? '', origin).searchParams)
            fields.set(k, v)
          for (const [k, v] of new URLSearchParams(bodies[i])) fields.set(k, v)
          const authorization = requests[i]!.headers.authorization ?? ''
          for (const m of authorization.matchAll(/(oauth_[a-z_]+)="([^"]*)"/g)) {
            fields.set(m[1]!, decodeURIComponent(m[2]!))
          }
          return fields
        }
        // The request the server dropped, and the one sent again.
        const first = read(1)
        const second = read(2)
        // Each protocol parameter once, the verifier in both, a new nonce and signature.
        for (const fields of [first, second]) {
          expect(fields.get('oauth_verifier')).toBe('the-verifier')
          expect(fields.get('oauth_token')).toBe('rt')
        }
        expect(second.get('oauth_nonce')).not.toBe(first.get('oauth_nonce'))
        expect(second.get('oauth_signature')).not.toBe(first.get('oauth_signature'))
        const names = [
          ...new URL(requests[2]!.url ?? '', origin).searchParams.keys(),
          ...new URLSearchParams(bodies[2]).keys(),
        ]
        expect(names.filter((n) => n === 'oauth_nonce').length).toBe(
          signatureType === 'header' ? 0 : 1,
        )
      })
    },
  )
})

describe('the same answer ends the same way on both transports', () => {
  type Answer = { status: number; headers?: Record<string, string>; body: string | Uint8Array }
  /** A 200 whose body was sent with `content-encoding: encoding`. */
  const coded = (encoding: string, body: string | Uint8Array): Answer => ({
    status: 200,
    headers: { 'content-encoding': encoding },
    body,
  })
  const answers: Record<string, Answer> = {
    'a form token': {
      status: 200,
      body: 'oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true&user_id=1',
    },
    'a JSON token': {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"oauth_token":"t","oauth_token_secret":"s","oauth_callback_confirmed":true}',
    },
    'a form labelled text/html': {
      status: 200,
      headers: { 'content-type': 'text/html;charset=utf-8' },
      body: 'oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true',
    },
    'a byte-order mark and non-UTF-8 bytes': {
      status: 200,
      body: new Uint8Array([
        0xef,
        0xbb,
        0xbf,
        ...new TextEncoder().encode(
          'oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true&n=',
        ),
        0xff,
        0xfe,
      ]),
    },
    'an HTML page': { status: 200, body: '<html><body>Sign in</body></html>' },
    'an empty body': { status: 200, body: '' },
    'malformed escapes': { status: 200, body: 'oauth_token=%E0%A4%A&oauth_token_secret=s' },
    'oauth_token twice': { status: 200, body: 'oauth_token=a&oauth_token=b&oauth_token_secret=s' },
    'no secret': { status: 200, body: 'oauth_token=t&oauth_callback_confirmed=true' },
    'a 200 with oauth_problem': { status: 200, body: 'oauth_problem=token_rejected' },
    'no callback confirmation': { status: 200, body: 'oauth_token=t&oauth_token_secret=s' },
    'a 401 with a problem and advice': {
      status: 401,
      headers: { 'www-authenticate': 'OAuth realm="x"', 'x-one': 'a' },
      body: 'oauth_problem=signature_invalid&oauth_problem_advice=check%20the%20key',
    },
    'a 503 HTML page': { status: 503, body: `<html>${'down '.repeat(200)}</html>` },
    // Content codings as fetch (undici) decodes them.
    'deflate without its zlib header (raw DEFLATE, as old IIS sends it)': coded(
      'deflate',
      deflateRawSync(TOKEN_FORM),
    ),
    'two codings, gzip then br': coded('gzip, br', brotliCompressSync(gzipSync(TOKEN_FORM))),
    'a coding it does not know among known ones: the body as sent': coded(
      'gzip, zstd-unknown',
      TOKEN_FORM,
    ),
    'a gzip stream without its trailer': coded('gzip', gzipSync(TOKEN_FORM).subarray(0, -8)),
    'a deflate stream with a byte past its end': coded(
      'deflate',
      new Uint8Array([...deflateSync(TOKEN_FORM), 0]),
    ),
    'two deflate streams back to back': coded(
      'deflate',
      new Uint8Array([...deflateSync(TOKEN_FORM), ...deflateSync('&more=1')]),
    ),
    'identity, a coding fetch does not know: the body as sent': coded('identity', TOKEN_FORM),
    'gzip then identity: the body as sent': coded('gzip, identity', gzipSync(TOKEN_FORM)),
    // Node 24 and 26's fetch decodes zstd, Node 22's does not (its zlib has it, its undici not).
    ...(typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function'
      ? {
          zstd: coded(
            'zstd',
            (zlib as unknown as { zstdCompressSync(s: string): Uint8Array }).zstdCompressSync(
              TOKEN_FORM,
            ),
          ),
        }
      : {}),
    'six codings, more than fetch takes': coded('gzip, gzip, gzip, gzip, gzip, gzip', TOKEN_FORM),
    'an empty body labelled gzip': coded('gzip', ''),
    'a gzip body that is not gzip': coded('gzip', TOKEN_FORM),
    'a body past 64 KiB without content-length': {
      status: 200,
      headers: { 'transfer-encoding': 'chunked' },
      body: `oauth_token=t&oauth_token_secret=s&pad=${'x'.repeat(70_000)}`,
    },
  }

  /** What a call ended with, the parts that do not depend on the transport. */
  function outcome(result: unknown): unknown {
    if (!(result instanceof OAuthError)) return { token: result }
    const {
      date: _d,
      'keep-alive': _k,
      connection: _c,
      ...headers
    } = result.response?.headers ?? {}
    return {
      code: result.code,
      status: result.status,
      description: result.description,
      oauthProblem: result.oauthProblem,
      oauthProblemAdvice: result.oauthProblemAdvice,
      response: result.response && { ...result.response, headers },
    }
  }

  // A property (fast-check): random answers of a token endpoint (status, Content-Type, a
  // Location, a form of the flow's names and malformed values, HTML, JSON, 70 KB, cut off
  // mid-body) end alike on both transports, in a token or an OAuthError of the token
  // endpoints' codes. Replay a failure with FC_SEED/FC_PATH (see test/fast-check.ts).
  it('random answers: the same outcome on both transports, a token or a token-endpoint OAuthError', async () => {
    let current = { status: 200, headers: {} as Record<string, string>, body: '', cut: false }
    const { origin } = await listen((_req, res) => {
      res.writeHead(current.status, current.headers)
      if (!current.cut) return void res.end(current.body)
      res.write(current.body.slice(0, current.body.length >> 1))
      setImmediate(() => res.destroy())
    })
    const pair = fc.tuple(
      fc.constantFrom(
        'oauth_token',
        'oauth_token_secret',
        'oauth_callback_confirmed',
        'oauth_problem',
        'oauth_problem_advice',
        '__proto__',
        '',
        '%',
      ),
      fc.option(
        fc.constantFrom('t', 's', 'true', 'false', 'True', '', '%zz', '%ED%A0%80', '%C0%80', '%00'),
        { nil: undefined },
      ),
    )
    const body = fc.oneof(
      { weight: 4, arbitrary: fc.array(pair, { maxLength: 5 }) },
      fc.constantFrom(
        '',
        '<html><body>Error</body></html>',
        '{"oauth_token":"t"}',
        `${TOKEN_FORM}&pad=${'x'.repeat(70_000)}`,
      ),
    )
    const answer = fc.record({
      status: fc.constantFrom(200, 200, 201, 302, 307, 400, 401, 403, 500, 503),
      contentType: fc.constantFrom(
        'application/x-www-form-urlencoded',
        'text/html;charset=utf-8',
        'application/json',
        undefined,
      ),
      location: fc.constantFrom(undefined, 'http://other.example/rt'),
      body: body.map((b) =>
        typeof b === 'string'
          ? b
          : b.map(([n, v]) => (v === undefined ? n : `${n}=${v}`)).join('&'),
      ),
      cut: fc.boolean(),
    })
    const CODES = [
      'fetch_token_denied',
      'invalid_token_response',
      'callback_not_confirmed',
      'access_denied',
    ]
    await fc.assert(
      fc.asyncProperty(answer, fc.boolean(), async (a, access) => {
        const headers: Record<string, string> = {}
        if (a.contentType !== undefined) headers['content-type'] = a.contentType
        if (a.location !== undefined) headers.location = a.location
        current = { status: a.status, headers, body: a.body, cut: a.cut }
        const results: unknown[] = []
        for (const transport of ['node', 'fetch'] as const) {
          await over(transport, async () => {
            const client = new OAuth1Client({
              clientId: 'ck',
              clientSecret: 'cs',
              token: 'rt',
              tokenSecret: 'rts',
            })
            const call = access
              ? client.fetchAccessToken(`${origin}/at`, 'v')
              : client.fetchRequestToken(`${origin}/rt`)
            results.push(outcome(await call.catch((e: unknown) => e)))
          })
        }
        expect(results[0]).toEqual(results[1])
        const first = results[0] as { code?: string; token?: unknown }
        if (first.token === undefined) expect(CODES).toContain(first.code)
        else expect(first.token).not.toBeInstanceOf(Error)
      }),
      { numRuns: 80 },
    )
  })

  it.each(Object.keys(answers))('%s', async (name) => {
    const answer = answers[name] as Answer
    const { origin } = await listen((_req, res) => {
      res.writeHead(answer.status, {
        'content-type': 'application/x-www-form-urlencoded',
        ...answer.headers,
      })
      res.end(answer.body)
    })
    const results: unknown[] = []
    for (const transport of ['node', 'fetch'] as const) {
      await over(transport, async () => {
        const client = new OAuth1Client({ clientId: 'ck', clientSecret: 'cs' })
        results.push(outcome(await client.fetchRequestToken(`${origin}/rt`).catch((e) => e)))
      })
    }
    expect(results[0]).toEqual(results[1])
  })
})

describe('answers that would leave a token request waiting: settled on both transports', () => {
  /** A raw TCP server: reads a request's head, then does `answer` with the socket. */
  async function raw(answer: (socket: Socket) => void): Promise<string> {
    const server = createNetServer((socket) => {
      let head = ''
      socket.on('data', (chunk) => {
        head += chunk.toString('latin1')
        if (head.includes('\r\n\r\n')) {
          head = ''
          answer(socket)
        }
      })
      socket.on('error', () => {})
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    rawServers.push(server)
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }
  const rawServers: ReturnType<typeof createNetServer>[] = []
  afterEach(async () => {
    await Promise.all(
      rawServers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    )
  })

  /** What a temporary-credential request to `origin` over `transport` ended with. */
  const requestToken = (transport: TokenTransportName, origin: string, timeout: number) =>
    over(transport, () =>
      new OAuth1Client({ clientId: 'ck', timeout })
        .fetchRequestToken(`${origin}/rt`)
        .catch((e: unknown) => e),
    )

  const SWITCHING =
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'

  it.each<[TokenTransportName, number]>([
    ['node', 0],
    ['node', 5_000],
    ['fetch', 0],
    ['fetch', 5_000],
  ])(
    'over %s (timeout %d): a 101 Switching Protocols → fetch_token_denied "Could not reach"',
    async (transport, timeout) => {
      const origin = await raw((socket) => socket.write(SWITCHING))
      const started = Date.now()
      const err = await requestToken(transport, origin, timeout)
      expect(err).toMatchObject({ code: 'fetch_token_denied', status: 502 })
      expect((err as OAuthError).description).toBe(
        `Could not reach the temporary-credential endpoint ${origin}/rt`,
      )
      // Not by the deadline: at once.
      expect(Date.now() - started).toBeLessThan(4_000)
    },
  )

  it.each<TokenTransportName>(['node', 'fetch'])(
    'over %s, an error answer whose body stalls past the timeout → request_timeout',
    async (transport) => {
      const origin = await raw((socket) =>
        socket.write(
          'HTTP/1.1 401 Unauthorized\r\ncontent-type: application/x-www-form-urlencoded\r\n' +
            'content-length: 100\r\n\r\noauth_problem=signature_inv',
        ),
      )
      expect(await requestToken(transport, origin, 300)).toMatchObject({
        code: 'request_timeout',
        status: 504,
      })
    },
  )

  it.each<TokenTransportName>(['node', 'fetch'])(
    'over %s, a deflate body that ends before its stated length → settled by the timeout',
    async (transport) => {
      const body = deflateSync(TOKEN_FORM)
      const origin = await raw((socket) => {
        socket.write(
          'HTTP/1.1 200 OK\r\ncontent-type: application/x-www-form-urlencoded\r\n' +
            `content-encoding: deflate\r\ncontent-length: ${body.length + 10}\r\n\r\n`,
        )
        socket.write(body)
      })
      expect(await requestToken(transport, origin, 300)).toMatchObject({
        code: 'request_timeout',
        status: 504,
      })
    },
  )
})
