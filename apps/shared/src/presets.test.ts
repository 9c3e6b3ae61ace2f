import * as providers from '@oauth1/providers'
import { describe, expect, it } from 'vitest'
import {
  createPreset,
  PRESET_NAMES,
  PRESETS,
  presetApiCall,
  presetVariable,
  readPreset,
} from './presets.ts'

/** `fn` throws a TypeError whose message is exactly `message`. */
function typeError(fn: () => unknown, message: string | RegExp): void {
  let thrown: unknown
  try {
    fn()
  } catch (err) {
    thrown = err
  }
  expect(thrown).toBeInstanceOf(TypeError)
  if (typeof message === 'string') expect((thrown as Error).message).toBe(message)
  else expect((thrown as Error).message).toMatch(message)
}

describe('PRESETS', () => {
  it('has every export of @oauth1/providers that is a preset, and nothing else', () => {
    const helpers = ['etradeRenewAccessToken', 'etradeRevokeAccessToken']
    const exported = Object.entries(providers).filter(
      ([name, value]) => typeof value === 'function' && !helpers.includes(name),
    )
    expect([...PRESET_NAMES].sort()).toEqual(exported.map(([name]) => name).sort())
    for (const [name, create] of exported) {
      expect(PRESETS[name as keyof typeof PRESETS].create).toBe(create)
    }
  })

  it("lists exactly each preset's options (the ones its TypeError calls known)", () => {
    for (const name of PRESET_NAMES) {
      let message = ''
      try {
        PRESETS[name].create({ notAnOption: 1 })
      } catch (err) {
        message = (err as Error).message
      }
      const known = /\(known: ([^)]*)\)/.exec(message)?.[1]?.split(', ')
      expect(known, name).toBeDefined()
      expect(Object.keys(PRESETS[name].options).sort(), name).toEqual(
        known!.filter((o) => o !== 'clientId' && o !== 'clientSecret').sort(),
      )
    }
  })

  it('names the variable of each option in upper snake case', () => {
    expect(presetVariable('accountId')).toBe('PROVIDER_PRESET_ACCOUNT_ID')
    expect(presetVariable('name')).toBe('PROVIDER_PRESET_NAME')
    expect(presetVariable('forceLogin')).toBe('PROVIDER_PRESET_FORCE_LOGIN')
  })

  it('has a sample API call for each preset but Mastercard, as a path', () => {
    for (const name of PRESET_NAMES) {
      const call = presetApiCall({ name, options: {} })
      if (name === 'mastercard') expect(call).toBeUndefined()
      else expect(call, name).toMatch(/^[/?a-z]/)
    }
    expect(presetApiCall({ name: 'atlassian', options: { product: 'confluence' } })).toBe(
      'user/current',
    )
  })
})

describe('readPreset', () => {
  it('is undefined without PROVIDER_PRESET', () => {
    expect(readPreset({})).toBeUndefined()
    expect(readPreset({ PROVIDER_PRESET: '' })).toBeUndefined()
  })

  it('reads the options from PROVIDER_PRESET_OPTIONS and PROVIDER_PRESET_<OPTION>', () => {
    expect(
      readPreset({
        PROVIDER_PRESET: 'trello',
        PROVIDER_PRESET_OPTIONS: '{"name":"My App","scope":"read,account"}',
        PROVIDER_PRESET_EXPIRATION: 'never',
      }),
    ).toEqual({
      name: 'trello',
      options: { name: 'My App', scope: 'read,account', expiration: 'never' },
      sources: {
        name: 'PROVIDER_PRESET_OPTIONS',
        scope: 'PROVIDER_PRESET_OPTIONS',
        expiration: 'PROVIDER_PRESET_EXPIRATION',
      },
    })
    expect(readPreset({ PROVIDER_PRESET: 'twitter' })).toEqual({
      name: 'twitter',
      options: {},
      sources: {},
    })
  })

  it('reads booleans, numbers and JSON by the kind of the option', () => {
    expect(
      readPreset({ PROVIDER_PRESET: 'etrade', PROVIDER_PRESET_SANDBOX: 'true' })?.options,
    ).toEqual({ sandbox: true })
    expect(
      readPreset({
        PROVIDER_PRESET: 'mediawiki',
        PROVIDER_PRESET_LEEWAY: '60',
        PROVIDER_PRESET_OOB_CALLBACK: 'false',
        PROVIDER_PRESET_INDEX_URL: 'https://en.wikipedia.org/w/index.php',
      })?.options,
    ).toEqual({
      leeway: 60,
      oobCallback: false,
      indexUrl: 'https://en.wikipedia.org/w/index.php',
    })
    expect(
      readPreset({
        PROVIDER_PRESET: 'netsuite',
        PROVIDER_PRESET_ACCOUNT_ID: '1234567_SB1',
        PROVIDER_PRESET_TOKEN: '{"oauth_token":"t","oauth_token_secret":"s"}',
      })?.options,
    ).toEqual({ accountId: '1234567_SB1', token: { oauth_token: 't', oauth_token_secret: 's' } })
  })

  it('names the variable in every error of its own', () => {
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'myspace' }),
      `PROVIDER_PRESET must be one of ${PRESET_NAMES.join(', ')}, got "myspace"`,
    )
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'constructor' }),
      /^PROVIDER_PRESET must be one of twitter, /,
    )
    typeError(
      () => readPreset({ PROVIDER_PRESET_OPTIONS: '{}' }),
      'PROVIDER_PRESET_OPTIONS is set, but PROVIDER_PRESET is not',
    )
    typeError(
      () => readPreset({ PROVIDER_PRESET_NAME: 'My App' }),
      'PROVIDER_PRESET_NAME is set, but PROVIDER_PRESET is not',
    )
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'trello', PROVIDER_PRESET_OPTIONS: '{name:1}' }),
      /^PROVIDER_PRESET_OPTIONS must be JSON: /,
    )
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'trello', PROVIDER_PRESET_OPTIONS: '["read"]' }),
      'PROVIDER_PRESET_OPTIONS must be a JSON object of trello() options, e.g. {"name":"…"}',
    )
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'etrade', PROVIDER_PRESET_OPTIONS: 'null' }),
      'PROVIDER_PRESET_OPTIONS must be a JSON object of etrade() options, e.g. {"sandbox":true}',
    )
    typeError(
      () =>
        readPreset({ PROVIDER_PRESET: 'trello', PROVIDER_PRESET_OPTIONS: '{"clientSecret":"s"}' }),
      'PROVIDER_PRESET_OPTIONS must not hold clientSecret: set PROVIDER_CLIENT_SECRET',
    )
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'trello', PROVIDER_PRESET_SANDBOX: 'true' }),
      'PROVIDER_PRESET_SANDBOX is not an option of trello() (its variables: PROVIDER_PRESET_NAME, PROVIDER_PRESET_SCOPE, PROVIDER_PRESET_EXPIRATION)',
    )
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'tumblr', PROVIDER_PRESET_NAME: 'x' }),
      'PROVIDER_PRESET_NAME is not an option of tumblr() (it takes none)',
    )
    typeError(
      () =>
        readPreset({
          PROVIDER_PRESET: 'trello',
          PROVIDER_PRESET_NAME: 'A',
          PROVIDER_PRESET_OPTIONS: '{"name":"B"}',
        }),
      'PROVIDER_PRESET_NAME and PROVIDER_PRESET_OPTIONS both set name: keep one',
    )
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'etrade', PROVIDER_PRESET_SANDBOX: 'yes' }),
      'PROVIDER_PRESET_SANDBOX must be true or false, got "yes"',
    )
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'mediawiki', PROVIDER_PRESET_LEEWAY: '5m' }),
      'PROVIDER_PRESET_LEEWAY must be a number, got "5m"',
    )
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'bricklink', PROVIDER_PRESET_TOKEN: 'abc' }),
      /^PROVIDER_PRESET_TOKEN must be JSON: /,
    )
  })

  it("puts the variable in front of the preset's own TypeError", () => {
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'trello', PROVIDER_PRESET_EXPIRATION: 'forever' }),
      'PROVIDER_PRESET_EXPIRATION: trello(): expiration must be one of 1hour, 1day, 30days, never',
    )
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'trello', PROVIDER_PRESET_OPTIONS: '{"scope":"all"}' }),
      /^PROVIDER_PRESET_OPTIONS: trello\(\): scope must be a comma-separated list/,
    )
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'trello', PROVIDER_PRESET_OPTIONS: '{"perms":"read"}' }),
      /^PROVIDER_PRESET_OPTIONS: trello\(\): unknown option "perms"/,
    )
    // A required option nobody set: the variable that should set it.
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'netsuite' }),
      'PROVIDER_PRESET_ACCOUNT_ID: netsuite(): accountId is required',
    )
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'woocommerce', PROVIDER_PRESET_STORE_URL: 'shop' }),
      'PROVIDER_PRESET_STORE_URL: woocommerce(): storeUrl must be an absolute http(s) URL',
    )
    typeError(
      () =>
        readPreset({
          PROVIDER_PRESET: 'bricklink',
          PROVIDER_PRESET_TOKEN: '{"oauth_token":"t"}',
        }),
      /^PROVIDER_PRESET_TOKEN: bricklink\(\): token must be/,
    )
    typeError(
      () => readPreset({ PROVIDER_PRESET: 'twitter', PROVIDER_PRESET_SCREEN_NAME: '@bob' }),
      /^PROVIDER_PRESET_SCREEN_NAME: twitter\(\): screenName must be an X handle/,
    )
  })

  it('keeps the preset error as the cause', () => {
    try {
      createPreset({ name: 'discogs', options: {} })
      expect.unreachable()
    } catch (err) {
      expect((err as Error).message).toBe(
        'PROVIDER_PRESET_USER_AGENT: discogs(): userAgent is required',
      )
      expect((err as Error).cause).toBeInstanceOf(TypeError)
    }
  })
})

describe('createPreset', () => {
  it('returns what the preset returns', () => {
    expect(createPreset({ name: 'trello', options: { expiration: 'never' } })).toEqual(
      providers.trello({ expiration: 'never' }),
    )
  })

  it('refuses an unknown preset name', () => {
    typeError(
      () => createPreset({ name: 'nope' as 'trello', options: {} }),
      /^preset\.name must be one of twitter, /,
    )
  })
})
