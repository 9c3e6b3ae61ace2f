/**
 * Where the login comes back to, and which Hosts the app answers. A relative
 * callback follows the request's Host header, which the browser — or whoever
 * sends the request — chooses: with a provider that takes any callback, a
 * `/login` sent with a forged Host would send the verifier of a user who
 * approves that login to the sender's host.
 */
import type { ExampleConfig } from './config.ts'

/**
 * The callback the apps pass to `authorizeRedirect`: `<PUBLIC_URL>/authorize`
 * when the app has a public origin; otherwise `/authorize`, resolved against
 * the request's origin, which {@link hostRefusal} keeps to this machine.
 *
 * @example
 * ```ts
 * provider.authorizeRedirect(req, res, callbackUri(config))
 * ```
 */
export function callbackUri(config: Pick<ExampleConfig, 'publicUrl'>): string {
  return config.publicUrl ? `${config.publicUrl}/authorize` : '/authorize'
}

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i

/** A request the app will not serve: a 400 whose message the error page shows. */
export interface HostRefusal extends Error {
  status: 400
  code: 'unknown_host'
  expose: true
}

/**
 * Why a request with this `Host` must not use the app (an error for the
 * app's error handler), or `undefined` when it may. With `PUBLIC_URL` every Host may (the callback no longer depends on
 * it, and a proxy in front may rewrite it); without, the app is a
 * development server on this machine: only `localhost`, `127.x.x.x` or
 * `[::1]` on the port it listens on.
 *
 * @example
 * ```ts
 * app.use((req, _res, next) => next(hostRefusal(config, req.headers.host, req.socket.localPort)))
 * ```
 */
export function hostRefusal(
  config: Pick<ExampleConfig, 'publicUrl'>,
  host: string | undefined,
  localPort: number | undefined,
): HostRefusal | undefined {
  if (config.publicUrl) return undefined
  const [, name = '', port] = /^(.*?)(?::(\d{1,5}))?$/.exec(host ?? '') ?? []
  // A port the app cannot tell (app.request() in a test): any loopback one.
  if (LOOPBACK.test(name) && (localPort === undefined || Number(port) === localPort)) {
    return undefined
  }
  const message = `This app serves only localhost:${localPort ?? '<its port>'}, not ${JSON.stringify((host ?? '').slice(0, 100))}: set PUBLIC_URL to serve it under another name.`
  return Object.assign(new Error(message), {
    status: 400 as const,
    code: 'unknown_host' as const,
    expose: true as const,
  })
}
