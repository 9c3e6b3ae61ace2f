import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type ExampleConfig, loadConfig } from './config.ts'
import { providerRegistration } from './registration.ts'

/** An example app listening on a port, as `start(config)` resolves it. */
export interface RunningApp {
  /** The framework's name ("Express"). */
  framework: string
  /** Where it listens, e.g. `http://127.0.0.1:3001` (no trailing slash). */
  url: string
  /** Stops listening, drops open connections, closes the database. Idempotent. */
  close(): Promise<void>
}

/** The `http://host:port` a listening server can be reached at. */
export function serverUrl(server: Server): string {
  const address = server.address() as AddressInfo | null
  if (!address || typeof address === 'string') throw new Error('the server is not listening on TCP')
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`
}

/** Listens on `host:port` and resolves once bound, rejecting on `EADDRINUSE` and the like. */
export function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err)
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve(serverUrl(server))
    })
  })
}

/** Closes a server without waiting for keep-alive connections (a browser keeps some open). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve()
    server.close((err) => (err ? reject(err) : resolve()))
    server.closeIdleConnections()
    // Requests still in flight get a moment to finish, then their sockets go too.
    setImmediate(() => server.closeAllConnections())
  })
}

/**
 * A started app as {@link RunningApp}: `close()` runs `stop` (the server's own
 * close), then closes `db` whether or not `stop` failed. Idempotent: a second
 * `close()` returns the first one's promise.
 */
export function runningApp(
  framework: string,
  url: string,
  stop: () => PromiseLike<unknown>,
  db: { close(): void },
): RunningApp {
  let closing: Promise<void> | undefined
  return {
    framework,
    url,
    close: () => {
      closing ??= (async () => {
        try {
          await stop()
        } finally {
          db.close()
        }
      })()
      return closing
    },
  }
}

/**
 * Serves an app's Node `server` on `config.host:config.port` (0: a free port)
 * — what `start(config)` does once it has opened `db` and built the server.
 * If listening fails (a busy port), `db` is closed and the error rethrown;
 * otherwise `close()` stops the server ({@link closeServer}), then closes `db`.
 */
export async function serve(
  framework: string,
  server: Server,
  db: { close(): void },
  config: Pick<ExampleConfig, 'host' | 'port'>,
): Promise<RunningApp> {
  let url: string
  try {
    url = await listen(server, config.port, config.host)
  } catch (err) {
    db.close()
    throw err
  }
  return runningApp(framework, url, () => closeServer(server), db)
}

/**
 * Runs an app as a program: reads its configuration from the environment
 * ({@link loadConfig}), starts it, prints its URL, and stops it cleanly on
 * Ctrl-C (SIGINT) or SIGTERM. A bad setting or a busy port ends the program
 * with a one-line message, not a stack trace.
 */
export async function runStandalone(
  start: (config: ExampleConfig) => Promise<RunningApp>,
  defaults: { appDir: string; port: number },
): Promise<void> {
  let app: RunningApp
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig(process.env, defaults)
    app = await start(config)
  } catch (err) {
    console.error(err instanceof Error ? err.message : err)
    process.exitCode = 1
    return
  }
  console.log(`${app.framework} example listening on ${app.url}`)
  const { authorizeUrl, apiBaseUrl } = providerRegistration(config)
  console.log(
    authorizeUrl
      ? `Logging in with ${config.providerName} at ${new URL(authorizeUrl).origin} (callback ${app.url}/authorize)`
      : `${config.providerName} is signing-only: no login, API calls to ${apiBaseUrl}`,
  )
  if (config.sessionSecretGenerated) {
    console.log(
      'SESSION_SECRET is not set: using a random one, so sessions end when the app restarts.',
    )
  }
  // `process.on`, not `once`: a second Ctrl-C while closing must not kill the
  // process half-way (tsx re-raises a signal nobody else listens to).
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: stopping…`)
    app.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
