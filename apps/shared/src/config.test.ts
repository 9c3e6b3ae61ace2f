import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'

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
      timeout: 2500,
    })
    expect(
      loadConfig({ NODE_ENV: 'production', COOKIE_SECURE: 'false' }, defaults).secureCookies,
    ).toBe(false)
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
})
