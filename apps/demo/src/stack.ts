/**
 * Starts the local OAuth 1.0a provider (`@oauth1/testing`, with its consent
 * page) and example apps pointed at it, all in this process. Used by
 * `pnpm demo` and by the end-to-end tests, so the tests run what people run.
 */
import { createTestProvider, type TestProvider } from '@oauth1/testing'
import {
  type ExampleConfig,
  PRESETS,
  type PresetName,
  presetApiCall,
  type RunningApp,
} from '@oauth1-examples/shared'
import { start as startExpress } from 'example-express'
import { start as startFastify } from 'example-fastify'
import { start as startHono } from 'example-hono'
import { start as startKoa } from 'example-koa'
import { demoClientKeys, demoEmulation, demoPreset, needsClientPerApp } from './emulate.ts'
import { choosePort } from './ports.ts'

export type ExampleId = 'express' | 'fastify' | 'koa' | 'hono'

export interface Example {
  id: ExampleId
  framework: string
  /** The port `pnpm demo` uses unless `DEMO_PORT_<ID>` says otherwise. */
  defaultPort: number
  start(config: ExampleConfig): Promise<RunningApp>
}

export const EXAMPLES: readonly Example[] = [
  { id: 'express', framework: 'Express', defaultPort: 3001, start: startExpress },
  { id: 'fastify', framework: 'Fastify', defaultPort: 3002, start: startFastify },
  { id: 'koa', framework: 'Koa', defaultPort: 3003, start: startKoa },
  { id: 'hono', framework: 'Hono', defaultPort: 3004, start: startHono },
]

/** The client the demo registers with the provider, shown as "Demo App" on its consent page. */
export const DEMO_CLIENT = { id: 'demo-client', secret: 'demo-secret', name: 'Demo App' } as const

export interface StackOptions {
  /** Which examples to start. Default: all four. */
  examples?: readonly ExampleId[]
  /** Interface everything binds to. Default `127.0.0.1`. */
  host?: string
  /** The provider's port: a number, or 0 for a free one. Default 0. */
  providerPort?: number
  /** Each app's port (0, the default, for a free one). */
  ports?: Partial<Record<ExampleId, number>>
  /**
   * When a wanted port is taken, use a free one instead of failing: `true`
   * for every port, or the list of those that may move (`'provider'`, app
   * ids). Default `false`.
   */
  fallbackToFreePort?: boolean | readonly ('provider' | ExampleId)[]
  /**
   * The provider's display name. Default `'Test Provider'`, or the emulated
   * provider's ("Trello").
   */
  providerName?: string
  /**
   * Emulate a real provider (`'trello'`, `'twitter'`… any name of
   * `EMULATION_NAMES`): the provider runs `createTestProvider({ emulate })`
   * and the apps register that provider's `@oauth1/providers` preset with the
   * emulation's URLs spread over it.
   */
  emulate?: string | undefined
  /** Passed to the provider (e.g. `autoApprove` or `quirks` in a test). */
  providerOptions?: Omit<
    Parameters<typeof createTestProvider>[0] & object,
    'port' | 'host' | 'clients' | 'name' | 'emulate'
  >
  /** The SQLite path each app uses, per example. Default `:memory:`. */
  databasePath?: (id: ExampleId) => string
}

export interface RunningStack {
  provider: TestProvider
  /** The emulated provider's preset, when `emulate` was given. */
  emulation?: PresetName | undefined
  /** The provider's display name, as the apps show it ("Trello"). */
  providerName: string
  apps: (RunningApp & { id: ExampleId })[]
  /** Stops the apps, then the provider. Idempotent. */
  close(): Promise<void>
}

function origin(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

/**
 * Starts the provider, then the examples. On any failure, whatever started is
 * stopped again before the error is rethrown. Ports are probed before anything
 * listens, so another process may take one in between: when that happens and
 * the port was not one the caller insisted on, it starts again (3 tries).
 */
export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const mayMove = (what: 'provider' | ExampleId) => canMove(options, what)
  const insisted =
    (Boolean(options.providerPort) && !mayMove('provider')) ||
    Object.entries(options.ports ?? {}).some(([id, port]) => port && !mayMove(id as ExampleId))
  for (let attempt = 1; ; attempt++) {
    try {
      return await startStackOnce(options)
    } catch (err) {
      if (insisted || attempt >= 3 || !portTaken(err)) throw err
    }
  }
}

/** Whether `what`'s port may give way to a free one (see {@link StackOptions.fallbackToFreePort}). */
function canMove(options: StackOptions, what: 'provider' | ExampleId): boolean {
  const fallback = options.fallbackToFreePort
  return fallback === true || (Array.isArray(fallback) && fallback.includes(what))
}

function portTaken(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE'
}

async function startStackOnce(options: StackOptions): Promise<RunningStack> {
  const host = options.host ?? '127.0.0.1'
  const mayMove = (what: 'provider' | ExampleId) => canMove(options, what)
  const examples = (options.examples ?? EXAMPLES.map((e) => e.id)).map((id) => {
    const example = EXAMPLES.find((e) => e.id === id)
    if (!example) throw new TypeError(`options.examples: unknown example ${JSON.stringify(id)}`)
    return example
  })

  const providerPort = await choosePort(options.providerPort ?? 0, host, mayMove('provider'))
  const appPorts = new Map<ExampleId, number>()
  for (const example of examples) {
    let port = await choosePort(options.ports?.[example.id] ?? 0, host, mayMove(example.id))
    // Two free-port probes can land on the same number; ask again.
    while (port === providerPort || [...appPorts.values()].includes(port)) {
      port = await choosePort(0, host, false)
    }
    appPorts.set(example.id, port)
  }

  const emulation =
    options.emulate === undefined ? undefined : demoEmulation(options.emulate, 'options.emulate')
  const keys = emulation === undefined ? {} : demoClientKeys(emulation)
  // Exactly the apps' callbacks, as a real provider registers them (under
  // `localhost` too, for people who type that).
  const callbacks = (example: Example) => {
    const port = appPorts.get(example.id)!
    const hosts = host === '127.0.0.1' ? [host, 'localhost'] : [host]
    return hosts.map((h) => `${origin(h, port)}/authorize`)
  }
  const client = {
    ...DEMO_CLIENT,
    ...(keys.rsaPublicKey === undefined ? {} : { rsaPublicKey: keys.rsaPublicKey }),
  }
  // E*TRADE and MediaWiki send the user to the one callback registered with
  // the client: one client per app, then.
  const clientPerApp = emulation !== undefined && needsClientPerApp(emulation)
  const clientIdOf = (example: Example) =>
    clientPerApp ? `${DEMO_CLIENT.id}-${example.id}` : DEMO_CLIENT.id
  const providerName =
    options.providerName ?? (emulation === undefined ? 'Test Provider' : PRESETS[emulation].title)

  const provider = await createTestProvider({
    ...options.providerOptions,
    host,
    port: providerPort,
    ...(emulation === undefined ? {} : { emulate: emulation }),
    // An emulation names itself ("Trello") unless told otherwise.
    ...(emulation === undefined || options.providerName !== undefined
      ? { name: providerName }
      : {}),
    clients: clientPerApp
      ? examples.map((e) => ({ ...client, id: clientIdOf(e), callbackUrls: callbacks(e) }))
      : [{ ...client, callbackUrls: examples.flatMap(callbacks) }],
  })

  // The provider part of each app's config: the emulated provider's preset
  // with the emulation's URLs over it, or the local provider's four URLs.
  let providerConfig: (
    example: Example,
  ) => Pick<ExampleConfig, 'clientId' | 'clientSecret'> & Partial<ExampleConfig>
  if (emulation === undefined) {
    providerConfig = (example) => ({
      clientId: clientIdOf(example),
      clientSecret: DEMO_CLIENT.secret,
      requestTokenUrl: provider.requestTokenUrl,
      authorizeUrl: provider.authorizeUrl,
      accessTokenUrl: provider.accessTokenUrl,
      apiBaseUrl: provider.apiBaseUrl,
    })
  } else {
    let demo: ReturnType<typeof demoPreset>
    try {
      demo = demoPreset(emulation, provider, keys)
    } catch (err) {
      await provider.close()
      throw err
    }
    const preset = { name: emulation, options: demo.options }
    const apiCall = demo.apiCall ?? presetApiCall(preset)
    providerConfig = (example) => ({
      clientId: clientIdOf(example),
      clientSecret: DEMO_CLIENT.secret,
      preset,
      ...provider.urls,
      ...(apiCall === undefined ? {} : { apiCall }),
    })
  }

  const apps: RunningStack['apps'] = []
  const close = async () => {
    const results = await Promise.allSettled(apps.map((app) => app.close()))
    await provider.close()
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) throw failed.reason
  }
  let closing: Promise<void> | undefined
  const stack: RunningStack = {
    provider,
    emulation,
    providerName,
    apps,
    close: () => {
      closing ??= close()
      return closing
    },
  }

  try {
    for (const example of examples) {
      const app = await example.start({
        providerName,
        ...providerConfig(example),
        timeout: 10_000,
        temporaryCredentialTtl: 600_000,
        host,
        port: appPorts.get(example.id)!,
        sessionSecret: randomSecret(),
        databasePath: options.databasePath?.(example.id) ?? ':memory:',
        secureCookies: false,
      })
      apps.push(Object.assign(app, { id: example.id }))
    }
  } catch (err) {
    await stack.close().catch(() => {})
    throw err
  }
  return stack
}

function randomSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
}
