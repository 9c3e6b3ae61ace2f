import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import {
  defaultStatus,
  isOAuthError,
  MAX_ERROR_BODY,
  OAuthError,
  type OAuthErrorCode,
  OAuthErrorCodes,
  redactCommandArguments,
} from './errors.js'
import { OAuth } from './registry.js'

/**
 * DESIGN.md "Errors": 400 for a bad callback, 401 for no token (an API call;
 * the registry passes 400 itself for a callback without one), 403 for a
 * refusal, 502 when the provider failed, 504 when it timed out. An insecure
 * endpoint is the app's own misconfiguration: 500. The temporary-credential
 * store failing (Redis down) is a 503. Written out here, not read
 * from `defaultStatus`, so a change to either shows.
 */
const EXPECTED_STATUS: Record<OAuthErrorCode, number> = {
  missing_token: 401,
  missing_verifier: 400,
  missing_temporary_credential: 400,
  access_denied: 403,
  callback_not_confirmed: 502,
  fetch_token_denied: 502,
  invalid_token_response: 502,
  request_timeout: 504,
  request_failed: 502,
  store_unavailable: 503,
  insecure_transport: 500,
}

describe('OAuthError codes and statuses', () => {
  it('has exactly the codes of DESIGN.md', () => {
    expect([...OAuthErrorCodes].sort()).toEqual(Object.keys(EXPECTED_STATUS).sort())
    expect(defaultStatus).toEqual(EXPECTED_STATUS)
  })

  it.each(OAuthErrorCodes)(
    '%s: the default status, mirrored as statusCode, exposed below 500',
    (code) => {
      const err = new OAuthError(code)
      expect(err.status).toBe(EXPECTED_STATUS[code])
      expect(err.statusCode).toBe(err.status)
      expect(err.expose).toBe(EXPECTED_STATUS[code] < 500)
    },
  )

  it('exposes 4xx only: what Koa and http-errors show the user', () => {
    expect(new OAuthError('missing_verifier').expose).toBe(true)
    expect(new OAuthError('missing_token').expose).toBe(true)
    expect(new OAuthError('access_denied').expose).toBe(true)
    expect(new OAuthError('fetch_token_denied').expose).toBe(false)
    expect(new OAuthError('request_timeout').expose).toBe(false)
    expect(new OAuthError('insecure_transport').expose).toBe(false)
    expect(new OAuthError('fetch_token_denied', { status: 499 }).expose).toBe(true)
    expect(new OAuthError('missing_verifier', { status: 500 }).expose).toBe(false)
  })

  it('an explicit status overrides the default, in status, statusCode and expose', () => {
    // The registry answers a callback without oauth_token with 400, not the API call's 401.
    const callback = new OAuthError('missing_token', { status: 400 })
    expect(callback.status).toBe(400)
    expect(callback.statusCode).toBe(400)
    expect(callback.expose).toBe(true)
    const upstream = new OAuthError('access_denied', { status: 502 })
    expect(upstream.status).toBe(502)
    expect(upstream.statusCode).toBe(502)
    expect(upstream.expose).toBe(false)
  })
})

describe('OAuthError fields', () => {
  it('is an Error named OAuthError with code, description and "code: description" as message', () => {
    const err = new OAuthError('access_denied', { description: 'The user refused' })
    expect(err).toBeInstanceOf(Error)
    expect(err).toBeInstanceOf(OAuthError)
    expect(err.name).toBe('OAuthError')
    expect(err.code).toBe('access_denied')
    expect(err.description).toBe('The user refused')
    expect(err.message).toBe('access_denied: The user refused')
    expect(String(err)).toBe('OAuthError: access_denied: The user refused')
    expect(err.stack).toContain('OAuthError: access_denied: The user refused')
  })

  it('describes itself by its code when given no description', () => {
    const err = new OAuthError('missing_temporary_credential')
    expect(err.description).toBe('missing temporary credential')
    expect(err.message).toBe('missing_temporary_credential: missing temporary credential')
  })

  it('keeps the cause, and has none when given none', () => {
    const cause = new TypeError('fetch failed')
    const err = new OAuthError('fetch_token_denied', { cause })
    expect(err.cause).toBe(cause)
    expect(Object.hasOwn(err, 'cause')).toBe(true)
    const falsy = new OAuthError('fetch_token_denied', { cause: 0 })
    expect(falsy.cause).toBe(0)
    expect(Object.hasOwn(new OAuthError('fetch_token_denied'), 'cause')).toBe(false)
  })

  it('carries oauthProblem and the provider response when given them', () => {
    const response = { status: 401, headers: { 'content-type': 'text/plain' }, body: 'no' }
    const err = new OAuthError('fetch_token_denied', { oauthProblem: 'nonce_used', response })
    expect(err.oauthProblem).toBe('nonce_used')
    expect(err.response).toEqual(response)
    // the app's status, not the provider's
    expect(err.status).toBe(502)
    const bare = new OAuthError('fetch_token_denied')
    expect(bare.oauthProblem).toBeUndefined()
    expect(bare.response).toBeUndefined()
  })

  it('bounds provider bodies at 2048 characters', () => {
    expect(MAX_ERROR_BODY).toBe(2048)
  })
})

describe('OAuthError.toJSON', () => {
  it('serialises name, code, description and status; no message, stack or cause', () => {
    const err = new OAuthError('request_timeout', {
      description: 'https://p.test/rt did not answer within 10 ms',
      cause: new Error('secret-ish cause'),
    })
    expect(err.toJSON()).toEqual({
      name: 'OAuthError',
      code: 'request_timeout',
      description: 'https://p.test/rt did not answer within 10 ms',
      status: 504,
    })
    expect(JSON.parse(JSON.stringify(err))).toEqual(err.toJSON())
    expect(JSON.stringify(err)).not.toContain('secret-ish')
  })

  it('adds oauthProblem and response when present, and an explicit status', () => {
    const response = { status: 400, headers: { 'x-a': 'b' }, body: 'oauth_problem=x' }
    const err = new OAuthError('fetch_token_denied', {
      description: 'denied',
      status: 503,
      oauthProblem: 'x',
      response,
    })
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'OAuthError',
      code: 'fetch_token_denied',
      description: 'denied',
      status: 503,
      oauthProblem: 'x',
      response,
    })
  })
})

describe('isOAuthError', () => {
  it('recognises an OAuthError, and a subclass even under another name', () => {
    class ProviderError extends OAuthError {
      constructor() {
        super('access_denied')
        this.name = 'ProviderError'
      }
    }
    expect(isOAuthError(new OAuthError('access_denied'))).toBe(true)
    expect(isOAuthError(new ProviderError())).toBe(true)
  })

  it('recognises a look-alike from another copy of the package', () => {
    class OtherCopyError extends Error {
      readonly code = 'access_denied'
      constructor() {
        super('access_denied: access denied')
        this.name = 'OAuthError'
      }
    }
    const lookAlike = new OtherCopyError()
    expect(lookAlike).not.toBeInstanceOf(OAuthError)
    expect(isOAuthError(lookAlike)).toBe(true)
  })

  const dist = new URL('../dist/index.cjs', import.meta.url)
  it.skipIf(!existsSync(dist))(
    'recognises an OAuthError of the built package (a real second copy; skipped before `pnpm build`)',
    () => {
      const other = createRequire(import.meta.url)(
        fileURLToPath(dist),
      ) as typeof import('./index.js')
      expect(other.OAuthError).not.toBe(OAuthError)
      const err = new other.OAuthError('access_denied')
      expect(err).not.toBeInstanceOf(OAuthError)
      expect(isOAuthError(err)).toBe(true)
      expect(other.isOAuthError(new OAuthError('access_denied'))).toBe(true)
    },
  )

  it('refuses what is not an OAuthError', () => {
    const namedOnly = new Error('x')
    namedOnly.name = 'OAuthError'
    const numericCode = Object.assign(new Error('x'), { name: 'OAuthError', code: 401 })
    const otherName = Object.assign(new Error('x'), { code: 'access_denied' })
    for (const value of [
      namedOnly,
      numericCode,
      otherName,
      new TypeError('clientId must be a non-empty string'),
      { name: 'OAuthError', code: 'access_denied', message: 'plain object' },
      'OAuthError',
      null,
      undefined,
      0,
    ]) {
      expect(isOAuthError(value)).toBe(false)
    }
  })
})

describe('redactCommandArguments', () => {
  const replyError = (args: unknown[]) =>
    Object.assign(new Error("READONLY You can't write against a read only replica."), {
      command: { name: 'set', args },
    })

  it('blanks every argument but the key of the command ioredis puts on its errors', () => {
    const err = replyError(['oauth1:id:app:tok', '{"oauth_token_secret":"s3cr3t"}', 'PX', 600000])
    expect(redactCommandArguments(err)).toBe(err)
    expect(err.command.args).toEqual([
      'oauth1:id:app:tok',
      '[redacted]',
      '[redacted]',
      '[redacted]',
    ])
  })

  it("blanks a cluster error's lastNodeError too", () => {
    const node = replyError(['k', 'secret-value'])
    const err = Object.assign(new Error('Failed to refresh slots cache.'), { lastNodeError: node })
    redactCommandArguments(err)
    expect(node.command.args).toEqual(['k', '[redacted]'])
  })

  it('cuts the arguments Redis quotes in its own message, from the stack too', () => {
    const err = new Error(
      "ERR unknown command 'SET', with args beginning with: 'oauth1:id:app:tok' '{\"oauth_token_secret\":\"s3cr3t\"}' 'PX' '600000' ",
    )
    expect(redactCommandArguments(err)).toBe(err)
    expect(err.message).toBe("ERR unknown command 'SET' (its arguments left out)")
    expect(err.stack).not.toContain('s3cr3t')
    expect(inspect(err)).not.toContain('s3cr3t')
  })

  it('drops an error whose command cannot be edited, and leaves anything else alone', () => {
    const frozen = Object.assign(new Error('x'), {
      command: Object.freeze({ name: 'set', args: ['k', 'secret-value'] }),
    })
    expect(redactCommandArguments(frozen)).toBeUndefined()
    const plain = new Error('ECONNREFUSED')
    expect(redactCommandArguments(plain)).toBe(plain)
    for (const value of [
      undefined,
      null,
      'boom',
      42,
      { command: null },
      { command: { args: 'x' } },
    ]) {
      expect(redactCommandArguments(value)).toBe(value)
    }
  })

  it('is applied to what a failing temporary-credential store throws (store_unavailable)', async () => {
    const oauth = new OAuth({ config: {} })
    const fetch: typeof globalThis.fetch = async () =>
      new Response(
        'oauth_token=t&oauth_token_secret=temporary-secret&oauth_callback_confirmed=true',
      )
    oauth.register('app', {
      clientId: 'ck',
      clientSecret: 'cs',
      requestTokenUrl: 'https://provider.test/rt',
      accessTokenUrl: 'https://provider.test/at',
      authorizeUrl: 'https://provider.test/au',
      fetch,
    })
    const store = {
      get: () => null,
      delete: () => {},
      set: (key: string, value: unknown) => {
        throw replyError([key, JSON.stringify(value), 'PX', 600000])
      },
    }
    const err = await oauth.app.beginAuthorization(store, 'https://app.test/cb').then(
      () => undefined,
      (e: unknown) => e as OAuthError,
    )
    expect(err?.code).toBe('store_unavailable')
    expect(inspect(err, { depth: 10, showHidden: true })).not.toContain('temporary-secret')
  })
})
