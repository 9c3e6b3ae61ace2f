/**
 * Plurk, PROVIDERS.md §2.18.
 *
 * - `/OAuth/request_token`, `/OAuth/authorize`, `/OAuth/access_token` [G1][PL2];
 *   HMAC-SHA1 [PL2].
 * - API `/APP/…`: `/APP/Users/me` and `/APP/Profile/getOwnProfile` [G3][PL1].
 *
 * UNVERIFIED: the token endpoints' methods (POST kept, RFC 5849 §2.1), the
 * mobile authorize page, and Plurk's error bodies (OAuth Problem Reporting kept).
 */
import type { TestUser } from '../types.js'
import { numericId } from './sample.js'
import type { Emulation } from './types.js'

function plurkUser(user: TestUser) {
  return {
    id: Number(numericId(`plurk:${user.id}`, 7)),
    nick_name: user.screenName,
    display_name: user.name,
    full_name: user.name,
    has_profile_image: 1,
    avatar: Number(numericId(`plurk-av:${user.id}`, 2)),
    location: '',
    default_lang: 'en',
    karma: 81.5,
    premium: false,
    ...(user.email !== undefined ? { email: user.email } : {}),
  }
}

export const plurk: Emulation = {
  name: 'plurk',
  title: 'Plurk',
  requestToken: { path: '/OAuth/request_token', methods: ['POST'] },
  authorize: {
    paths: ['/OAuth/authorize'],
    title: (app) => `Allow ${app} to access your Plurk account?`,
  },
  accessToken: { path: '/OAuth/access_token', methods: ['POST'] },
  apiBasePath: '/APP/',
  userinfoPath: '/APP/Users/me',
  signatureMethods: ['HMAC-SHA1'],
  routes: [
    {
      path: '/APP/Users/me',
      methods: ['GET', 'POST'],
      auth: 'token',
      handle: (r) => ({ json: plurkUser(r.user!) }),
    },
    {
      path: '/APP/Profile/getOwnProfile',
      methods: ['GET', 'POST'],
      auth: 'token',
      handle: (r) => ({
        json: {
          user_info: plurkUser(r.user!),
          fans_count: 0,
          friends_count: 0,
          alerts_count: 0,
          plurks_users: {},
          plurks: [],
        },
      }),
    },
  ],
}
