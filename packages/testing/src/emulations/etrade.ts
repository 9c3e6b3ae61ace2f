/**
 * E*TRADE (Morgan Stanley), PROVIDERS.md §2.9.
 *
 * - **GET** `/oauth/request_token` [ET1] and **GET** `/oauth/access_token` [ET3];
 *   HMAC-SHA1 only, every `oauth_*` in the Authorization header [ET1].
 * - `oauth_callback` "must always be set to 'oob'"; the real callback is
 *   registered with the consumer key, and E*TRADE redirects there with the
 *   verifier [ET1][ET2] (without one registered: the code on a page, 5
 *   characters [ET8]).
 * - The consent page is `/e/t/etws/authorize?key=<consumer key>&token=<request token>`
 *   — `key`/`token`, not `oauth_token` [ET2][ET5].
 * - Token credentials expire at midnight US Eastern and go inactive after 2 h
 *   without use [ET3][ET4]; `GET /oauth/renew_access_token` wakes them and
 *   `GET /oauth/revoke_access_token` revokes them [ET4][ET5].
 * - API `/v1/…` (`accounts/list`; `.json` or `Accept: application/json` for JSON) [ET5].
 *
 * UNVERIFIED: whether `oauth_callback_confirmed` is returned (the RFC's `true`
 * kept), the refusal shapes (OAuth Problem Reporting kept), and the exact texts
 * of the renew/revoke answers.
 */
import { escapeHtml } from '../html.js'
import type { TestUser } from '../types.js'
import { hexId, numericId, randomString, text } from './sample.js'
import type { Emulation, EmulationRequest } from './types.js'

const easternDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
})

function account(user: TestUser) {
  return {
    accountId: numericId(`etrade:${user.id}`, 8),
    accountIdKey: hexId(`etrade-key:${user.id}`, 22),
    accountMode: 'MARGIN',
    accountDesc: 'Individual Brokerage',
    accountName: '',
    accountType: 'INDIVIDUAL',
    institutionType: 'BROKERAGE',
    accountStatus: 'ACTIVE',
    closedDate: 0,
  }
}

function accountsList(r: EmulationRequest) {
  const a = account(r.user!)
  const wantsJson =
    r.path.endsWith('.json') || /application\/json/i.test(String(r.headers.accept ?? ''))
  if (wantsJson) return { json: { AccountListResponse: { Accounts: { Account: [a] } } } }
  const fields = Object.entries(a)
    .map(([k, v]) => `<${k}>${escapeHtml(String(v))}</${k}>`)
    .join('')
  return text(
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><AccountListResponse><Accounts><Account>${fields}</Account></Accounts></AccountListResponse>`,
    200,
    'application/xml',
  )
}

export const etrade: Emulation = {
  name: 'etrade',
  title: 'E*TRADE',
  requestToken: { path: '/oauth/request_token', methods: ['GET'] },
  authorize: {
    paths: ['/e/t/etws/authorize'],
    tokenParam: 'token',
    consumerKeyParam: 'key',
    title: (app) => `${app} is requesting access to your E*TRADE account`,
  },
  accessToken: { path: '/oauth/access_token', methods: ['GET'] },
  apiBasePath: '/',
  signatureMethods: ['HMAC-SHA1'],
  placements: ['header'],
  // Request tokens expire after 5 minutes [ET1].
  requestTokenTtl: 5 * 60,
  callback: 'oob',
  oobVerifier: () => randomString(5, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
  // Token credentials last until midnight US Eastern time [ET3].
  tokenExpired: (issuedAt, now) =>
    easternDay.format(new Date(issuedAt)) !== easternDay.format(new Date(now)),
  tokenIdleTimeout: 2 * 60 * 60,
  routes: [
    {
      path: '/oauth/renew_access_token',
      methods: ['GET'],
      auth: 'token',
      renewsToken: true,
      handle: () => text('Access Token has been renewed'),
    },
    {
      path: '/oauth/revoke_access_token',
      methods: ['GET'],
      auth: 'token',
      handle: (r) => {
        r.token!.revoke()
        return text('Revoked Access Token')
      },
    },
    {
      path: /^\/v1\/accounts\/list(?:\.json)?$/,
      methods: ['GET'],
      auth: 'token',
      handle: accountsList,
    },
  ],
}
