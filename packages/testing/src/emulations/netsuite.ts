/**
 * Oracle NetSuite Token-Based Authentication, three-step flow, PROVIDERS.md §2.12.
 *
 * - POST `/rest/requesttoken` [NS4], the consent page
 *   `/app/login/secure/authorizetoken.nl?oauth_token=…&state=…` (`state`
 *   optional, up to 512 alphanumerics, echoed back) [NS3], POST `/rest/accesstoken` [NS6].
 * - HMAC-SHA256 only [NS4][NS6] (HMAC-SHA1 removed [NS5]).
 * - `realm` = the account id (`1234567_SB1`) in the Authorization header,
 *   required on the request-token call [NS7][NS8] and on RESTlet calls [NS7];
 *   no longer required on the access-token step [NS6]; never signed [NS9].
 * - Nonce of at least 6 characters; the timestamp must not go backwards [NS4][NS6].
 * - The callback carries `company`, `role`, `entity` and `state`; Deny sends an
 *   empty `oauth_verifier` [NS3].
 * - RESTlets `/app/site/hosting/restlet.nl?script=…&deploy=…` [NS7].
 *
 * UNVERIFIED: whether the request-token response carries
 * `oauth_callback_confirmed` (the RFC's `true` kept), which parameters a
 * Deny carries besides the empty verifier (`oauth_token` and `state` here),
 * the values of `role` and `entity`, and NetSuite's error bodies (OAuth
 * Problem Reporting kept).
 */
import { numericUserId, param } from './sample.js'
import type { Emulation, EmulationRequest } from './types.js'

/** The account of the emulation (a sandbox): its `realm`, and `company` on the callback. */
export const NETSUITE_ACCOUNT_ID = '1234567_SB1'

function restlet(r: EmulationRequest) {
  const script = param(r.query, 'script')
  const deploy = param(r.query, 'deploy')
  if (!script || !deploy) {
    return {
      status: 400,
      json: {
        error: {
          code: 'INVALID_RQST',
          message: 'Both the script and deploy query parameters are required.',
        },
      },
    }
  }
  return {
    json: {
      success: true,
      script,
      deploy,
      method: r.method,
      entity: numericUserId(r.user!),
      body: r.body === '' ? null : r.body,
    },
  }
}

export const netsuite: Emulation = {
  name: 'netsuite',
  title: 'NetSuite',
  requestToken: { path: '/rest/requesttoken', methods: ['POST'] },
  authorize: {
    paths: ['/app/login/secure/authorizetoken.nl'],
    params: {
      state: {
        values: /[A-Za-z0-9]{1,512}/,
        error: 'state must be at most 512 letters and digits.',
      },
    },
    title: (app) => `${app} is requesting access to your NetSuite account`,
  },
  accessToken: { path: '/rest/accesstoken', methods: ['POST'] },
  apiBasePath: '/',
  signatureMethods: ['HMAC-SHA256'],
  realm: { value: NETSUITE_ACCOUNT_ID, endpoints: ['requestToken', 'api'] },
  minNonceLength: 6,
  monotonicTimestamps: true,
  denial: 'empty_verifier',
  callbackParams: ({ user, grant, denied }) => ({
    ...(denied || user === undefined
      ? {}
      : { company: NETSUITE_ACCOUNT_ID, role: '3', entity: numericUserId(user) }),
    ...(grant.state !== undefined ? { state: grant.state } : {}),
  }),
  routes: [
    {
      path: '/app/site/hosting/restlet.nl',
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      auth: 'token',
      handle: restlet,
    },
  ],
}
