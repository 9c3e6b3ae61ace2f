/**
 * BrickLink Store API, PROVIDERS.md §2.17.
 *
 * - No flow: consumer key and secret plus token credentials issued on the
 *   BrickLink site (here: `provider.issueToken()`) [BL2][BL3].
 * - HMAC-SHA1 only; `oauth_version`, when sent, `1.0` [BL1].
 * - Protocol parameters in the Authorization header (`realm=""` accepted), or
 *   as a JSON object in one query parameter `Authorization` [BL1].
 * - API `/api/store/v1`, answers in a `meta`/`data` envelope [BL4].
 *
 * UNVERIFIED: BrickLink's error bodies for OAuth refusals (OAuth Problem
 * Reporting kept) and the fields of the sample orders.
 */
import type { Emulation } from './types.js'

function ok(data: unknown) {
  return { json: { meta: { description: 'OK', message: 'OK', code: 200 }, data } }
}

export const bricklink: Emulation = {
  name: 'bricklink',
  title: 'BrickLink',
  apiBasePath: '/api/store/v1/',
  signatureMethods: ['HMAC-SHA1'],
  placements: ['header'],
  jsonQueryParam: 'Authorization',
  routes: [
    {
      path: '/api/store/v1/orders',
      methods: ['GET'],
      auth: 'token',
      handle: (r) =>
        ok([
          {
            order_id: 3986441,
            date_ordered: '2026-05-01T09:41:00.000Z',
            seller_name: r.user!.screenName,
            store_name: `${r.user!.name}'s Bricks`,
            buyer_name: 'brickfan',
            total_count: 12,
            unique_count: 3,
            status: 'PAID',
            payment: { method: 'PayPal', currency_code: 'USD', status: 'Received' },
            cost: { currency_code: 'USD', subtotal: '12.3400', grand_total: '16.5400' },
          },
        ]),
    },
    {
      path: /^\/api\/store\/v1\/items\/[a-z_]+\/[^/]+$/,
      methods: ['GET'],
      auth: 'token',
      handle: (r) => {
        const [, , , , , type, no] = r.path.split('/')
        return ok({
          no: decodeURIComponent(no ?? ''),
          name: 'Brick 2 x 4',
          type: (type ?? '').toUpperCase(),
          category_id: 5,
          year_released: 1958,
          is_obsolete: false,
        })
      },
    },
  ],
}
