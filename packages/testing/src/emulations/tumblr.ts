/**
 * Tumblr, PROVIDERS.md §2.4.
 *
 * - POST `/oauth/request_token`, the consent page `/oauth/authorize` (optional
 *   `source`), **GET** `/oauth/access_token` [TU1].
 * - "accepting parameters via the Authorization header, with the HMAC-SHA1
 *   signature method only" [TU1].
 * - `oauth_callback_confirmed` in the request-token response; form-encoded
 *   responses [TU1].
 * - API `/v2/` with the `meta`/`response` envelope; `/v2/user/info` [G3][P1-tumblr].
 *
 * UNVERIFIED: the fields of the API's `errors` entries (`title`, `detail`).
 */
import { hexId, uuid } from './sample.js'
import type { Emulation, EmulationError } from './types.js'

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
}

export const tumblr: Emulation = {
  name: 'tumblr',
  title: 'Tumblr',
  requestToken: { path: '/oauth/request_token', methods: ['POST'] },
  authorize: {
    paths: ['/oauth/authorize'],
    params: { source: {} },
    title: (app) => `${app} would like to access your Tumblr account`,
  },
  accessToken: { path: '/oauth/access_token', methods: ['GET'] },
  apiBasePath: '/v2/',
  userinfoPath: '/v2/user/info',
  signatureMethods: ['HMAC-SHA1'],
  placements: ['header'],
  routes: [
    {
      path: '/v2/user/info',
      methods: ['GET'],
      auth: 'token',
      handle: (r) => {
        const user = r.user!
        const blog = user.screenName.toLowerCase()
        return {
          json: {
            meta: { status: 200, msg: 'OK' },
            response: {
              user: {
                name: blog,
                likes: 0,
                following: 0,
                default_post_format: 'html',
                blogs: [
                  {
                    name: blog,
                    title: user.name,
                    url: `https://${blog}.tumblr.com/`,
                    primary: true,
                    uuid: `t:${hexId(`tumblr:${uuid(user.id)}`, 22)}`,
                    followers: 0,
                  },
                ],
              },
            },
          },
        }
      },
    },
  ],
  // The API answers in its envelope; the OAuth endpoints keep OAuth Problem Reporting.
  formatError: (e: EmulationError) =>
    e.endpoint === 'api'
      ? {
          status: e.status,
          json: {
            meta: { status: e.status, msg: REASONS[e.status] ?? 'Error' },
            response: [],
            errors: [{ title: REASONS[e.status] ?? 'Error', detail: e.advice ?? e.problem }],
          },
        }
      : undefined,
}
