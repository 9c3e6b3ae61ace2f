import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestProvider, type TestProvider } from './index.js'
import { coreSigner, send, sendRaw } from './test-helpers.js'

let provider: TestProvider
beforeAll(async () => {
  provider = await createTestProvider({ maxBodySize: 1024 })
})
afterAll(() => provider.close())

/** Writes raw bytes to the server and reads what comes back until it closes. */
function raw(data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(provider.port, '127.0.0.1', () => socket.end(data))
    const chunks: Buffer[] = []
    socket.on('data', (c) => chunks.push(c))
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
    socket.on('error', reject)
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')))
  })
}

async function stillAlive() {
  const res = await send(
    await coreSigner({ method: 'GET', url: `${provider.apiBaseUrl}echo?ok=1` }),
  )
  expect(res.status).toBe(200)
}

describe('robustness: bad input never crashes the provider', () => {
  it.each([
    ['OAuth oauth_consumer_key=demo-client', 'unquoted value'],
    ['OAuth oauth_consumer_key="demo-client" oauth_nonce="x"', 'missing comma'],
    ['OAuth oauth_consumer_key="demo-client",', 'trailing comma'],
    ['OAuth oauth_consumer_key="demo', 'unterminated quote'],
    ['OAuth ="x"', 'empty name'],
    ['OAuth oauth_consumer_key="%ZZ"', 'bad percent-encoding'],
    ['OAuth oauth_consumer_key="%C3%28"', 'not UTF-8'],
    ['OAuth realm="a", realm="b"', 'realm twice'],
  ])(
    'malformed Authorization header (%s) → 400 parameter_rejected',
    async (authorization, _why) => {
      const res = await fetch(`${provider.apiBaseUrl}echo`, { headers: { authorization } })
      expect(res.status).toBe(400)
      expect(new URLSearchParams(await res.text()).get('oauth_problem')).toBe('parameter_rejected')
      await stillAlive()
    },
  )

  it('an Authorization header of another scheme is ignored (then parameter_absent)', async () => {
    const res = await fetch(`${provider.apiBaseUrl}echo`, {
      headers: { authorization: 'Basic Zm9vOmJhcg==' },
    })
    expect(res.status).toBe(400)
    const form = new URLSearchParams(await res.text())
    expect(form.get('oauth_problem')).toBe('parameter_absent')
    expect(form.get('oauth_parameters_absent')).toBe(
      'oauth_consumer_key&oauth_signature_method&oauth_signature&oauth_timestamp&oauth_nonce',
    )
  })

  it('bad percent-encoding in the query or a form body → 400', async () => {
    for (const url of [
      `${provider.apiBaseUrl}echo?a=%`,
      `${provider.apiBaseUrl}echo?a=%G1`,
      `${provider.apiBaseUrl}echo?%FF=1`,
    ]) {
      const res = await fetch(url)
      expect(res.status).toBe(400)
      expect(new URLSearchParams(await res.text()).get('oauth_problem')).toBe('parameter_rejected')
    }
    const res = await fetch(`${provider.apiBaseUrl}echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=%E0%A4%A',
    })
    expect(res.status).toBe(400)
    const bytes = await fetch(`${provider.apiBaseUrl}echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new Uint8Array([0x61, 0x3d, 0xff, 0xfe]),
    })
    expect(bytes.status).toBe(400)
    await stillAlive()
  })

  it('a body over maxBodySize → 413, whether declared or streamed', async () => {
    const declared = await fetch(`${provider.apiBaseUrl}echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `a=${'x'.repeat(2000)}`,
    })
    expect(declared.status).toBe(413)
    await stillAlive()
    const chunked = await new Promise<string>((resolve, reject) => {
      const socket = connect(provider.port, '127.0.0.1', () => {
        socket.write(
          'POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n',
        )
        for (let i = 0; i < 4; i++) socket.write(`400\r\n${'y'.repeat(0x400)}\r\n`)
      })
      const chunks: Buffer[] = []
      socket.on('data', (c) => chunks.push(c))
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
      socket.on('error', reject)
    })
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /)
    await stillAlive()
  })

  it('unknown routes → 404, wrong methods → 405 with Allow', async () => {
    expect((await fetch(`${provider.url}/nope`)).status).toBe(404)
    expect((await fetch(`${provider.url}/api/me/`)).status).toBe(404)
    const get = await fetch(provider.requestTokenUrl)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    const del = await fetch(`${provider.apiBaseUrl}me`, { method: 'DELETE' })
    expect(del.status).toBe(405)
    expect(del.headers.get('allow')).toBe('GET, HEAD')
    expect(provider.lastRequest).toMatchObject({ status: 405, endpoint: 'api', ok: false })
    await stillAlive()
  })

  it('garbage on the socket, a missing or bad Host, an absolute-form target → 400, never a crash', async () => {
    expect(await raw('NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /)
    expect(await raw('GET /api/echo HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /)
    expect(await raw('GET /api/echo HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400 /,
    )
    expect(
      await raw(
        `GET http://127.0.0.1:${provider.port}/api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      ),
    ).toMatch(/^HTTP\/1\.1 400 /)
    await stillAlive()
  })

  it('a second Host, Authorization or Content-Type header → 400, even beside a valid signature', async () => {
    const token = provider.issueToken()
    const signed = await coreSigner({
      method: 'GET',
      url: `${provider.apiBaseUrl}echo?dup=1`,
      token: token.oauth_token,
      tokenSecret: token.oauth_token_secret,
    })
    const headers = signed.init.headers as Record<string, string>
    const request = (extra: string) =>
      raw(
        `GET /api/echo?dup=1 HTTP/1.1\r\nHost: ${headers.host ?? `127.0.0.1:${provider.port}`}\r\n` +
          `Authorization: ${headers.authorization}\r\n${extra}Connection: close\r\n\r\n`,
      )
    for (const [extra, name] of [
      ['Host: evil.example\r\n', 'Host'],
      ['Authorization: OAuth oauth_consumer_key="someone-else"\r\n', 'Authorization'],
      [
        'Content-Type: text/plain\r\nContent-Type: application/x-www-form-urlencoded\r\n',
        'Content-Type',
      ],
    ]) {
      const answer = await request(extra!)
      expect(answer, name).toMatch(/^HTTP\/1\.1 400 /)
      expect(decodeURIComponent(answer.split('\r\n\r\n')[1]!)).toContain(
        `${name} header sent more than once`,
      )
    }
    // The same request, each header once, is accepted.
    expect(await request('')).toMatch(/^HTTP\/1\.1 200 /)
    await stillAlive()
  })

  it('Authorization header values not percent-encoded as §3.6 asks → 400, naming the parameter', async () => {
    for (const [header, parameter] of [
      ['OAuth oauth_consumer_key="demo-client", oauth_nonce="a b"', 'oauth_nonce'],
      [
        'OAuth oauth_consumer_key="demo-client", oauth_callback="http://localhost/cb?a=1&b=2"',
        'oauth_callback',
      ],
      ['OAuth oauth_consumer_key="demo-client", oauth_signature="demo-secret&"', 'oauth_signature'],
      ['OAuth oauth_consumer_key="démo"', 'oauth_consumer_key'],
    ]) {
      const res = await fetch(`${provider.apiBaseUrl}echo`, { headers: { authorization: header! } })
      const form = new URLSearchParams(await res.text())
      expect(res.status, header).toBe(400)
      expect(form.get('oauth_parameters_rejected')).toBe(parameter)
      expect(form.get('oauth_problem_advice')).toContain('is not percent-encoded (RFC 5849 §3.6)')
    }
    await stillAlive()
  })

  it('an oauth_callback that is no URI (controls, spaces, non-ASCII) → 400 at the request token', async () => {
    for (const callback of [
      'http://localhost:3000/cb\nX-Injected: 1',
      'http://localhost:3000/cb\t',
      'http://localhost:3000/a b',
      'http://localhost:3000/☃',
    ]) {
      const res = await send(
        await coreSigner({ method: 'POST', url: provider.requestTokenUrl, callback }),
      )
      expect(res.status, JSON.stringify(callback)).toBe(400)
      expect(res.form.get('oauth_parameters_rejected')).toBe('oauth_callback')
    }
    await stillAlive()
  })

  it('an unparsable request or oversized headers get an OAuth problem report (400, 431)', async () => {
    const garbage = await raw('NOT HTTP AT ALL\r\n\r\n')
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /)
    expect(garbage).toMatch(/\r\ncontent-type: application\/x-www-form-urlencoded\r\n/i)
    expect(garbage.split('\r\n\r\n')[1]).toMatch(
      /^oauth_problem=parameter_rejected&oauth_problem_advice=/,
    )
    const huge = await raw(
      `GET /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: OAuth oauth_consumer_key="${'k'.repeat(20_000)}"\r\n\r\n`,
    )
    expect(huge).toMatch(/^HTTP\/1\.1 431 /)
    const body = new URLSearchParams(huge.split('\r\n\r\n')[1])
    expect(body.get('oauth_problem')).toBe('parameter_rejected')
    expect(body.get('oauth_problem_advice')).toMatch(/header/)
    await stillAlive()
  })

  it('huge header values and odd parameter values are handled', async () => {
    const res = await sendRaw(`${provider.apiBaseUrl}echo`, {
      method: 'GET',
      headers: { authorization: `OAuth oauth_consumer_key="${'k'.repeat(7000)}"` },
    })
    expect(res.status).toBe(400)
    const signed = await coreSigner({
      method: 'GET',
      url: `${provider.apiBaseUrl}echo?emoji=%F0%9F%98%80&plus=a+b&pct=%2525&sub=a%3Db%26c`,
    })
    const echo = await send(signed)
    expect(echo.status).toBe(200)
    expect(JSON.parse(echo.text).query).toEqual({
      emoji: '😀',
      plus: 'a b',
      pct: '%25',
      sub: 'a=b&c',
    })
  })

  it('a throwing onRequest listener does not break the answer', async () => {
    const p = await createTestProvider({
      onRequest: () => {
        throw new Error('listener bug')
      },
    })
    try {
      const res = await send(await coreSigner({ method: 'GET', url: `${p.apiBaseUrl}echo` }))
      expect(res.status).toBe(200)
    } finally {
      await p.close()
    }
  })

  it('keeps at most maxRecords requests, and the event fires for each', async () => {
    const seen: number[] = []
    const p = await createTestProvider({ maxRecords: 2, onRequest: (r) => seen.push(r.id) })
    const listener: number[] = []
    p.on('request', (r) => listener.push(r.status))
    try {
      for (let i = 0; i < 3; i++) await fetch(`${p.url}/nope`)
      expect(p.requests.map((r) => r.id)).toEqual([2, 3])
      expect(seen).toEqual([1, 2, 3])
      expect(listener).toEqual([404, 404, 404])
      p.clearRequests()
      expect(p.requests).toEqual([])
    } finally {
      await p.close()
    }
  })

  it('HEAD answers headers only and never approves on the authorize page', async () => {
    const p = await createTestProvider({ autoApprove: true })
    try {
      const home = await fetch(`${p.url}/`, { method: 'HEAD' })
      expect(home.status).toBe(200)
      expect(Number(home.headers.get('content-length'))).toBeGreaterThan(0)
      expect(await home.text()).toBe('')
      const temp = await send(
        await coreSigner({
          method: 'POST',
          url: p.requestTokenUrl,
          callback: 'http://localhost:1/cb',
        }),
      )
      const token = temp.form.get('oauth_token')!
      const head = await fetch(`${p.authorizeUrl}?oauth_token=${token}`, {
        method: 'HEAD',
        redirect: 'manual',
      })
      expect(head.status).toBe(200)
      const get = await fetch(`${p.authorizeUrl}?oauth_token=${token}`, { redirect: 'manual' })
      expect(get.status).toBe(302)
    } finally {
      await p[Symbol.asyncDispose]()
    }
  })

  it('close() is idempotent and also closes idle keep-alive connections', async () => {
    const p = await createTestProvider()
    await fetch(`${p.url}/`, { keepalive: true })
    await Promise.all([p.close(), p.close()])
    await expect(fetch(`${p.url}/`)).rejects.toThrow()
  })
})
