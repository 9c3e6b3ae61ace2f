/** A value or a promise of it. */
export type Awaitable<T> = T | PromiseLike<T>

/** @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4 */
export type SignatureMethod =
  | 'HMAC-SHA1'
  | 'HMAC-SHA256'
  | 'HMAC-SHA512'
  | 'RSA-SHA1'
  | 'RSA-SHA256'
  | 'RSA-SHA512'
  | 'PLAINTEXT'

/** Where the protocol parameters travel. @see https://www.rfc-editor.org/rfc/rfc5849#section-3.5 */
export type SignatureType = 'header' | 'query' | 'body'

/**
 * Token credentials (or temporary credentials), with the provider's wire
 * names and every extra field it returned (`user_id`, `screen_name`…).
 */
export interface Token {
  oauth_token: string
  oauth_token_secret: string
  [extra: string]: string
}

/**
 * What the web flow keeps between `authorizeRedirect` and the callback:
 * the temporary credentials, where to come back to, and when it expires.
 */
export interface StoredTemporaryCredential {
  oauth_token: string
  oauth_token_secret: string
  /** The `oauth_callback` sent with the temporary-credential request. */
  redirect_uri?: string
  /** Milliseconds since the epoch after which the callback is refused. */
  expires_at: number
}

/**
 * The one port each framework adapter implements over its session, one
 * instance per incoming request. Keys are made by the core from the client's
 * name and the request token; values are plain JSON.
 */
export interface TemporaryCredentialStore {
  get(key: string): Awaitable<StoredTemporaryCredential | null>
  set(key: string, value: StoredTemporaryCredential): Awaitable<void>
  delete(key: string): Awaitable<void>
  /**
   * Gets and deletes the entry in one atomic step (Redis `GETDEL`): of
   * several callbacks taking the same key at once, anywhere, one gets it and
   * the others `null`. Optional: without it the core gets, then deletes,
   * which is single use only within one session's requests.
   */
  take?(key: string): Awaitable<StoredTemporaryCredential | null>
}

/**
 * A temporary-credential store shared by every browser and every instance of
 * the app (Redis: `@oauth1/redis`), passed to an adapter's
 * `oauth.middleware({ store })`. The session (or a cookie) then keeps only an
 * unguessable per-browser binding id; each pending login is an entry of its
 * own under that id, so single use holds across instances and logins started
 * at the same moment never overwrite each other.
 *
 * @see https://oauth.net/advisories/2009-1/ (the login stays bound to the browser that started it)
 */
export interface ServerSideStore {
  /**
   * The pending logins of one browser: a store whose keys live under
   * `bindingId` only, with an atomic {@link TemporaryCredentialStore.take}.
   * `bindingId` comes from the core's `generateBindingId` (base64url).
   */
  forBinding(
    bindingId: string,
  ): TemporaryCredentialStore & Required<Pick<TemporaryCredentialStore, 'take'>>
}
