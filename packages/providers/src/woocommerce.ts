import { baseUrl, credentials, optionalEnum, readOptions } from './options.js'
import type { ClientCredentialOptions, PresetOptions } from './types.js'

/** Options of {@link woocommerce}. */
export interface WooCommerceOptions extends ClientCredentialOptions {
  /**
   * Required: the store's URL exactly as its WordPress "Site Address" is set
   * (`https://shop.example.com`, or with a sub-directory): WooCommerce rebuilds
   * the signed URL from it, not from the request's Host.
   */
  storeUrl: string
  /** `'HMAC-SHA256'` (default) or `'HMAC-SHA1'`. */
  signatureMethod?: 'HMAC-SHA256' | 'HMAC-SHA1' | undefined
  /** REST API version: `'v3'` (default), `'v2'` or `'v1'`. */
  version?: 'v3' | 'v2' | 'v1' | undefined
}

/**
 * WooCommerce REST API, one-legged: the consumer key and secret from
 * WooCommerce → Settings → Advanced → REST API sign every call, with no token
 * and no login flow (so no token endpoints and no `userinfo`).
 * `oauth.<name>.get('products')` works with no token at all, inside a request
 * or outside one. The API is `<storeUrl>/wp-json/wc/<version>/`.
 *
 * WooCommerce documents OAuth for plain `http://` stores; over HTTPS it tries
 * Basic auth first and still accepts OAuth. It checks the timestamp within
 * ±15 minutes and remembers nonces for 15 minutes.
 *
 * @see https://developer.woocommerce.com/docs/apis/rest-api/authentication/
 * @example
 * ```ts
 * oauth.register('shop', woocommerce({ storeUrl: 'https://shop.example.com' }))
 * const products = await (await oauth.shop.get('products')).json()
 * ```
 */
export function woocommerce(options: WooCommerceOptions): PresetOptions {
  const r = readOptions('woocommerce', options, ['storeUrl', 'signatureMethod', 'version'])
  const storeUrl = baseUrl(r, 'storeUrl', true) as string
  // The API URL given as the store's would be signed and called as …/wp-json/wc/v3/wp-json/wc/v3/
  if (new URL(storeUrl).pathname.split('/').includes('wp-json')) {
    r.fail(
      'storeUrl must be the site address (https://shop.example.com), not a REST API URL under /wp-json',
    )
  }
  const signatureMethod =
    optionalEnum(r, 'signatureMethod', ['HMAC-SHA256', 'HMAC-SHA1'] as const) ?? 'HMAC-SHA256'
  const version = optionalEnum(r, 'version', ['v3', 'v2', 'v1'] as const) ?? 'v3'
  return {
    ...credentials(r),
    apiBaseUrl: `${storeUrl}/wp-json/wc/${version}/`,
    withholdToken: true,
    clientKwargs: { signatureMethod },
  }
}
