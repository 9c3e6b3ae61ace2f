/**
 * Garmin Connect Developer Program (Health / Activity APIs), PROVIDERS.md §2.10.
 * OAuth 1.0a retires on 2026-12-31 [GA1][GA2][GA3].
 *
 * - POST `/oauth-service/oauth/request_token` [GA4][G1][N1], the consent page
 *   `/oauthConfirm` [GA4][G1][N1], POST `/oauth-service/oauth/access_token` [G1][N1].
 * - HMAC-SHA1 in the Authorization header [GA4][N1].
 * - Some clients pass `oauth_callback` on `oauthConfirm` [GA6]: accepted there too.
 * - User id `GET /wellness-api/rest/user/id` [GA5].
 *
 * UNVERIFIED: Garmin's error bodies (OAuth Problem Reporting kept).
 */
import { uuid } from './sample.js'
import type { Emulation } from './types.js'

export const garmin: Emulation = {
  name: 'garmin',
  title: 'Garmin Connect',
  requestToken: { path: '/oauth-service/oauth/request_token', methods: ['POST'] },
  authorize: {
    paths: ['/oauthConfirm'],
    callback: 'accepted',
    title: (app) => `${app} would like to access your Garmin Connect data`,
  },
  accessToken: { path: '/oauth-service/oauth/access_token', methods: ['POST'] },
  apiBasePath: '/',
  userinfoPath: '/wellness-api/rest/user/id',
  signatureMethods: ['HMAC-SHA1'],
  routes: [
    {
      path: '/wellness-api/rest/user/id',
      methods: ['GET'],
      auth: 'token',
      handle: (r) => ({ json: { userId: uuid(`garmin:${r.user!.id}`) } }),
    },
  ],
}
