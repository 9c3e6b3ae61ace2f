/**
 * Schoology (PowerSchool), PROVIDERS.md §2.15.
 *
 * - **GET** `/v1/oauth/request_token` and **GET** `/v1/oauth/access_token`; the
 *   consent page `/oauth/authorize?oauth_token=…&oauth_callback=…` (on the
 *   district's host in production) [SC3].
 * - OAuth 1.0 style: the callback goes on the authorize URL, no
 *   `oauth_verifier` anywhere, no `oauth_callback_confirmed` [SC3].
 * - `realm="Schoology API"` in the Authorization header [SC2][SC3].
 * - HMAC-SHA1 (recommended) [SC2]; PLAINTEXT (schoolopy) [SC3].
 * - Access tokens are capped at 90 days [SC1].
 * - API `/v1`; `GET /v1/users/me` answers 303 to `/v1/users/<uid>` [SC3].
 *
 * UNVERIFIED: how a Deny comes back (`oauth_problem=user_refused` kept) and
 * Schoology's error bodies (OAuth Problem Reporting kept).
 */
import type { TestUser } from '../types.js'
import { numericId, numericUserId, splitName } from './sample.js'
import type { Emulation } from './types.js'

function uid(user: TestUser): string {
  return numericUserId(user, 8)
}

export const schoology: Emulation = {
  name: 'schoology',
  title: 'Schoology',
  requestToken: { path: '/v1/oauth/request_token', methods: ['GET'] },
  authorize: {
    paths: ['/oauth/authorize'],
    callback: 'accepted',
    title: (app) => `${app} would like to access your Schoology account`,
  },
  accessToken: { path: '/v1/oauth/access_token', methods: ['GET'] },
  apiBasePath: '/v1/',
  userinfoPath: '/v1/users/me',
  signatureMethods: ['HMAC-SHA1', 'PLAINTEXT'],
  realm: { value: 'Schoology API', endpoints: ['requestToken', 'accessToken', 'api'] },
  callback: 'ignored',
  verifier: false,
  callbackConfirmed: 'omit',
  accessTokenTtl: () => 90 * 86_400,
  routes: [
    {
      path: '/v1/users/me',
      methods: ['GET'],
      auth: 'token',
      handle: (r) => ({
        status: 303,
        headers: { location: `${r.origin}/v1/users/${uid(r.user!)}` },
        body: '',
      }),
    },
    {
      path: /^\/v1\/users\/\d+$/,
      methods: ['GET'],
      auth: 'token',
      handle: (r) => {
        const wanted = r.path.split('/').pop()
        const user = r.users.find((u) => uid(u) === wanted)
        if (!user) return { status: 404, json: { error: 'User not found' } }
        const { first, last } = splitName(user)
        return {
          json: {
            uid: uid(user),
            id: Number(uid(user)),
            school_id: Number(numericId('schoology-school', 7)),
            building_id: Number(numericId('schoology-building', 7)),
            school_uid: '',
            name_title: '',
            name_title_show: 0,
            name_first: first,
            name_first_preferred: '',
            name_middle: '',
            name_middle_show: 0,
            name_last: last,
            name_display: user.name,
            username: user.screenName,
            primary_email: user.email ?? '',
            picture_url: `https://asset-cdn.schoology.com/system/files/imagecache/profile_reg/pictures/picture-${numericId(`schoology-pic:${user.id}`, 10)}.jpg`,
            gender: null,
            position: null,
            grad_year: '',
            password: '',
            role_id: Number(numericId('schoology-role', 6)),
            tz_offset: 0,
            tz_name: 'America/New_York',
            parents: null,
            child_uids: null,
            language: 'en',
          },
        }
      },
    },
  ],
}
