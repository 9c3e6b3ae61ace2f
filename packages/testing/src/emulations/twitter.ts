/**
 * X (formerly Twitter), PROVIDERS.md §2.1.
 *
 * - POST `/oauth/request_token` and `/oauth/access_token` [X2][G1]; the consent
 *   page at `/oauth/authenticate` ("Sign in with X") and `/oauth/authorize`,
 *   both taking `force_login` and `screen_name` [X3][X4].
 * - HMAC-SHA1 in the Authorization header [X5].
 * - `x_auth_access_type=read|write` on the request-token call [X2].
 * - `oauth_callback_confirmed=true` [X2]; the access token adds `user_id` and
 *   `screen_name` [X8]; a refusal comes back as `denied=<token>` (passport-twitter).
 * - Token responses are labelled `text/html;charset=utf-8` (issue 9).
 * - API v2 `/2/users/me` [X9]; v1.1 `verify_credentials` still used by presets [L1].
 *
 * UNVERIFIED: X's error bodies (JSON `errors` on the API); the emulation keeps
 * OAuth Problem Reporting.
 */
import type { TestUser } from '../types.js'
import { hexId, numericId, param, randomString } from './sample.js'
import type { Emulation, EmulationRequest } from './types.js'

function profileImage(user: TestUser): string {
  return `https://pbs.twimg.com/profile_images/${numericId(`x-img:${user.id}`, 19)}/${hexId(`x-img:${user.id}`, 8)}_normal.jpg`
}

function website(user: TestUser): string {
  return `https://t.co/${hexId(`x-url:${user.id}`, 10)}`
}

/** `GET /2/users/me`: `id`, `name`, `username`, and what `user.fields` asks for. */
function usersMe(r: EmulationRequest) {
  const user = r.user!
  const fields = new Set((param(r.query, 'user.fields') ?? '').split(',').filter(Boolean))
  const data: Record<string, string> = { id: user.id, name: user.name, username: user.screenName }
  if (fields.has('profile_image_url')) data.profile_image_url = profileImage(user)
  if (fields.has('url')) data.url = website(user)
  if (fields.has('created_at')) data.created_at = '2012-03-04T05:06:07.000Z'
  return { json: { data } }
}

export const twitter: Emulation = {
  name: 'twitter',
  title: 'X',
  requestToken: { path: '/oauth/request_token', methods: ['POST'] },
  authorize: {
    paths: ['/oauth/authenticate', '/oauth/authorize'],
    params: {
      force_login: { values: ['true', 'false', '1', '0'], label: 'Force login' },
      screen_name: { values: /[A-Za-z0-9_]{1,15}/, label: 'Account' },
    },
    title: (app) => `Authorize ${app} to access your account?`,
  },
  accessToken: { path: '/oauth/access_token', methods: ['POST'] },
  apiBasePath: '/2/',
  userinfoPath: '/2/users/me?user.fields=profile_image_url,url',
  signatureMethods: ['HMAC-SHA1'],
  placements: ['header'],
  denial: 'denied',
  tokenContentType: 'text/html;charset=utf-8',
  tokenSecret: () => randomString(45),
  requestTokenParams(params, refuse) {
    const access = params.filter(([k]) => k === 'x_auth_access_type')
    if (access.length === 0) return undefined
    if (access.length > 1 || (access[0]![1] !== 'read' && access[0]![1] !== 'write')) {
      refuse(401, 'parameter_rejected', 'x_auth_access_type must be read or write')
    }
    return { x_auth_access_type: access[0]![1] }
  },
  tokenFields: (user) => ({ user_id: user.id, screen_name: user.screenName }),
  routes: [
    { path: '/2/users/me', methods: ['GET'], auth: 'token', handle: usersMe },
    {
      path: '/1.1/account/verify_credentials.json',
      methods: ['GET'],
      auth: 'token',
      handle: (r) => {
        const user = r.user!
        return {
          json: {
            ...(/^\d{1,15}$/.test(user.id) ? { id: Number(user.id) } : {}),
            id_str: user.id,
            name: user.name,
            screen_name: user.screenName,
            url: website(user),
            profile_image_url_https: profileImage(user),
            ...(user.email !== undefined && param(r.query, 'include_email') === 'true'
              ? { email: user.email }
              : {}),
          },
        }
      },
    },
  ],
}
