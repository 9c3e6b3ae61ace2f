/**
 * The problems of the OAuth Problem Reporting extension and what each means
 * for a login: read on the callback (`?oauth_problem=…`) and in a token
 * endpoint's error answer.
 *
 * @see https://wiki.oauth.net/w/page/12238543/ProblemReporting
 */
import type { OAuthErrorCode } from './errors.js'

/** What an `oauth_problem` on the callback means for the login. */
export interface CallbackProblem {
  /** The {@link OAuthError} code the login fails with. */
  readonly code: OAuthErrorCode
  /** The status the app answers its user with. */
  readonly status: number
  /** What happened, in words fit for the error's description. */
  readonly meaning: string
}

const refused = (meaning: string): CallbackProblem => ({
  code: 'access_denied',
  status: 403,
  meaning,
})
const tokenRefused = (meaning: string): CallbackProblem => ({
  code: 'missing_temporary_credential',
  status: 400,
  meaning: `${meaning}; start the login again`,
})
const appRefused = (meaning: string, status = 502): CallbackProblem => ({
  code: 'fetch_token_denied',
  status,
  meaning,
})

/**
 * The problems of the OAuth Problem Reporting extension, as a provider may
 * send them on the callback (`?oauth_problem=…&oauth_problem_advice=…`),
 * and what each means for the login: the user's refusal (403), temporary
 * credentials the provider no longer honours (400: start again), or the
 * provider refusing the app itself (502; 503 when only for now). Any other
 * value fails as `fetch_token_denied` (502).
 *
 * A token endpoint's error answer keeps its own code (`fetch_token_denied`,
 * or `invalid_token_response` for a 2xx carrying a problem); its description
 * gives the problem's `meaning` from this table.
 *
 * @see https://wiki.oauth.net/w/page/12238543/ProblemReporting
 */
export const CALLBACK_PROBLEMS: Readonly<Record<string, CallbackProblem>> = Object.freeze({
  user_refused: refused('the user refused the authorization'),
  permission_denied: refused('the user refused the authorization'),
  permission_unknown: refused('the user has not granted the authorization (yet)'),
  additional_authorization_required: refused('the user did not grant all the access asked for'),
  token_used: tokenRefused('the provider says the temporary credentials were used already'),
  token_expired: tokenRefused('the provider says the temporary credentials expired'),
  token_revoked: tokenRefused('the provider says the temporary credentials were revoked'),
  token_rejected: tokenRefused('the provider refused the temporary credentials'),
  version_rejected: appRefused('the provider does not accept oauth_version 1.0'),
  parameter_absent: appRefused('the provider missed a parameter it requires'),
  parameter_rejected: appRefused('the provider refused a parameter'),
  timestamp_refused: appRefused('the provider refused the timestamp (check the clock)'),
  nonce_used: appRefused('the provider saw the nonce before'),
  signature_method_rejected: appRefused('the provider does not accept the signature method'),
  signature_invalid: appRefused('the provider found the signature invalid'),
  consumer_key_unknown: appRefused('the provider does not know the client (consumer key)'),
  consumer_key_rejected: appRefused('the provider refuses the client (consumer key) for good'),
  consumer_key_refused: appRefused('the provider refuses the client (consumer key) for now', 503),
})

/** The unknown `oauth_problem` (a later version of the extension, or a provider's own). */
export const UNKNOWN_PROBLEM = appRefused('an oauth_problem this library does not know')

/** The entry of {@link CALLBACK_PROBLEMS} for `problem`; `undefined` for any other (`constructor` too). */
export function knownProblem(problem: string): CallbackProblem | undefined {
  return Object.hasOwn(CALLBACK_PROBLEMS, problem) ? CALLBACK_PROBLEMS[problem] : undefined
}
