// OAuthError as a user's catch block sees it: `code` is the union of the codes the library
// throws (errors.test.ts checks the runtime list), so a switch over it is checked, a misspelt
// code does not compile, and isOAuthError narrows an unknown.
import { describe, expectTypeOf, it } from 'vitest'
import {
  isOAuthError,
  OAuthError,
  type OAuthErrorCode,
  type OAuthErrorCodes,
  type ProviderResponse,
} from './index.js'

describe('OAuthError types', () => {
  it('code is the union of OAuthErrorCodes, the other fields as documented', () => {
    expectTypeOf<OAuthError['code']>().toEqualTypeOf<OAuthErrorCode>()
    expectTypeOf<OAuthErrorCode>().toEqualTypeOf<(typeof OAuthErrorCodes)[number]>()
    expectTypeOf<OAuthErrorCode>().toEqualTypeOf<
      | 'missing_token'
      | 'missing_verifier'
      | 'missing_temporary_credential'
      | 'access_denied'
      | 'callback_not_confirmed'
      | 'fetch_token_denied'
      | 'invalid_token_response'
      | 'request_timeout'
      | 'request_failed'
      | 'store_unavailable'
      | 'insecure_transport'
    >()
    expectTypeOf<OAuthError['status']>().toEqualTypeOf<number>()
    expectTypeOf<OAuthError['statusCode']>().toEqualTypeOf<number>()
    expectTypeOf<OAuthError['description']>().toEqualTypeOf<string>()
    expectTypeOf<OAuthError['oauthProblem']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<OAuthError['response']>().toEqualTypeOf<ProviderResponse | undefined>()
  })

  it('isOAuthError narrows what a catch block holds', () => {
    const caught: unknown = new OAuthError('access_denied')
    if (isOAuthError(caught)) expectTypeOf(caught.code).toEqualTypeOf<OAuthErrorCode>()
    // @ts-expect-error an unknown has no code before narrowing
    void caught.code
  })

  it('refuses codes the library never throws', () => {
    const error = new OAuthError('request_timeout', { status: 504 })
    // @ts-expect-error not an OAuthErrorCode: the comparison can never be true
    if (error.code === 'timeout') throw error
    // @ts-expect-error not an OAuthErrorCode
    new OAuthError('invalid_request')
    // @ts-expect-error the status is a number
    new OAuthError('request_failed', { status: '502' })
  })
})
