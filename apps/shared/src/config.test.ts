import { readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'
import { PRESET_NAMES, PRESETS, presetVariable } from './presets.ts'

const defaults = { appDir: '/srv/app', port: 3001 }

describe('loadConfig', () => {
  it('defaults to the local test provider and its default client', () => {
    const config = loadConfig({}, defaults)
    expect(config).toMatchObject({
      providerName: 'Test Provider',
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      requestTokenUrl: 'http://127.0.0.1:4000/oauth/request_token',
      authorizeUrl: 'http://127.0.0.1:4000/oauth/authorize',
      accessTokenUrl: 'http://127.0.0.1:4000/oauth/access_token',
      apiBaseUrl: 'http://127.0.0.1:4000/api/',
      host: '127.0.0.1',
      port: 3001,
      databasePath: '/srv/app/example.db',
      secureCookies: false,
      sessionSecretGenerated: true,
      timeout: 10_000,
      temporaryCredentialTtl: 600_000,
    })
    expect(config.sessionSecret.length).toBeGreaterThanOrEqual(32)
    expect(loadConfig({}, defaults).sessionSecret).not.toBe(config.sessionSecret)
  })

  it('reads PROVIDER_* like the registry, and the app settings', () => {
    const config = loadConfig(
      {
        PROVIDER_URL: 'http://127.0.0.1:4100',
        PROVIDER_CLIENT_ID: 'id',
        PROVIDER_CLIENT_SECRET: 'secret',
        PROVIDER_AUTHORIZE_URL: 'https://api.example/oauth/authenticate',
        PROVIDER_DISPLAY_NAME: 'Example',
        PORT: '0',
        HOST: '0.0.0.0',
        SESSION_SECRET: 's'.repeat(32),
        DATABASE_PATH: ':memory:',
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://app.example/',
        TRUST_PROXY: 'true',
        PROVIDER_TIMEOUT: '2500',
      },
      defaults,
    )
    expect(config).toMatchObject({
      providerName: 'Example',
      clientId: 'id',
      clientSecret: 'secret',
      requestTokenUrl: 'http://127.0.0.1:4100/oauth/request_token',
      authorizeUrl: 'https://api.example/oauth/authenticate',
      port: 0,
      host: '0.0.0.0',
      sessionSecret: 's'.repeat(32),
      sessionSecretGenerated: false,
      databasePath: ':memory:',
      secureCookies: true,
      publicUrl: 'https://app.example',
      trustProxy: true,
      timeout: 2500,
    })
    expect(
      loadConfig(
        { NODE_ENV: 'production', COOKIE_SECURE: 'false', PUBLIC_URL: 'https://app.example' },
        defaults,
      ).secureCookies,
    ).toBe(false)
  })

  it('production: a public URL for the callback, and Secure cookies only behind a trusted proxy', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', TRUST_PROXY: 'true' }, defaults)).toThrow(
      /^PUBLIC_URL \(https:\/\/your\.app\) is required with NODE_ENV=production/,
    )
    expect(() =>
      loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://a.example' }, defaults),
    ).toThrow(
      new TypeError(
        'NODE_ENV=production (which sets COOKIE_SECURE) needs TRUST_PROXY=true: the app speaks plain HTTP, so its cookies can be Secure only behind an https proxy it trusts',
      ),
    )
    expect(() => loadConfig({ COOKIE_SECURE: 'true' }, defaults)).toThrow(
      /^COOKIE_SECURE needs TRUST_PROXY=true/,
    )
    for (const bad of [
      'app.example',
      'ftp://app.example',
      'https://u:p@app.example',
      'https://app.example/base',
      'https://app.example/?x=1',
    ]) {
      expect(() => loadConfig({ PUBLIC_URL: bad }, defaults), bad).toThrow(
        /^PUBLIC_URL must be the app's http\(s\) origin/,
      )
    }
    const dev = loadConfig({}, defaults)
    expect([dev.publicUrl, dev.trustProxy, dev.secureCookies]).toEqual([undefined, false, false])
  })

  it('names the variable when a value is unusable', () => {
    expect(() => loadConfig({ PORT: 'http' }, defaults)).toThrow(
      new TypeError('PORT must be a port number (0-65535), got "http"'),
    )
    expect(() => loadConfig({ PORT: '70000' }, defaults)).toThrow(/^PORT must be/)
    expect(() => loadConfig({ SESSION_SECRET: 'short' }, defaults)).toThrow(
      new TypeError('SESSION_SECRET must be at least 32 characters long'),
    )
    expect(() => loadConfig({ PROVIDER_REQUEST_TOKEN_URL: '/relative' }, defaults)).toThrow(
      new TypeError('PROVIDER_REQUEST_TOKEN_URL must be an absolute http(s) URL, got "/relative"'),
    )
    expect(() => loadConfig({ PROVIDER_URL: 'ftp://x' }, defaults)).toThrow(/^PROVIDER_URL must be/)
    expect(() => loadConfig({ PROVIDER_TIMEOUT: '1.5' }, defaults)).toThrow(
      new TypeError('PROVIDER_TIMEOUT must be a positive number of milliseconds, got "1.5"'),
    )
    expect(() => loadConfig({ PROVIDER_TEMPORARY_CREDENTIAL_TTL: '0' }, defaults)).toThrow(
      /^PROVIDER_TEMPORARY_CREDENTIAL_TTL must be/,
    )
    for (const bad of ['localhost:6379', 'http://127.0.0.1:6379', 'not a url']) {
      expect(() => loadConfig({ REDIS_URL: bad }, defaults)).toThrow(
        new TypeError('REDIS_URL must be a redis:// or rediss:// URL'),
      )
    }
  })

  it('reads REDIS_URL (unset: no Redis, the pending logins stay in the session)', () => {
    expect(loadConfig({}, defaults).redisUrl).toBeUndefined()
    expect(loadConfig({ REDIS_URL: '' }, defaults).redisUrl).toBeUndefined()
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6380/2' }, defaults).redisUrl).toBe(
      'redis://127.0.0.1:6380/2',
    )
    expect(
      loadConfig({ REDIS_URL: 'rediss://user:pw@redis.example:6380' }, defaults).redisUrl,
    ).toBe('rediss://user:pw@redis.example:6380')
  })

  it('takes PROVIDER_PRESET with its options and the client credentials, instead of the URLs', () => {
    const config = loadConfig(
      {
        PROVIDER_PRESET: 'trello',
        PROVIDER_PRESET_OPTIONS: '{"name":"My App","scope":"read,account"}',
        PROVIDER_CLIENT_ID: 'key',
        PROVIDER_CLIENT_SECRET: 'secret',
      },
      defaults,
    )
    expect(config).toMatchObject({
      providerName: 'Trello',
      clientId: 'key',
      clientSecret: 'secret',
      preset: { name: 'trello', options: { name: 'My App', scope: 'read,account' } },
      apiCall: '/1/members/me?fields=username,fullName,url',
    })
    for (const option of ['requestTokenUrl', 'authorizeUrl', 'accessTokenUrl', 'apiBaseUrl']) {
      expect(config, option).not.toHaveProperty(option)
    }
  })

  it('sets URLs over the preset, and the API call and display name, when asked', () => {
    const config = loadConfig(
      {
        PROVIDER_PRESET: 'twitter',
        PROVIDER_CLIENT_ID: 'key',
        PROVIDER_CLIENT_SECRET: 'secret',
        PROVIDER_REQUEST_TOKEN_URL: 'http://127.0.0.1:4000/oauth/request_token',
        PROVIDER_USERINFO_ENDPOINT: 'http://127.0.0.1:4000/2/users/me',
        PROVIDER_API_CALL: '/2/tweets/search/recent?query=oauth',
        PROVIDER_DISPLAY_NAME: 'Twitter',
      },
      defaults,
    )
    expect(config).toMatchObject({
      providerName: 'Twitter',
      requestTokenUrl: 'http://127.0.0.1:4000/oauth/request_token',
      userinfoEndpoint: 'http://127.0.0.1:4000/2/users/me',
      apiCall: '/2/tweets/search/recent?query=oauth',
    })
    expect(config).not.toHaveProperty('authorizeUrl')
  })

  it('needs no consumer secret for an RSA preset', () => {
    const config = loadConfig(
      {
        PROVIDER_PRESET: 'atlassian',
        PROVIDER_PRESET_BASE_URL: 'https://jira.example.com',
        PROVIDER_CLIENT_ID: 'key',
      },
      defaults,
    )
    expect(config).toMatchObject({ providerName: 'Jira', clientSecret: '', apiCall: 'myself' })
  })

  it('names the variable when the preset setup is unusable', () => {
    const preset = { PROVIDER_CLIENT_ID: 'key', PROVIDER_CLIENT_SECRET: 'secret' }
    expect(() => loadConfig({ PROVIDER_PRESET: 'trello' }, defaults)).toThrow(
      new TypeError(
        'PROVIDER_CLIENT_ID is required with PROVIDER_PRESET=trello: the consumer key Trello gave your app',
      ),
    )
    expect(() =>
      loadConfig({ PROVIDER_PRESET: 'twitter', PROVIDER_CLIENT_ID: 'key' }, defaults),
    ).toThrow(
      new TypeError(
        'PROVIDER_CLIENT_SECRET is required with PROVIDER_PRESET=twitter: the consumer secret X gave your app',
      ),
    )
    expect(() =>
      loadConfig(
        { ...preset, PROVIDER_PRESET: 'trello', PROVIDER_URL: 'http://127.0.0.1:4000' },
        defaults,
      ),
    ).toThrow(/^PROVIDER_URL is the local test provider's address: with PROVIDER_PRESET=trello/)
    expect(() => loadConfig({ ...preset, PROVIDER_PRESET: 'mastercard' }, defaults)).toThrow(
      /^PROVIDER_API_CALL is required with PROVIDER_PRESET=mastercard/,
    )
    expect(() =>
      loadConfig({ ...preset, PROVIDER_PRESET: 'trello', PROVIDER_AUTHORIZE_URL: 'x' }, defaults),
    ).toThrow(new TypeError('PROVIDER_AUTHORIZE_URL must be an absolute http(s) URL, got "x"'))
    expect(() =>
      loadConfig(
        { ...preset, PROVIDER_PRESET: 'trello', PROVIDER_PRESET_EXPIRATION: 'soon' },
        defaults,
      ),
    ).toThrow(/^PROVIDER_PRESET_EXPIRATION: trello\(\): expiration must be one of/)
    expect(() => loadConfig({ ...preset, PROVIDER_PRESET: 'flickr ' }, defaults)).toThrow(
      /^PROVIDER_PRESET must be one of/,
    )
    for (const bad of ['javascript:alert(1)', '//evil.example/x', 'a b', 'a\nb']) {
      expect(() => loadConfig({ PROVIDER_API_CALL: bad }, defaults), bad).toThrow(
        /^PROVIDER_API_CALL must be a path such as/,
      )
    }
    expect(loadConfig({ PROVIDER_API_CALL: 'echo?x=1' }, defaults).apiCall).toBe('echo?x=1')
  })
})

describe.each(['express', 'fastify', 'koa', 'hono'])("example-%s's .env.example", (app) => {
  const text = readFileSync(new URL(`../../example-${app}/.env.example`, import.meta.url), 'utf8')
  /** The commented-out `# NAME=value` lines, as a user would uncomment them. */
  const commented = Object.fromEntries(
    [...text.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
  )

  it('starts the app as it is, against the local test provider', () => {
    const config = loadConfig(parseEnv(text), { appDir: '/srv/app', port: 0 })
    expect(config).toMatchObject({ providerName: 'Test Provider', clientId: 'demo-client' })
    expect(config.preset).toBeUndefined()
  })

  it('documents only variables the presets take, and a JSON example that trello() takes', () => {
    const variables = new Set(
      PRESET_NAMES.flatMap((name) => Object.keys(PRESETS[name].options).map(presetVariable)),
    )
    const documented = Object.keys(commented).filter(
      (name) => name.startsWith('PROVIDER_PRESET_') && name !== 'PROVIDER_PRESET_OPTIONS',
    )
    expect(documented.length).toBeGreaterThan(5)
    for (const name of documented) expect(variables, name).toContain(name)
    const config = loadConfig(
      {
        PROVIDER_PRESET: 'trello',
        PROVIDER_PRESET_OPTIONS: commented.PROVIDER_PRESET_OPTIONS,
        PROVIDER_CLIENT_ID: 'key',
        PROVIDER_CLIENT_SECRET: 'secret',
      },
      { appDir: '/srv/app', port: 0 },
    )
    expect(config.preset?.options).toEqual({
      name: 'My App',
      scope: 'read,account',
      expiration: 'never',
    })
  })
})
