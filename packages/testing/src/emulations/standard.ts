/**
 * The provider without `emulate`: RFC 5849 as written, under `/oauth/*`, with
 * a profile (`/api/me`) and an echo of what the server received (`/api/echo`).
 */
import type { TestUser } from '../types.js'
import type { Emulation, EmulationRequest, EmulationRoute } from './types.js'

/** The `/api/me` answer: `{ id, id_str, screen_name, username, name, email? }`. */
export function standardProfile(user: TestUser): Record<string, string> {
  return {
    id: user.id,
    id_str: user.id,
    screen_name: user.screenName,
    username: user.screenName,
    name: user.name,
    ...(user.email === undefined ? {} : { email: user.email }),
  }
}

function group(pairs: readonly [string, string][]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null)
  for (const [k, v] of pairs) {
    const prev = out[k]
    if (prev === undefined) out[k] = v
    else if (Array.isArray(prev)) prev.push(v)
    else out[k] = [prev, v]
  }
  return { ...out }
}

const ANY_METHOD = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

function echo(r: EmulationRequest) {
  return {
    json: {
      method: r.method,
      path: r.path,
      query: group(r.query),
      form: group(r.form),
      body: r.body === '' || isForm(r.contentType) ? null : r.body,
      contentType: r.contentType ?? null,
      oauthSource: r.oauthSource ?? null,
      clientId: r.client?.id ?? null,
      user: r.user ? standardProfile(r.user) : null,
    },
  }
}

function isForm(contentType: string | undefined): boolean {
  return (
    contentType !== undefined &&
    contentType.split(';', 1)[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded'
  )
}

const echoRoute = (path: string | RegExp): EmulationRoute => ({
  path,
  methods: ANY_METHOD,
  auth: 'optional',
  handle: echo,
})

/** The default profile (not an `emulate` name). */
export const standard: Emulation = {
  name: 'standard',
  title: 'Test Provider',
  requestToken: { path: '/oauth/request_token', methods: ['POST'] },
  authorize: {
    paths: ['/oauth/authorize'],
    title: (app) => `Allow ${app} to use your account?`,
  },
  accessToken: { path: '/oauth/access_token', methods: ['POST'] },
  apiBasePath: '/api/',
  userinfoPath: '/api/me',
  tokenFields: (user) => ({ user_id: user.id, screen_name: user.screenName }),
  routes: [
    {
      path: '/api/me',
      methods: ['GET', 'HEAD'],
      auth: 'token',
      handle: (r) => ({ json: standardProfile(r.user!) }),
    },
    echoRoute('/api/echo'),
    // /api/echo/<any path>: for clients testing how they sign paths (§3.4.1.2)
    echoRoute(/^\/api\/echo\//),
  ],
}
