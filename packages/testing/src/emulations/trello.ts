/**
 * Trello, PROVIDERS.md §2.2.
 *
 * - `/1/OAuthGetRequestToken`, `/1/OAuthAuthorizeToken`, `/1/OAuthGetAccessToken` [G1][T6];
 *   HMAC-SHA1 [N1].
 * - The authorize URL takes `name` (the app name on the page, else "An unknown
 *   application") [P1-trello-doc], `scope` (comma list of read, write, account;
 *   e-mail only with account) [T3][T4][N1] and `expiration`
 *   (1hour|1day|30days|never, default 30days) [T4]. Other values are refused.
 * - Profile `GET /1/members/me` [G3][N1].
 *
 * UNVERIFIED: the HTTP methods of the token endpoints (POST kept, RFC 5849 §2.1)
 * and Trello's error bodies (OAuth Problem Reporting kept).
 */
import type { TestUser } from '../types.js'
import { hexId } from './sample.js'
import type { Emulation } from './types.js'

const SCOPES = new Set(['read', 'write', 'account'])

function validScope(value: string): boolean {
  const parts = value.split(',')
  return parts.every((p) => SCOPES.has(p)) && new Set(parts).size === parts.length
}

const LIFETIMES: Record<string, number | undefined> = {
  '1hour': 3600,
  '1day': 86_400,
  '30days': 30 * 86_400,
  never: undefined,
}

/** A Trello member id: 24 hex digits. */
export function trelloMemberId(user: TestUser): string {
  return hexId(`trello:${user.id}`, 24)
}

export const trello: Emulation = {
  name: 'trello',
  title: 'Trello',
  requestToken: { path: '/1/OAuthGetRequestToken', methods: ['POST'] },
  authorize: {
    paths: ['/1/OAuthAuthorizeToken'],
    params: {
      name: { label: 'Application' },
      scope: {
        values: validScope,
        default: 'read',
        label: 'Scope',
        error: 'Invalid scope: use a comma-separated list of read, write and account.',
      },
      expiration: {
        values: Object.keys(LIFETIMES),
        default: '30days',
        label: 'Expiration',
        error: 'Invalid expiration: use 1hour, 1day, 30days or never.',
      },
    },
    title: (_app, grant) => `Let ${grant.name || 'An unknown application'} use your account?`,
  },
  accessToken: { path: '/1/OAuthGetAccessToken', methods: ['POST'] },
  apiBasePath: '/1/',
  userinfoPath: '/1/members/me',
  signatureMethods: ['HMAC-SHA1'],
  accessTokenTtl: (grant) => LIFETIMES[grant.expiration ?? '30days'],
  routes: [
    {
      path: '/1/members/me',
      methods: ['GET'],
      auth: 'token',
      handle: (r) => {
        const user = r.user!
        const id = trelloMemberId(user)
        const scope = (r.grant.scope ?? 'read').split(',')
        return {
          json: {
            id,
            username: user.screenName,
            fullName: user.name,
            initials: user.name
              .split(/\s+/)
              .map((w) => w.charAt(0).toUpperCase())
              .join(''),
            avatarUrl: `https://trello-members.s3.amazonaws.com/${id}/${hexId(`trello-avatar:${user.id}`, 32)}`,
            url: `https://trello.com/u/${user.screenName}`,
            // The e-mail address needs the account scope [T3].
            ...(scope.includes('account') && user.email !== undefined ? { email: user.email } : {}),
          },
        }
      },
    },
  ],
}
