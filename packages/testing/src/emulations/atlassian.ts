/**
 * Jira / Confluence / Bitbucket Data Center application links, PROVIDERS.md §2.11.
 *
 * - `/plugins/servlet/oauth/request-token`, `…/authorize`, `…/access-token` [AT4][AT5].
 * - RSA-SHA1 only; the consumer secret is unused [AT4][AT5]. Any other method:
 *   401 `oauth_problem=signature_method_rejected`.
 * - Jira's API `/rest/api/2`; `GET /rest/api/2/myself` is the signed-in user [AT5].
 *
 * The default client (no `clients` option) gets a fresh RSA key pair:
 * `provider.client.rsaPrivateKey` signs.
 *
 * UNVERIFIED: the token endpoints' methods (POST kept, RFC 5849 §2.1) and the
 * other refusal shapes (OAuth Problem Reporting kept).
 */
import { numericId } from './sample.js'
import type { Emulation } from './types.js'

export const atlassian: Emulation = {
  name: 'atlassian',
  title: 'Jira',
  requestToken: { path: '/plugins/servlet/oauth/request-token', methods: ['POST'] },
  authorize: {
    paths: ['/plugins/servlet/oauth/authorize'],
    title: (app) => `${app} would like to read and write data on your behalf`,
  },
  accessToken: { path: '/plugins/servlet/oauth/access-token', methods: ['POST'] },
  apiBasePath: '/rest/api/2/',
  userinfoPath: '/rest/api/2/myself',
  signatureMethods: ['RSA-SHA1'],
  signatureMethodRejectedStatus: 401,
  defaultClientKeys: 'rsa',
  routes: [
    {
      path: '/rest/api/2/myself',
      methods: ['GET'],
      auth: 'token',
      handle: (r) => {
        const user = r.user!
        const avatar = (size: number) =>
          `${r.origin}/secure/useravatar?size=${size}&avatarId=${numericId(`jira-av:${user.id}`, 5)}`
        return {
          json: {
            self: `${r.origin}/rest/api/2/user?username=${encodeURIComponent(user.screenName)}`,
            key: `JIRAUSER${numericId(`jira:${user.id}`, 5)}`,
            name: user.screenName,
            emailAddress: user.email ?? '',
            avatarUrls: {
              '48x48': avatar(48),
              '24x24': avatar(24),
              '16x16': avatar(16),
              '32x32': avatar(32),
            },
            displayName: user.name,
            active: true,
            deleted: false,
            timeZone: 'Europe/London',
            locale: 'en_GB',
            groups: { size: 1, items: [] },
            applicationRoles: { size: 1, items: [] },
            expand: 'groups,applicationRoles',
          },
        }
      },
    },
  ],
}
