// middleware({ sessionKey }): two OAuth registries in one app (one per router prefix), each
// with its own secret and its own key in ctx.session, keep their pending logins apart, whether
// their middleware runs on the app or in the router. Real HTTP with a cookie jar; Koa's default
// error handling answers errors (an exposed error's message: "<code>: <description>").
import Router from '@koa/router'
import { createMemoryServerStore } from '@oauth1/core'
import { createTestBrowser, outcomeOf, WRONG_VALUES } from '@oauth1/core/testing'
import { createTestProvider } from '@oauth1/testing'
import Koa from 'koa'
import session from 'koa-session'
import { describe, expect, it, onTestFinished } from 'vitest'
import { listen } from './http.test-helper.js'
import { type KoaMiddlewareOptions, OAuth, SESSION_KEY } from './index.js'

type Mount = 'on the app' | 'in the router'

/**
 * An app with two registries, `x` (router at /x) and `y` (router at /y), each registering
 * the provider under the given names, with its own middleware mounted as `mount` says;
 * GET /session answers the session's data.
 */
async function twoRegistries(
  mount: Mount,
  names: { x: string; y: string },
  options: { x: KoaMiddlewareOptions; y: KoaMiddlewareOptions },
) {
  const provider = await createTestProvider({ autoApprove: 'bob' })
  onTestFinished(() => provider.close())
  const registration = {
    clientId: provider.client.id,
    clientSecret: provider.client.secret,
    requestTokenUrl: provider.requestTokenUrl,
    authorizeUrl: provider.authorizeUrl,
    accessTokenUrl: provider.accessTokenUrl,
  }
  const app = new Koa()
  app.keys = ['a koa session key of at least 32 characters']
  app.use(session(app))
  const routers: Router[] = []
  for (const prefix of ['x', 'y'] as const) {
    const oauth = new OAuth({ config: {} })
    oauth.register(names[prefix], registration)
    const routes = new Router({ prefix: `/${prefix}` })
    if (mount === 'on the app') app.use(oauth.middleware(options[prefix]))
    else routes.use(oauth.middleware(options[prefix]))
    const remote = (name: string) => {
      const found = oauth.createClient(name)
      if (found === undefined) throw new Error(`no app ${name}`)
      return found
    }
    routes.get('/login/:name', (ctx) =>
      remote(ctx.params.name as string).authorizeRedirect(
        ctx,
        `/${prefix}/callback/${ctx.params.name}`,
      ),
    )
    routes.get('/callback/:name', async (ctx) => {
      const token = await remote(ctx.params.name as string).authorizeAccessToken(ctx)
      ctx.body = { registry: prefix, user: token.screen_name }
    })
    routers.push(routes)
  }
  for (const routes of routers) app.use(routes.routes())
  app.use((ctx) => {
    if (ctx.path === '/session') ctx.body = ctx.session?.toJSON() ?? {}
  })
  app.silent = true
  const { url, close } = await listen(app)
  onTestFinished(close)
  const browser = createTestBrowser(url)
  /** Starts a login at `path`; the callback URL the provider sends the browser back to. */
  const login = async (path: string): Promise<string> => {
    const begin = await browser.fetch(path)
    expect(begin.status).toBe(302)
    const consent = await fetch(begin.headers.get('location') as string, { redirect: 'manual' })
    expect(consent.status).toBe(302)
    return consent.headers.get('location') as string
  }
  const sessionData = async () =>
    (await (await browser.fetch('/session')).json()) as Record<string, unknown>
  const errorCode = async (response: Response) => (await response.text()).split(':', 1)[0]
  return { browser, login, sessionData, errorCode }
}

const SECRET_X = 'a secret of registry x, 32+ characters long'
const SECRET_Y = 'a secret of registry y, 32+ characters long'
const OWN_KEYS = {
  x: { secret: SECRET_X, sessionKey: 'oauth1X' },
  y: { secret: SECRET_Y, sessionKey: 'oauth1Y' },
}

describe.each<Mount>(['on the app', 'in the router'])(
  'two registries in one app, each with its own sessionKey (middleware %s)',
  (mount) => {
    it('completes a login pending in each, with different secrets, in either order', async () => {
      const { browser, login, sessionData } = await twoRegistries(
        mount,
        { x: 'a', y: 'b' },
        OWN_KEYS,
      )
      const a = await login('/x/login/a')
      const b = await login('/y/login/b')
      // Each registry's pending login is under its own key, none under the default.
      const data = await sessionData()
      expect(Object.keys(data.oauth1X as object)).toHaveLength(1)
      expect(Object.keys(data.oauth1Y as object)).toHaveLength(1)
      expect(data).not.toHaveProperty(SESSION_KEY)
      const doneB = await browser.fetch(b)
      expect(doneB.status).toBe(200)
      expect(await doneB.json()).toEqual({ registry: 'y', user: 'bob' })
      const doneA = await browser.fetch(a)
      expect(doneA.status).toBe(200)
      expect(await doneA.json()).toEqual({ registry: 'x', user: 'bob' })
    })

    it("refuses x's callback at y's route when both register the same name, and x's still completes", async () => {
      const { browser, login, errorCode } = await twoRegistries(mount, { x: 'a', y: 'a' }, OWN_KEYS)
      const callback = await login('/x/login/a')
      const wrong = await browser.fetch(callback.replace('/x/callback/', '/y/callback/'))
      expect(wrong.status).toBe(400)
      expect(await errorCode(wrong)).toBe('missing_temporary_credential')
      const right = await browser.fetch(callback)
      expect(right.status).toBe(200)
      expect(await right.json()).toEqual({ registry: 'x', user: 'bob' })
    })

    it('keeps them apart with the same name and no secret of their own', async () => {
      const { browser, login, errorCode, sessionData } = await twoRegistries(
        mount,
        { x: 'a', y: 'a' },
        { x: { sessionKey: 'oauth1X' }, y: {} },
      )
      const callback = await login('/x/login/a')
      expect(Object.keys(await sessionData())).toContain('oauth1X')
      const wrong = await browser.fetch(callback.replace('/x/callback/', '/y/callback/'))
      expect(wrong.status).toBe(400)
      expect(await errorCode(wrong)).toBe('missing_temporary_credential')
      expect((await browser.fetch(callback)).status).toBe(200)
    })

    it('keeps the binding id under the sessionKey with a server-side store', async () => {
      const { browser, login, sessionData } = await twoRegistries(
        mount,
        { x: 'a', y: 'a' },
        {
          x: { store: createMemoryServerStore(), sessionKey: 'bindingX' },
          y: { store: createMemoryServerStore(), sessionKey: 'bindingY' },
        },
      )
      const x = await login('/x/login/a')
      const y = await login('/y/login/a')
      const data = await sessionData()
      expect(typeof data.bindingX).toBe('string')
      expect(typeof data.bindingY).toBe('string')
      expect(data.bindingX).not.toBe(data.bindingY)
      expect(data).not.toHaveProperty(SESSION_KEY)
      expect(await (await browser.fetch(x)).json()).toEqual({ registry: 'x', user: 'bob' })
      expect(await (await browser.fetch(y)).json()).toEqual({ registry: 'y', user: 'bob' })
    })
  },
)

describe('middleware({ sessionKey }) validation', () => {
  const MESSAGE =
    'TypeError: options.sessionKey should be a non-empty string that is not a member of ' +
    'koa-session\'s session or Object.prototype (isNew, maxAge, toJSON, save, a name starting with "_"…)'

  it.each([
    ...WRONG_VALUES,
    ...[
      'isNew',
      'length',
      'populated',
      'maxAge',
      'externalKey',
      'save',
      'regenerate',
      'manuallyCommit',
      'commit',
      'toJSON',
      'inspect',
      '_requireSave',
      '_maxAge',
      '_session',
      '__proto__',
      'constructor',
      'hasOwnProperty',
    ].map((name) => [name, name]),
  ] as [string, unknown][])('refuses %s', (_what, value) => {
    expect(
      outcomeOf(() => new OAuth({ config: {} }).middleware({ sessionKey: value as never })),
    ).toBe(MESSAGE)
  })

  it('takes part in the options a second middleware() must repeat', () => {
    const oauth = new OAuth({ config: {} })
    oauth.middleware({ sessionKey: 'pending' })
    expect(() => oauth.middleware({ sessionKey: 'pending', context: false })).not.toThrow()
    for (const other of [{}, { sessionKey: 'other' }]) {
      expect(() => oauth.middleware(other)).toThrow(
        /^oauth\.middleware\(options\) was already called with other options/,
      )
    }
    // The default, named or not, is the same key.
    const plain = new OAuth({ config: {} })
    plain.middleware()
    expect(() => plain.middleware({ sessionKey: SESSION_KEY })).not.toThrow()
  })
})
