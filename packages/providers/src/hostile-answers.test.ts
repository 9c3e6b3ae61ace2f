/**
 * Provider answers built to break the presets' reading of them, through the
 * core's real registry (a `fetch` of the test's own, no network): each must
 * end in an `OAuthError`, never a RangeError, a hang or a `sub` no user has.
 */
import { createMemoryStore, isOAuthError, OAuth, type OAuthError, type Token } from '@oauth1/core'
import { describe, expect, it } from 'vitest'
import { etradeRenewAccessToken, etradeRevokeAccessToken, type PresetOptions } from './index.js'
import { PRESETS } from './presets.test-helper.js'

const TOKEN: Token = { oauth_token: 'tok', oauth_token_secret: 'sec' }
/** JSON nested 10,000 deep: JSON.parse reads it, JSON.stringify throws a RangeError on it. */
const DEEP = `${'['.repeat(10_000)}${']'.repeat(10_000)}`

type Answer = (url: URL) => Response

function register(preset: PresetOptions, answer: Answer, timeout = 2000) {
  return new OAuth({ config: {} }).register('app', {
    ...preset,
    clientId: 'ck',
    clientSecret: 'cs',
    timeout,
    fetch: async (input: RequestInfo | URL) => answer(new URL(String(input))),
  })
}

async function rejection(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise
  } catch (err) {
    if (isOAuthError(err)) return err
    throw new Error(`rejected with ${String(err)} instead of an OAuthError`, { cause: err })
  }
  throw new Error('resolved instead of rejecting')
}

const withUserinfo = Object.entries(PRESETS).filter(
  ([, { valid }]) => (valid() as PresetOptions).userinfo !== undefined,
)

describe('every preset with a userinfo', () => {
  it.each(withUserinfo)(
    '%s: an error answer with a deeply nested body is request_failed',
    async (_name, { valid }) => {
      const app = register(
        valid() as PresetOptions,
        () => new Response(`{"error":${DEEP}}`, { status: 400 }),
      )
      const err = await rejection(app.userinfo({ token: TOKEN }))
      expect(err.code).toBe('request_failed')
    },
  )

  it.each(withUserinfo)(
    '%s: a body of chunks that are not bytes is an OAuthError',
    async (_name, { valid }) => {
      const app = register(
        valid() as PresetOptions,
        () =>
          new Response(
            new ReadableStream({
              start(controller) {
                controller.enqueue('{}')
                controller.close()
              },
            }),
          ),
      )
      await rejection(app.userinfo({ token: TOKEN }))
    },
  )
})

describe('values shown in error descriptions', () => {
  it('tumblr: a nested meta.status is described by its kind, a long one cut', async () => {
    const nested = register(
      PRESETS.tumblr.valid(),
      () => new Response(`{"meta":{"status":${DEEP}}}`),
    )
    const err = await rejection(nested.userinfo({ token: TOKEN }))
    expect(err.code).toBe('request_failed')
    expect(err.description).toBe('tumblr userinfo: meta.status is an array')
    const long = register(PRESETS.tumblr.valid(), () =>
      Response.json({ meta: { status: 'x'.repeat(100_000) } }),
    )
    const cut = await rejection(long.userinfo({ token: TOKEN }))
    expect(cut.description).toBe(`tumblr userinfo: meta.status is "${'x'.repeat(100)}…"`)
  })

  it("mediawiki: a JWT header's nested alg is refused before anything else", async () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64url')
    const app = register(
      PRESETS.mediawiki.valid(),
      () => new Response(`${b64(`{"alg":${DEEP}}`)}.${b64('{}')}.AAAA`),
    )
    const err = await rejection(app.userinfo({ token: TOKEN }))
    expect(err.code).toBe('request_failed')
    expect(err.description).toContain('the JWT is signed with an array, not HS256')
  })
})

/** Logs in through `preset` with an access-token answer of `fields` (JSON), then asks userinfo. */
async function userinfoAfter(
  preset: PresetOptions,
  fields: string,
  profile: (url: URL) => Response | undefined,
) {
  const asked: string[] = []
  const app = register(preset, (url) => {
    asked.push(url.pathname)
    if (/\/(request_token|request)$/.test(url.pathname)) {
      return new Response('oauth_token=rt&oauth_token_secret=rts&oauth_callback_confirmed=true')
    }
    if (/\/(access_token|access)$/.test(url.pathname)) {
      return new Response(`{"oauth_token":"at","oauth_token_secret":"ats",${fields}}`, {
        headers: { 'content-type': 'application/json' },
      })
    }
    return profile(url) ?? new Response('not found', { status: 404 })
  })
  const store = createMemoryStore()
  await app.beginAuthorization(store, 'https://app.example/cb')
  const token = await app.completeAuthorization(store, '?oauth_token=rt&oauth_verifier=v')
  const info = await app.userinfo({ token })
  return { info, token, asked }
}

describe('a user id in the access-token answer that is no id', () => {
  const xProfile = (url: URL) =>
    url.pathname === '/2/users/me'
      ? Response.json({ data: { id: '2244994945', username: 'jdoe' } })
      : undefined
  it.each([
    ['an object', '{"a":1}'],
    ['an array', '["x"]'],
    ['a boolean', 'true'],
    ['a fraction', '1.5'],
    ['a number past 2^53 (JSON.parse cannot read it exactly)', '12345678901234567890'],
    ['a number past the largest double', '1e400'],
  ])('X, %s: the profile endpoint says who the user is', async (_kind, userId) => {
    const { info, asked } = await userinfoAfter(
      PRESETS.twitter.valid(),
      `"user_id":${userId},"screen_name":"jdoe"`,
      xProfile,
    )
    expect(info.sub).toBe('2244994945')
    expect(asked).toContain('/2/users/me')
  })

  it('X, an id of digits in a JSON answer is read as the token answered it', async () => {
    const { info, asked } = await userinfoAfter(
      PRESETS.twitter.valid(),
      '"user_id":"12345678901234567890","screen_name":"jdoe"',
      xProfile,
    )
    expect(info.sub).toBe('12345678901234567890')
    expect(asked).not.toContain('/2/users/me')
  })

  it('Flickr, an NSID that is not one: flickr.test.login says who the user is', async () => {
    const { info } = await userinfoAfter(PRESETS.flickr.valid(), '"user_nsid":{"a":1}', (url) =>
      url.searchParams.get('method') === 'flickr.test.login'
        ? Response.json({
            stat: 'ok',
            user: { id: '12345678@N00', username: { _content: 'jdoe' } },
          })
        : undefined,
    )
    expect(info.sub).toBe('12345678@N00')
  })

  it('Zotero, a userID that is not one: /keys/current says who the user is', async () => {
    const { info } = await userinfoAfter(PRESETS.zotero.valid(), '"userID":true', (url) =>
      url.pathname === '/keys/current'
        ? Response.json({ userID: 475425, username: 'jdoe' })
        : undefined,
    )
    expect(info.sub).toBe('475425')
  })
})

describe('E*TRADE renew and revoke', () => {
  const endless = () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('oauth_problem='))
        },
      }),
      { status: 401 },
    )

  it.each([
    ['etradeRenewAccessToken', etradeRenewAccessToken],
    ['etradeRevokeAccessToken', etradeRevokeAccessToken],
  ])('%s: an error answer whose body never ends is refused at the timeout', async (_name, call) => {
    const app = register(PRESETS.etrade.valid(), endless, 200)
    const started = Date.now()
    const err = await rejection(call(app, { token: TOKEN }))
    expect(err.code).toBe('fetch_token_denied')
    expect(err.description).toMatch(/answered HTTP 401/)
    expect(Date.now() - started).toBeLessThan(5000)
  })
})
