/**
 * `pnpm demo`: the local OAuth 1.0a provider with its consent page, and the
 * four example apps (Express, Fastify, Koa, Hono) logging in with it. Open an
 * app's URL, click "Log in with Test Provider", pick a user, Allow, and you
 * land on your profile. Ctrl-C stops everything.
 *
 * `DEMO_EMULATE=trello pnpm demo` (or `pnpm demo --emulate trello`): the
 * provider emulates Trello (or X, E*TRADE… any `@oauth1/testing` emulation)
 * and the apps use the `@oauth1/providers` preset, so the consent page and
 * the callback look like that provider's flow. No keys, no network.
 *
 * Ports: the provider on 4000 and the apps on 3001–3004, each overridable
 * with `DEMO_PORT_PROVIDER`, `DEMO_PORT_EXPRESS`, `DEMO_PORT_FASTIFY`,
 * `DEMO_PORT_KOA`, `DEMO_PORT_HONO` (0 = any free port). A default port that
 * is taken is replaced by a free one; a port you chose must be free.
 * Everything listens on 127.0.0.1 only. `DEMO_QUIET=1` stops the log of the
 * provider's requests.
 */
import type { RecordedRequest } from '@oauth1/testing'
import { DEMO_EMULATIONS, emulateOption } from './emulate.ts'
import { EXAMPLES, type ExampleId, startStack } from './stack.ts'

function port(name: string, fallback: number): { port: number; chosen: boolean } {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return { port: fallback, chosen: false }
  const value = Number(raw)
  if (!/^\d{1,5}$/.test(raw) || value > 65535) {
    throw new TypeError(`${name} must be a port number (0-65535), got ${JSON.stringify(raw)}`)
  }
  return { port: value, chosen: true }
}

function describe(record: RecordedRequest): string {
  const path = record.url.split('?')[0]
  const verdict = record.ok ? `${record.status}` : `${record.status} ${record.problem ?? ''}`.trim()
  return `  provider  ${record.method.padEnd(4)} ${path} → ${verdict}`
}

async function main(): Promise<void> {
  const emulate = emulateOption(process.argv.slice(2), process.env)
  const providerPort = port('DEMO_PORT_PROVIDER', 4000)
  const appPorts = Object.fromEntries(
    EXAMPLES.map((e) => [e.id, port(`DEMO_PORT_${e.id.toUpperCase()}`, e.defaultPort)]),
  ) as Record<ExampleId, { port: number; chosen: boolean }>

  const stack = await startStack({
    emulate,
    host: '127.0.0.1',
    providerPort: providerPort.port,
    ports: Object.fromEntries(EXAMPLES.map((e) => [e.id, appPorts[e.id].port])),
    // Default ports give way to a free one; ports someone asked for must be free.
    fallbackToFreePort: [
      ...(providerPort.chosen ? [] : (['provider'] as const)),
      ...EXAMPLES.filter((e) => !appPorts[e.id].chosen).map((e) => e.id),
    ],
  })

  const width = Math.max(...stack.apps.map((a) => a.framework.length), 'Provider'.length) + 2
  const name = stack.providerName
  console.log(
    stack.emulation
      ? `\n@oauth1 demo: "Log in with ${name}" in four frameworks, against an emulation of ${name}\n`
      : '\n@oauth1 demo: "Log in with Test Provider" in four frameworks\n',
  )
  for (const app of stack.apps) console.log(`  ${app.framework.padEnd(width)}${app.url}`)
  const users = stack.provider.users.map((u) => u.screenName).join(', ')
  console.log(`\n  ${'Provider'.padEnd(width)}${stack.provider.url}  (${name}, users: ${users})`)
  if (stack.emulation) {
    console.log(
      `  ${''.padEnd(width)}the apps use @oauth1/providers' ${stack.emulation}() with the emulation's URLs spread over it`,
    )
  }
  console.log(`\nOpen an app, click "Log in with ${name}", pick a user and Allow.`)
  if (!stack.emulation) {
    console.log(
      `Or try a real provider's flow: pnpm demo --emulate trello (or ${DEMO_EMULATIONS.filter(
        (e) => e !== 'trello',
      )
        .slice(0, 3)
        .join(', ')}…).`,
    )
  }
  console.log('Press Ctrl-C to stop.\n')

  if (!process.env.DEMO_QUIET) stack.provider.on('request', (r) => console.log(describe(r)))

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) {
      console.log('\nForced exit.')
      process.exit(1)
    }
    stopping = true
    console.log(`\n${signal}: stopping…`)
    stack.close().then(
      () => {
        console.log('Stopped.')
        process.exit(0)
      },
      (err) => {
        console.error(err)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

main().catch((err: unknown) => {
  console.error(`pnpm demo: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
