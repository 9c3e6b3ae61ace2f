import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  answerConsent,
  coreFlowClient,
  FLOW_CLIENTS,
  formFields,
  nodeOAuthFlowClient,
  ProviderError,
  redirectParams,
} from './flow-helpers.js'
import { createTestProvider, type TestProvider } from './index.js'

const CALLBACK = 'http://localhost:3000/auth/callback'

async function expectProblem(promise: Promise<unknown>, status: number, problem: string) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ProviderError)
  expect((err as ProviderError).status).toBe(status)
  expect((err as ProviderError).problem).toBe(problem)
}

describe.each(FLOW_CLIENTS)('three-legged flow signed by %s', (_name, makeClient) => {
  let provider: TestProvider
  beforeAll(async () => {
    provider = await createTestProvider({
      clients: [
        {
          id: 'demo-client',
          secret: 'demo-secret',
          callbackUrls: [CALLBACK, 'http://localhost:3000/next*', 'oob'],
        },
        { id: 'x-style', secret: 'x-secret', quirks: { denial: 'denied' } },
        { id: 'auto', secret: 'auto-secret', autoApprove: 'carol', name: 'Auto App' },
      ],
    })
  })
  afterAll(() => provider.close())

  it('consent page → Allow (as bob) → token credentials with user_id and screen_name → /api/me', async () => {
    const client = makeClient(provider)
    const temp = await client.fetchRequestToken(CALLBACK)
    expect(temp.extra.oauth_callback_confirmed).toBe('true')
    const answer = await answerConsent(provider, temp.token, 'allow', '1002')
    expect(answer.status).toBe(302)
    const location = answer.headers.get('location')!
    expect(location.startsWith(`${CALLBACK}?oauth_token=`)).toBe(true)
    const params = redirectParams(answer)
    expect(params.get('oauth_token')).toBe(temp.token)
    const verifier = params.get('oauth_verifier')!
    expect(verifier).toMatch(/^[\w-]{10,}$/)

    const token = await client.fetchAccessToken(temp, verifier)
    expect(token.extra).toEqual({ user_id: '1002', screen_name: 'bob' })
    const me = await client.getJson(`${provider.apiBaseUrl}me`, token)
    expect(me).toEqual({
      id: '1002',
      id_str: '1002',
      screen_name: 'bob',
      username: 'bob',
      name: 'Bob Builder',
      email: 'bob@example.test',
    })
    // (node-oauth mis-signs repeated query names, so they are tested with oauth-1.0a elsewhere)
    const echo = await client.getJson(`${provider.apiBaseUrl}echo?a=1&b=`, token)
    expect(echo).toMatchObject({
      method: 'GET',
      query: { a: '1', b: '' },
      user: { screen_name: 'bob' },
    })
  })

  it('keeps the callback’s own query string', async () => {
    const client = makeClient(provider)
    const cb = 'http://localhost:3000/next?to=%2Fhome&x=1'
    const temp = await client.fetchRequestToken(cb)
    const answer = await answerConsent(provider, temp.token, 'allow')
    const location = answer.headers.get('location')!
    expect(location.startsWith(`${cb}&oauth_token=`)).toBe(true)
    expect(redirectParams(answer).get('to')).toBe('/home')
  })

  it('temporary credentials are single-use: a second exchange is token_rejected', async () => {
    const client = makeClient(provider)
    const temp = await client.fetchRequestToken(CALLBACK)
    const verifier = redirectParams(await answerConsent(provider, temp.token, 'allow')).get(
      'oauth_verifier',
    )!
    await client.fetchAccessToken(temp, verifier)
    await expectProblem(client.fetchAccessToken(temp, verifier), 401, 'token_rejected')
  })

  it('a wrong verifier is verifier_invalid, and burns the temporary credentials', async () => {
    const client = makeClient(provider)
    const temp = await client.fetchRequestToken(CALLBACK)
    const verifier = redirectParams(await answerConsent(provider, temp.token, 'allow')).get(
      'oauth_verifier',
    )!
    await expectProblem(client.fetchAccessToken(temp, `${verifier}x`), 401, 'verifier_invalid')
    await expectProblem(client.fetchAccessToken(temp, verifier), 401, 'token_rejected')
  })

  it('exchanging before the user answered is verifier_invalid', async () => {
    const client = makeClient(provider)
    const temp = await client.fetchRequestToken(CALLBACK)
    await expectProblem(client.fetchAccessToken(temp, 'guess'), 401, 'verifier_invalid')
  })

  it('temporary credentials are bound to their client', async () => {
    const temp = await makeClient(provider).fetchRequestToken(CALLBACK)
    const verifier = redirectParams(await answerConsent(provider, temp.token, 'allow')).get(
      'oauth_verifier',
    )!
    const other = makeClient(provider, { id: 'x-style', secret: 'x-secret' })
    await expectProblem(other.fetchAccessToken(temp, verifier), 401, 'token_rejected')
    // …and the rightful client can still use them
    const token = await makeClient(provider).fetchAccessToken(temp, verifier)
    expect(token.extra.screen_name).toBe('alice')
  })

  it('temporary credentials expire (token_expired), on the consent page too', async () => {
    // A wide timestamp window lets the signers keep the real clock while the provider's moves on.
    let now = Date.now()
    const p = await createTestProvider({
      now: () => now,
      requestTokenTtl: 60,
      timestampWindow: 86_400,
    })
    try {
      const client = makeClient(p)
      const temp = await client.fetchRequestToken(CALLBACK)
      const verifier = redirectParams(await answerConsent(p, temp.token, 'allow')).get(
        'oauth_verifier',
      )!
      const temp2 = await client.fetchRequestToken(CALLBACK)
      now += 61_000
      const page = await fetch(`${p.authorizeUrl}?oauth_token=${temp2.token}`)
      expect(page.status).toBe(400)
      expect(page.headers.get('content-type')).toMatch(/^text\/html/)
      expect(await page.text()).toContain('expired')
      await expectProblem(client.fetchAccessToken(temp, verifier), 401, 'token_expired')
    } finally {
      await p.close()
    }
  })

  it('oob: the verifier is shown on a page, then exchanged', async () => {
    const client = makeClient(provider)
    const temp = await client.fetchRequestToken('oob')
    const page = await answerConsent(provider, temp.token, 'allow', '1003')
    expect(page.status).toBe(200)
    const html = await page.text()
    const verifier = /<code id="oauth_verifier">([^<]+)<\/code>/.exec(html)?.[1]
    expect(verifier).toBeDefined()
    const token = await client.fetchAccessToken(temp, verifier!)
    expect(token.extra.screen_name).toBe('carol')
  })

  it('Deny: oauth_problem=user_refused by default, and the temporary credentials are gone', async () => {
    const client = makeClient(provider)
    const temp = await client.fetchRequestToken(CALLBACK)
    const answer = await answerConsent(provider, temp.token, 'deny')
    expect(answer.status).toBe(302)
    const params = redirectParams(answer)
    expect(params.get('oauth_problem')).toBe('user_refused')
    expect(params.get('oauth_token')).toBe(temp.token)
    expect(params.has('oauth_verifier')).toBe(false)
    await expectProblem(client.fetchAccessToken(temp, 'whatever'), 401, 'token_rejected')
  })

  it('Deny with the X-style quirk: denied=<token>', async () => {
    const client = makeClient(provider, { id: 'x-style', secret: 'x-secret' })
    const temp = await client.fetchRequestToken('http://127.0.0.1:4567/cb')
    const params = redirectParams(await answerConsent(provider, temp.token, 'deny'))
    expect([...params.keys()]).toEqual(['denied'])
    expect(params.get('denied')).toBe(temp.token)
  })

  it('Deny out-of-band shows a page', async () => {
    const client = makeClient(provider)
    const temp = await client.fetchRequestToken('oob')
    const page = await answerConsent(provider, temp.token, 'deny')
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('You denied Demo App')
  })

  it('autoApprove on the client: the authorize URL redirects at once, as that user', async () => {
    const client = makeClient(provider, { id: 'auto', secret: 'auto-secret' })
    const temp = await client.fetchRequestToken('http://localhost:8080/cb?x=1')
    const res = await fetch(`${provider.authorizeUrl}?oauth_token=${temp.token}`, {
      redirect: 'manual',
    })
    expect(res.status).toBe(302)
    const params = redirectParams(res)
    expect(params.get('x')).toBe('1')
    const token = await client.fetchAccessToken(temp, params.get('oauth_verifier')!)
    expect(token.extra).toEqual({ user_id: '1003', screen_name: 'carol' })
  })

  it('refuses a callback the client did not register, a relative one, and none at all', async () => {
    const client = makeClient(provider)
    await expectProblem(
      client.fetchRequestToken('https://evil.example/cb'),
      400,
      'parameter_rejected',
    )
    await expectProblem(
      client.fetchRequestToken('http://localhost:3001/auth/callback'),
      400,
      'parameter_rejected',
    )
    await expectProblem(client.fetchRequestToken(`${CALLBACK}/more`), 400, 'parameter_rejected')
    await expectProblem(client.fetchRequestToken('/relative'), 400, 'parameter_rejected')
  })
})

describe('node-oauth with other signature methods', () => {
  it.each(['HMAC-SHA256', 'PLAINTEXT', 'RSA-SHA1'] as const)(
    '%s: the whole flow',
    async (method) => {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      })
      const p = await createTestProvider({
        autoApprove: true,
        clients: [
          method === 'RSA-SHA1'
            ? { id: 'rsa', rsaPublicKey: publicKey }
            : { id: 'demo-client', secret: 'demo-secret' },
        ],
      })
      try {
        const client = nodeOAuthFlowClient(
          p,
          method === 'RSA-SHA1' ? { id: 'rsa', secret: privateKey } : undefined,
          method,
        )
        const temp = await client.fetchRequestToken(CALLBACK)
        expect(p.lastRequest?.oauthParams.oauth_signature_method).toBe(method)
        const res = await fetch(`${p.authorizeUrl}?oauth_token=${temp.token}`, {
          redirect: 'manual',
        })
        const token = await client.fetchAccessToken(
          temp,
          redirectParams(res).get('oauth_verifier')!,
        )
        expect(await client.getJson(`${p.apiBaseUrl}me`, token)).toMatchObject({
          screen_name: 'alice',
        })
      } finally {
        await p.close()
      }
    },
  )
})

describe('flow details', () => {
  let provider: TestProvider
  beforeAll(async () => {
    provider = await createTestProvider({
      name: 'Test <Provider>',
      clients: [{ id: 'demo-client', secret: 'demo-secret', name: 'Demo <App> & "Co"' }],
    })
  })
  afterAll(() => provider.close())

  it('a temporary-credential request without oauth_callback is parameter_absent', async () => {
    const { coreSigner, send } = await import('./test-helpers.js')
    const res = await send(await coreSigner({ method: 'POST', url: provider.requestTokenUrl }))
    expect(res.status).toBe(400)
    expect(res.form.get('oauth_problem')).toBe('parameter_absent')
    expect(res.form.get('oauth_parameters_absent')).toBe('oauth_callback')
  })

  it('the consent page is accessible HTML with escaped values and no external assets', async () => {
    const temp = await coreFlowClient(provider).fetchRequestToken(CALLBACK)
    const res = await fetch(`${provider.authorizeUrl}?oauth_token=${temp.token}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = await res.text()
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true)
    expect(html).toContain(
      '<h1>Allow Demo &lt;App&gt; &amp; &quot;Co&quot; to use your account?</h1>',
    )
    expect(html).toContain('Test &lt;Provider&gt;')
    expect(html).not.toContain('<App>')
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//)
    expect(html).toMatch(/<fieldset>\s*<legend>Sign in as<\/legend>/)
    for (const u of ['alice', 'bob', 'carol']) expect(html).toContain(`@${u}</small></label>`)
    expect(html).toContain(
      '<button type="submit" name="decision" value="allow" class="allow">Allow</button>',
    )
    expect(html).toContain('<button type="submit" name="decision" value="deny">Deny</button>')
    expect(html).toContain('http://localhost:3000')
    const fields = formFields(html)
    expect(fields.oauth_token).toBe(temp.token)
    expect(fields.csrf_token).toMatch(/^[\w-]{20,}$/)
  })

  it('the consent form refuses a missing CSRF token, a foreign Origin, and a second answer', async () => {
    const temp = await coreFlowClient(provider).fetchRequestToken(CALLBACK)
    const page = await fetch(`${provider.authorizeUrl}?oauth_token=${temp.token}`)
    const fields = formFields(await page.text())
    const post = (body: Record<string, string>, origin?: string) =>
      fetch(provider.authorizeUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(origin ? { origin } : {}),
        },
        body: new URLSearchParams(body),
      })
    expect(
      (await post({ oauth_token: temp.token, decision: 'allow', user_id: '1001' })).status,
    ).toBe(403)
    expect(
      (await post({ ...fields, decision: 'allow', user_id: '1001' }, 'http://evil.example')).status,
    ).toBe(403)
    expect((await post({ ...fields, decision: 'maybe', user_id: '1001' })).status).toBe(400)
    expect((await post({ ...fields, decision: 'allow', user_id: 'mallory' })).status).toBe(400)
    const ok = await post({ ...fields, decision: 'allow', user_id: '1001' })
    expect(ok.status).toBe(302)
    const again = await post({ ...fields, decision: 'allow', user_id: '1002' })
    expect(again.status).toBe(400)
    expect(await again.text()).toContain('already answered')
  })

  it('an unknown or missing oauth_token on the authorize page is a 400 page, not a crash', async () => {
    const unknown = await fetch(`${provider.authorizeUrl}?oauth_token=nope`)
    expect(unknown.status).toBe(400)
    expect(await unknown.text()).toContain('unknown or was already used')
    const missing = await fetch(provider.authorizeUrl)
    expect(missing.status).toBe(400)
    expect(provider.lastRequest).toMatchObject({
      endpoint: 'authorize',
      problem: 'parameter_absent',
    })
  })
})
