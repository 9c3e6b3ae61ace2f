/**
 * Discogs, PROVIDERS.md §2.5.
 *
 * - **GET** `/oauth/request_token`, POST `/oauth/access_token` [G1][P1-discogs][D4];
 *   the consent page `/oauth/authorize` (on www.discogs.com in production,
 *   here on the same origin) [P1-discogs].
 * - PLAINTEXT in typical use, with the literal `&` inside the header (an
 *   encoded `%26` is the RFC form; both verify) [D2][D3]; HMAC-SHA1 [D6].
 *   Token secrets are alphanumeric, so the literal form round-trips.
 * - A `User-Agent` is required on every request [D2]: without one, 403 plain text.
 * - Identity `GET /oauth/identity`, then its `resource_url` for the profile [P1-discogs][G3].
 *
 * UNVERIFIED: the body of the missing-User-Agent refusal, and Discogs' error
 * bodies on the OAuth endpoints (OAuth Problem Reporting kept).
 */
import { numericId, randomString, text } from './sample.js'
import type { Emulation } from './types.js'

export const discogs: Emulation = {
  name: 'discogs',
  title: 'Discogs',
  requestToken: { path: '/oauth/request_token', methods: ['GET'] },
  authorize: {
    paths: ['/oauth/authorize'],
    title: (app) => `Authorize ${app} to access your Discogs account?`,
  },
  accessToken: { path: '/oauth/access_token', methods: ['POST'] },
  apiBasePath: '/',
  userinfoPath: '/oauth/identity',
  signatureMethods: ['PLAINTEXT', 'HMAC-SHA1'],
  literalAmpersandInSignature: true,
  tokenSecret: () => randomString(40),
  checkRequest(headers) {
    const ua = headers['user-agent']
    if (typeof ua === 'string' && ua.trim() !== '') return undefined
    return text(
      'A User-Agent header identifying your application is required for every request to the Discogs API.',
      403,
    )
  },
  routes: [
    {
      path: '/oauth/identity',
      methods: ['GET'],
      auth: 'token',
      handle: (r) => {
        const user = r.user!
        return {
          json: {
            id: Number(numericId(`discogs:${user.id}`, 7)),
            username: user.screenName,
            resource_url: `${r.origin}/users/${encodeURIComponent(user.screenName)}`,
            consumer_name: r.client!.name,
          },
        }
      },
    },
    {
      // A public profile; the e-mail address only for its owner.
      path: /^\/users\/[^/]+$/,
      methods: ['GET'],
      auth: 'optional',
      handle: (r) => {
        const name = decodeURIComponent(r.url.pathname.slice('/users/'.length))
        const user = r.users.find((u) => u.screenName === name)
        if (!user)
          return { status: 404, json: { message: 'User does not exist or may have been deleted.' } }
        const self = r.user?.id === user.id
        return {
          json: {
            id: Number(numericId(`discogs:${user.id}`, 7)),
            username: user.screenName,
            name: user.name,
            resource_url: `${r.origin}/users/${encodeURIComponent(user.screenName)}`,
            uri: `https://www.discogs.com/user/${encodeURIComponent(user.screenName)}`,
            avatar_url: `https://i.discogs.com/avatars/${numericId(`discogs-av:${user.id}`, 7)}.jpeg`,
            home_page: `https://${user.screenName.toLowerCase()}.example`,
            location: '',
            profile: '',
            registered: '2012-03-04T05:06:07-08:00',
            num_collection: 0,
            num_wantlist: 0,
            ...(self && user.email !== undefined ? { email: user.email } : {}),
          },
        }
      },
    },
  ],
}
