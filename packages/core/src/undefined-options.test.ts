// An optional option set to `undefined` (an unset environment variable, a missing session
// field) means the option is not given: the types say so (options.test-d.ts), and this is
// the runtime side, compared with the same call without the field.
import { describe, expect, it } from 'vitest'
import { OAuth1Client } from './client.js'
import { OAuthError } from './errors.js'
import { OAuth } from './registry.js'
import { signRequest } from './sign.js'
import {
  createMemoryServerStore,
  createMemoryStore,
  createSealer,
  createSessionRecordStore,
} from './stores.js'

const FIXED = { nonce: 'abc', timestamp: '123' }
const TOKEN = { oauth_token: 'tok', oauth_token_secret: 'toksecret' }

/** A fetch that records the request it was given and answers 200. */
function recordingFetch() {
  const seen: { url: string; authorization: string | null }[] = []
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init)
    seen.push({ url: request.url, authorization: request.headers.get('authorization') })
    return new Response('ok')
  }
  return { seen, fetch: fetch as typeof globalThis.fetch }
}

describe('optional options given as undefined', () => {
  it('signRequest signs as if they were left out', async () => {
    const request = { method: 'POST', url: 'https://api.example/1/update?x=1' }
    const credentials = { clientId: 'ck', clientSecret: 'cs', token: 'tok', tokenSecret: 'ts' }
    const without = await signRequest(request, credentials, FIXED)
    const withUndefined = await signRequest(
      { ...request, headers: undefined, body: undefined },
      {
        ...credentials,
        signatureMethod: undefined,
        signatureType: undefined,
        rsaKey: undefined,
        realm: undefined,
        callback: undefined,
        verifier: undefined,
        bodyHash: undefined,
      },
      { ...FIXED, clockOffset: undefined },
    )
    expect(withUndefined.signature).toBe(without.signature)
    expect(withUndefined.headers.get('authorization')).toBe(without.headers.get('authorization'))
    expect(withUndefined.url).toBe(without.url)
  })

  it('OAuth1Client and its request init send what they send without them', async () => {
    const sent = []
    for (const undef of [false, true]) {
      const { seen, fetch } = recordingFetch()
      const extra = undef
        ? { redirectUri: undefined, realm: undefined, userAgent: undefined, timeout: undefined }
        : {}
      const client = new OAuth1Client({ clientId: 'ck', clientSecret: 'cs', fetch, ...extra })
      const init = undef ? { headers: undefined, query: undefined, signal: undefined } : {}
      await client.request('GET', 'https://api.example/1/me', { token: TOKEN, nonce: 'n', ...init })
      sent.push(seen.map((r) => ({ url: r.url, realm: /realm=/.test(r.authorization ?? '') })))
    }
    expect(sent[1]).toEqual(sent[0])
    expect(sent[0]).toEqual([{ url: 'https://api.example/1/me', realm: false }])
  })

  it('a RemoteApp call with token: undefined asks fetchToken, as with no token', async () => {
    const { seen, fetch } = recordingFetch()
    const asked: unknown[] = []
    const oauth = new OAuth<{ user: string }>({
      fetchToken: (_name, request) => {
        asked.push(request)
        return TOKEN
      },
    })
    const app = oauth.register('x', {
      clientId: 'ck',
      clientSecret: 'cs',
      apiBaseUrl: 'https://api.example/1/',
      fetch,
    })
    const request = { user: 'alice' }
    const response = await app.get('me', { token: undefined, request, headers: undefined })
    expect(response.status).toBe(200)
    expect(asked).toEqual([request])
    expect(seen[0]?.authorization).toContain('oauth_token="tok"')
  })

  it('clientKwargs with every field undefined signs as without clientKwargs', async () => {
    const { seen, fetch } = recordingFetch()
    const oauth = new OAuth()
    const options = {
      clientId: 'ck',
      clientSecret: 'cs',
      apiBaseUrl: 'https://api.example/1/',
      fetch,
    }
    const plain = oauth.register('plain', options)
    const kw = oauth.register('kw', {
      ...options,
      clientKwargs: {
        signatureMethod: undefined,
        signatureType: undefined,
        rsaKey: undefined,
        realm: undefined,
        forceIncludeBody: undefined,
        bodyHash: undefined,
      },
    })
    await plain.get('me', { token: TOKEN, nonce: 'n' })
    await kw.get('me', { token: TOKEN, nonce: 'n' })
    // the same request but for its time: the timestamp, and the signature over it
    const timeless = (s: { url: string; authorization: string | null } | undefined) => ({
      url: s?.url,
      authorization: s?.authorization?.replace(/oauth_(timestamp|signature)="[^"]*"/g, '$1'),
    })
    expect(timeless(seen[1])).toEqual(timeless(seen[0]))
    expect(seen[0]?.authorization).toContain('oauth_signature_method="HMAC-SHA1"')
  })

  it('the stores and OAuthError take undefined for every option', async () => {
    const entry = { oauth_token: 't', oauth_token_secret: 's', expires_at: Date.now() + 60_000 }
    let record: Record<string, unknown> | undefined
    const access = {
      read: () => record,
      write: (r: Record<string, unknown> | undefined) => {
        record = r
      },
    }
    const sessionStore = createSessionRecordStore(access, {
      sealer: undefined,
      maxEntries: undefined,
      maxBytes: undefined,
      now: undefined,
    })
    await sessionStore.set('app:t', entry)
    expect(await sessionStore.get('app:t')).toEqual(entry)
    const memory = createMemoryStore({ maxEntries: undefined, now: undefined })
    await memory.set('app:t', entry)
    expect(await memory.get('app:t')).toEqual(entry)
    expect(createMemoryServerStore({ maxEntries: undefined, now: undefined })).toBeDefined()
    // a sealer chosen by a condition: `inCookie ? createSealer(secret) : undefined`
    const sealed = createSessionRecordStore(access, {
      sealer: [createSealer('a sealing secret of 32 characters!!'), undefined][1],
    })
    expect(await sealed.get('app:t')).toEqual(entry)
    const err = new OAuthError('access_denied', {
      description: undefined,
      status: undefined,
      oauthProblem: undefined,
      oauthProblemAdvice: undefined,
      response: undefined,
      cause: undefined,
    })
    expect([err.status, err.description, err.oauthProblem]).toEqual([
      403,
      new OAuthError('access_denied').description,
      undefined,
    ])
  })
})
