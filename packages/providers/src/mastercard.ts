import type { ClientRsaKey } from '@oauth1/core'
import { credentials, optionalBoolean, readOptions, rsaKeyOption } from './options.js'
import type { ClientCredentialOptions, PresetOptions } from './types.js'

/** Options of {@link mastercard}. */
export interface MastercardOptions extends ClientCredentialOptions {
  /** `true`: `https://sandbox.api.mastercard.com/` (sandbox keys); default production. */
  sandbox?: boolean | undefined
  /**
   * The signing key (PEM, or a key object). Mastercard's portal gives a
   * PKCS#12 file: `openssl pkcs12 -in key.p12 -nocerts -nodes` prints the PEM.
   * Default: `clientKwargs.rsaKey`, else config `<NAME>_RSA_KEY`.
   */
  rsaKey?: ClientRsaKey | undefined
}

/**
 * Mastercard Developers APIs: signing only. The consumer key and an RSA
 * signing key sign every call with RSA-SHA256 and `oauth_body_hash`
 * (SHA-256 of the body, also of an empty body or a GET); no token, no login
 * flow, no `userinfo`, no consumer secret. `oauth.<name>.get(url)` works
 * with no token at all. Mastercard also accepts RSA-PSS (since 2026-03),
 * which this library does not sign.
 *
 * @see https://github.com/Mastercard/oauth1-signer-nodejs
 * @example
 * ```ts
 * oauth.register('mastercard', mastercard({ sandbox: true, rsaKey: readFileSync('key.pem', 'utf8') }))
 * await oauth.mastercard.post('atms/v1/atm', { body: JSON.stringify(query), headers: { 'content-type': 'application/json' } })
 * ```
 */
export function mastercard(options: MastercardOptions = {}): PresetOptions {
  const r = readOptions('mastercard', options, ['sandbox', 'rsaKey'])
  const sandbox = optionalBoolean(r, 'sandbox') ?? false
  const rsaKey = rsaKeyOption(r, 'rsaKey')
  return {
    ...credentials(r),
    apiBaseUrl: sandbox ? 'https://sandbox.api.mastercard.com/' : 'https://api.mastercard.com/',
    withholdToken: true,
    clientKwargs:
      rsaKey === undefined
        ? { signatureMethod: 'RSA-SHA256', bodyHash: true }
        : { signatureMethod: 'RSA-SHA256', bodyHash: true, rsaKey },
  }
}
