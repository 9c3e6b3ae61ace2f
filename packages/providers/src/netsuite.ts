import type { Token } from '@oauth1/core'
import { credentials, optionalString, readOptions, requiredString, tokenOption } from './options.js'
import type { ClientCredentialOptions, PresetOptions } from './types.js'

/** Options of {@link netsuite}. */
export interface NetSuiteOptions extends ClientCredentialOptions {
  /**
   * Required: the account id, in either spelling (`'1234567'`,
   * `'1234567_SB1'` or `'1234567-sb1'`). The realm is upper case with `_`
   * (`1234567_SB1`), the hosts lower case with `-` (`1234567-sb1.…`).
   */
  accountId: string
  /**
   * `state` on the consent page (up to 512 letters and digits), echoed on the
   * callback. The core already binds the callback to the login that started
   * it; this is for your own use.
   */
  state?: string | undefined
  /**
   * Pre-issued token credentials (created in NetSuite's UI or by `issuetoken`):
   * used for API calls when no other token is found.
   */
  token?: Token | undefined
}

const ACCOUNT_ID = {
  pattern: /^[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)?$/,
  hint: 'a NetSuite account id such as 1234567 or 1234567_SB1',
}
const STATE = { pattern: /^[A-Za-z0-9]{1,512}$/, hint: 'at most 512 letters and digits' }

/**
 * Oracle NetSuite token-based authentication (TBA): the three-step flow
 * (since 2019.2) or pre-issued tokens. HMAC-SHA256 only, in the Authorization
 * header with `realm` = the account id (upper case, `_`). Every URL comes from
 * `accountId`: token endpoints `https://<account>.restlets.api.netsuite.com/rest/
 * requesttoken|accesstoken`, consent page `https://<account>.app.netsuite.com/
 * app/login/secure/authorizetoken.nl`, API (RESTlets) on the restlets host.
 *
 * The callback (which must match the integration record) also carries
 * `company`, `role`, `entity` and `state`; a user who clicks Deny comes back
 * with an empty `oauth_verifier`, which the preset reads as `access_denied`
 * (403, `emptyVerifierIsDenial`). Tokens do not expire until revoked. No
 * `userinfo`.
 *
 * Status: from NetSuite 2027.1 no *new* TBA integrations can be created;
 * existing ones keep working (OAuth 2.0 is Oracle's path forward).
 * UNVERIFIED: the REST web services host (`<account>.suitetalk.api.netsuite.com`)
 * and whether the request-token response carries `oauth_callback_confirmed`
 * (the core requires it; if not, register with `requireCallbackConfirmed: false`).
 *
 * @see https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156337186044.html
 * @example
 * ```ts
 * oauth.register('netsuite', netsuite({ accountId: '1234567_SB1' }))
 * await oauth.netsuite.get('app/site/hosting/restlet.nl?script=123&deploy=1', { token })
 * ```
 */
export function netsuite(options: NetSuiteOptions): PresetOptions {
  const r = readOptions('netsuite', options, ['accountId', 'state', 'token'])
  const accountId = requiredString(r, 'accountId', ACCOUNT_ID)
  const state = optionalString(r, 'state', STATE)
  const token = tokenOption(r, 'token')
  const realm = accountId.toUpperCase().replace('-', '_')
  const host = accountId.toLowerCase().replace('_', '-')

  const preset: PresetOptions = {
    ...credentials(r),
    requestTokenUrl: `https://${host}.restlets.api.netsuite.com/rest/requesttoken`,
    authorizeUrl: `https://${host}.app.netsuite.com/app/login/secure/authorizetoken.nl`,
    accessTokenUrl: `https://${host}.restlets.api.netsuite.com/rest/accesstoken`,
    apiBaseUrl: `https://${host}.restlets.api.netsuite.com/`,
    clientKwargs: { signatureMethod: 'HMAC-SHA256', realm },
    // Deny comes back as an empty oauth_verifier: the user refused, not a bad callback.
    emptyVerifierIsDenial: true,
  }
  if (state !== undefined) preset.authorizeParams = { state }
  if (token !== undefined) preset.token = token
  return preset
}
