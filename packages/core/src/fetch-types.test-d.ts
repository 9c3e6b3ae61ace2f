import { describe, expectTypeOf, it } from 'vitest'
import type { KeyObjectLike, OAuth1RequestInit, RsaKey, SignableRequest } from './index.js'

// The published declarations name no DOM-only type (a Node-only project
// compiles them: `pnpm test:packed`). With the DOM lib, as here, the option
// types must still be exactly the DOM's own.
describe('with the DOM lib, the fetch option types are the DOM types', () => {
  it('headers are HeadersInit', () => {
    expectTypeOf<NonNullable<OAuth1RequestInit['headers']>>().toEqualTypeOf<HeadersInit>()
    expectTypeOf<NonNullable<SignableRequest['headers']>>().toEqualTypeOf<HeadersInit>()
  })

  it('a body is a BodyInit, a record of form fields or null', () => {
    expectTypeOf<NonNullable<OAuth1RequestInit['body']>>().toEqualTypeOf<
      BodyInit | Record<string, string>
    >()
  })

  it('an RSA key is a PEM string, a KeyObject or a CryptoKey', () => {
    expectTypeOf<RsaKey>().toEqualTypeOf<string | KeyObjectLike | CryptoKey>()
  })
})
