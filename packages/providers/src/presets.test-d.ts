import { OAuth, type RemoteApp, type RemoteAppOptions, type Token } from '@oauth1/core'
import { describe, expectTypeOf, it } from 'vitest'
import {
  atlassian,
  discogs,
  etradeRenewAccessToken,
  netsuite,
  type PresetOptions,
  trello,
  twitter,
  type UserInfo,
  woocommerce,
} from './index.js'

describe('preset types', () => {
  it("every preset's result is accepted by the core's register", () => {
    expectTypeOf<PresetOptions>().toExtend<RemoteAppOptions>()
    const oauth = new OAuth({ config: {} })
    expectTypeOf(oauth.register('x', { ...twitter(), clientId: 'a' })).toEqualTypeOf<RemoteApp>()
  })

  it('every preset returns PresetOptions', () => {
    expectTypeOf(twitter()).toEqualTypeOf<PresetOptions>()
    expectTypeOf(
      trello({ name: 'App', scope: ['read', 'write'], expiration: 'never' }),
    ).toEqualTypeOf<PresetOptions>()
  })

  it('enum options and required options are checked by the compiler', () => {
    // @ts-expect-error not an expiration Trello knows
    trello({ expiration: 'forever' })
    // @ts-expect-error not a Trello scope
    trello({ scope: ['admin'] })
    // @ts-expect-error userAgent is required
    discogs()
    // @ts-expect-error accountId is required
    netsuite({})
    // @ts-expect-error storeUrl is required
    woocommerce({ version: 'v3' })
    // @ts-expect-error not an Atlassian product of this preset
    atlassian({ baseUrl: 'https://jira.example.com', product: 'bamboo' })
    // @ts-expect-error unknown option
    twitter({ sandbox: true })
  })

  it('optional options accept undefined (exactOptionalPropertyTypes)', () => {
    const expiration: 'never' | undefined = undefined
    trello({ expiration })
  })

  it('userinfo resolves to UserInfo', () => {
    expectTypeOf(twitter().userinfo).toEqualTypeOf<
      | ((ctx: import('./types.js').UserinfoContext) => import('@oauth1/core').Awaitable<UserInfo>)
      | undefined
    >()
  })

  it('the E*TRADE helpers take any adapter RemoteApp and its request init', () => {
    interface Req {
      session: { id: string }
    }
    const app = {} as RemoteApp<Req>
    const token = {} as Token
    expectTypeOf(etradeRenewAccessToken(app, { token })).toEqualTypeOf<Promise<void>>()
    etradeRenewAccessToken(app, { request: { session: { id: 's' } } })
    // @ts-expect-error the request must be the framework's
    etradeRenewAccessToken(app, { request: 42 })
  })
})
