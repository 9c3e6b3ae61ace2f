/**
 * WooCommerce REST API over plain HTTP ("one-legged" OAuth 1.0a), PROVIDERS.md §2.13.
 *
 * - No token endpoints: requests are signed with the consumer key and secret
 *   only; no `oauth_token` [W1][W2].
 * - HMAC-SHA1 or HMAC-SHA256; protocol parameters from the query, the form
 *   body or the Authorization header [W1].
 * - The base string URI is rebuilt from the site's own URL, not from the
 *   request's Host header: signing for `localhost` when the site is
 *   `127.0.0.1` fails [W1][W4].
 * - Timestamps within ±15 minutes; a nonce is refused if the key used it in
 *   the last 15 minutes, whatever the timestamp [W1].
 * - Errors are WordPress REST errors, `{ code, message, data: { status } }`,
 *   with WooCommerce's codes and messages [W1].
 * - API `/wp-json/wc/v3/` [W3].
 *
 * Kept stricter than WooCommerce: the protocol parameters must be in one
 * place (RFC 5849 §3.5; WooCommerce merges the three), and parameters are
 * sorted by name then value (WooCommerce sorts by name only, which differs
 * only for repeated names).
 */
import { param } from './sample.js'
import type { Emulation, EmulationError, EmulationReply, EmulationRequest } from './types.js'

const REQUIRED = [
  'oauth_consumer_key',
  'oauth_timestamp',
  'oauth_nonce',
  'oauth_signature',
  'oauth_signature_method',
]

function wpError(code: string, message: string, status: number): EmulationReply {
  return { status, json: { code, message, data: { status } } }
}

const MESSAGES: Record<string, string> = {
  consumer_key_unknown: 'Consumer key is invalid.',
  signature_method_rejected: 'Invalid signature - signature method is invalid.',
  signature_invalid: 'Invalid signature - provided signature does not match.',
  timestamp_refused: 'Invalid timestamp.',
  nonce_used: 'Invalid nonce - nonce has already been used.',
}

function formatError(e: EmulationError): EmulationReply {
  if (e.problem === 'parameter_absent') {
    const missing = (e.extra.oauth_parameters_absent ?? '').split('&').filter(Boolean)
    // No OAuth at all: the request is simply not authenticated.
    if (REQUIRED.every((k) => missing.includes(k)))
      return wpError('woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.', 401)
    return wpError(
      'woocommerce_rest_authentication_missing_parameter',
      `Missing OAuth parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      401,
    )
  }
  const known = MESSAGES[e.problem]
  return wpError(
    'woocommerce_rest_authentication_error',
    known ?? e.advice ?? e.problem,
    known ? 401 : e.status,
  )
}

const PRODUCTS = [
  {
    id: 794,
    name: 'Premium Quality',
    slug: 'premium-quality',
    type: 'simple',
    status: 'publish',
    price: '21.99',
    regular_price: '21.99',
    sku: '',
    stock_status: 'instock',
  },
  {
    id: 795,
    name: 'Ship Your Idea',
    slug: 'ship-your-idea',
    type: 'simple',
    status: 'publish',
    price: '30.00',
    regular_price: '30.00',
    sku: 'SYI-1',
    stock_status: 'instock',
  },
]

function products(r: EmulationRequest): EmulationReply {
  if (r.method === 'POST') {
    let input: Record<string, unknown> = {}
    if (/json/i.test(r.contentType ?? '')) {
      try {
        const parsed: unknown = JSON.parse(r.body)
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
          input = parsed as Record<string, unknown>
      } catch {
        return wpError('rest_invalid_json', 'Invalid JSON body passed.', 400)
      }
    } else {
      input = Object.fromEntries(r.form)
    }
    if (typeof input.name !== 'string' || input.name === '')
      return wpError('rest_missing_callback_param', 'Missing parameter(s): name', 400)
    return {
      status: 201,
      json: {
        ...PRODUCTS[0],
        id: 796,
        name: input.name,
        slug: input.name.toLowerCase().replace(/\W+/g, '-'),
      },
    }
  }
  const perPage = Number(param(r.query, 'per_page') ?? '10')
  return {
    json: PRODUCTS.slice(0, Number.isInteger(perPage) && perPage > 0 ? perPage : 10),
    headers: { 'x-wp-total': String(PRODUCTS.length), 'x-wp-totalpages': '1' },
  }
}

export const woocommerce: Emulation = {
  name: 'woocommerce',
  title: 'WooCommerce',
  apiBasePath: '/wp-json/wc/v3/',
  signatureMethods: ['HMAC-SHA1', 'HMAC-SHA256'],
  signatureMethodRejectedStatus: 401,
  baseStringOrigin: 'provider',
  timestampWindow: 15 * 60,
  // A key's nonces are remembered 15 minutes, whatever their timestamps [W1].
  nonceScope: 'key',
  formatError,
  routes: [
    {
      path: '/wp-json/wc/v3/products',
      methods: ['GET', 'POST'],
      auth: 'consumer',
      handle: products,
    },
    {
      path: /^\/wp-json\/wc\/v3\/products\/\d+$/,
      methods: ['GET'],
      auth: 'consumer',
      handle: (r) => {
        const id = Number(r.path.split('/').pop())
        const product = PRODUCTS.find((p) => p.id === id)
        return product
          ? { json: product }
          : wpError('woocommerce_rest_product_invalid_id', 'Invalid ID.', 404)
      },
    },
    {
      path: '/wp-json/wc/v3/orders',
      methods: ['GET'],
      auth: 'consumer',
      handle: () => ({
        json: [
          {
            id: 727,
            status: 'processing',
            currency: 'USD',
            total: '29.35',
            line_items: [
              { id: 315, name: 'Premium Quality', product_id: 794, quantity: 1, total: '21.99' },
            ],
          },
        ],
      }),
    },
    {
      path: /^\/wp-json\//,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      auth: 'none',
      handle: () =>
        wpError('rest_no_route', 'No route was found matching the URL and request method.', 404),
    },
  ],
}
