/**
 * The `oauth1-test-provider` command: starts the provider, prints where it
 * listens, logs each request, and stops on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { EMULATION_NAMES, EMULATIONS, isEmulationName } from './emulations/index.js'
import { createTestProvider, type TestProvider } from './provider.js'
import type { Quirks, TestClientConfig, TestProviderOptions } from './types.js'

export const USAGE = `Usage: oauth1-test-provider [options]

A strict OAuth 1.0a provider for local development and tests.

Options:
  --emulate <provider>       behave like a real provider: ${EMULATION_NAMES.join(', ')}
  --port <n>                 port to listen on (default 4000; 0 = a free port)
  --host <addr>              interface to bind (default 127.0.0.1)
  --name <text>              provider name shown on its pages (default "Test Provider",
                             or the emulated provider's)
  --client-id <id>           the demo client's id (default demo-client)
  --client-secret <secret>   the demo client's secret (default demo-secret)
  --client-name <text>       the name on the consent page (default "Demo App")
  --rsa-public-key <file>    a PEM public key: the client may sign with RSA-SHA*
  --callback <url>           an allowed callback; repeat for more; a trailing *
                             makes it a prefix (default: any loopback URL, and oob);
                             for --emulate etrade or mediawiki the first one is the
                             callback registered with the consumer key
  --auto-approve             skip the consent page, approving as the first user
  --auto-approve-as <user>   skip the consent page, approving as this user (id or name)
  --denial <style>           user_refused (default) or denied (X/Twitter style)
  --callback-confirmed <v>   true (default), True, false or omit
  --token-format <fmt>       form (default) or json
  --token-content-type <t>   the Content-Type label of token responses (X: 'text/html;charset=utf-8')
  --delay <ms>               wait this long before every answer
  --timestamp-window <s>     accepted clock skew in seconds (default 300)
  --debug                    put the computed base string in signature_invalid answers
  --quiet                    do not log requests
  -h, --help                 show this help
`

export interface CliIO {
  out: (line: string) => void
  err: (line: string) => void
}

/** Parses the command line into provider options. Throws a TypeError on bad flags. */
export function parseCli(argv: string[]): {
  options: TestProviderOptions
  help: boolean
  quiet: boolean
} {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      emulate: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      name: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'client-name': { type: 'string' },
      'rsa-public-key': { type: 'string' },
      callback: { type: 'string', multiple: true },
      'auto-approve': { type: 'boolean' },
      'auto-approve-as': { type: 'string' },
      denial: { type: 'string' },
      'callback-confirmed': { type: 'string' },
      'token-format': { type: 'string' },
      'token-content-type': { type: 'string' },
      delay: { type: 'string' },
      'timestamp-window': { type: 'string' },
      debug: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const int = (flag: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined
    if (!/^\d+$/.test(value))
      throw new TypeError(`--${flag} should be a whole number, got ${JSON.stringify(value)}`)
    return Number(value)
  }
  const emulate = values.emulate
  if (emulate !== undefined && !isEmulationName(emulate))
    throw new TypeError(
      `--emulate should be one of ${EMULATION_NAMES.join(', ')}, got ${JSON.stringify(emulate)}`,
    )
  if (
    emulate !== undefined &&
    EMULATIONS[emulate].defaultClientKeys === 'rsa' &&
    values['rsa-public-key'] === undefined
  )
    throw new TypeError(
      `--emulate ${emulate} needs --rsa-public-key <file>: ${EMULATIONS[emulate].title} takes RSA signatures only`,
    )
  const client: TestClientConfig = {
    id: values['client-id'] ?? 'demo-client',
    name: values['client-name'] ?? 'Demo App',
  }
  if (values['rsa-public-key'] !== undefined) {
    client.rsaPublicKey = readFileSync(values['rsa-public-key'], 'utf8')
    if (values['client-secret'] !== undefined) client.secret = values['client-secret']
  } else {
    client.secret = values['client-secret'] ?? 'demo-secret'
  }
  if (values.callback !== undefined) client.callbackUrls = values.callback
  const quirks: Quirks = {}
  if (values.denial !== undefined) quirks.denial = values.denial as Quirks['denial'] & string
  if (values['callback-confirmed'] !== undefined)
    quirks.callbackConfirmed = values['callback-confirmed'] as NonNullable<
      Quirks['callbackConfirmed']
    >
  if (values['token-format'] !== undefined)
    quirks.tokenFormat = values['token-format'] as NonNullable<Quirks['tokenFormat']>
  if (values['token-content-type'] !== undefined)
    quirks.tokenContentType = values['token-content-type']
  const delay = int('delay', values.delay)
  if (delay !== undefined) quirks.delay = delay
  const options: TestProviderOptions = {
    port: int('port', values.port) ?? 4000,
    clients: [client],
    quirks,
  }
  if (emulate !== undefined) options.emulate = emulate
  if (values.host !== undefined) options.host = values.host
  if (values.name !== undefined) options.name = values.name
  if (values['auto-approve-as'] !== undefined) options.autoApprove = values['auto-approve-as']
  else if (values['auto-approve']) options.autoApprove = true
  const tsWindow = int('timestamp-window', values['timestamp-window'])
  if (tsWindow !== undefined) options.timestampWindow = tsWindow
  if (values.debug) options.debug = true
  return { options, help: values.help === true, quiet: values.quiet === true }
}

/**
 * Runs the CLI: resolves to the running provider (or `undefined` after
 * `--help` or an error, with `process.exitCode` set).
 */
export async function runCli(
  argv: string[],
  io: CliIO = { out: (l) => console.log(l), err: (l) => console.error(l) },
): Promise<TestProvider | undefined> {
  let parsed: ReturnType<typeof parseCli>
  try {
    parsed = parseCli(argv)
  } catch (err) {
    io.err(`oauth1-test-provider: ${err instanceof Error ? err.message : String(err)}`)
    io.err('Run oauth1-test-provider --help for the options.')
    process.exitCode = 2
    return undefined
  }
  if (parsed.help) {
    io.out(USAGE)
    return undefined
  }
  let provider: TestProvider
  try {
    provider = await createTestProvider(parsed.options)
  } catch (err) {
    io.err(`oauth1-test-provider: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = err instanceof TypeError ? 2 : 1
    return undefined
  }
  io.out(`OAuth 1.0a test provider listening on ${provider.url}`)
  const emulation = provider.emulation
  if (emulation !== undefined && isEmulationName(emulation)) {
    const e = EMULATIONS[emulation]
    io.out(`  emulating        ${e.title} (${emulation})`)
    const methods: Record<string, string> = {
      requestTokenUrl: e.requestToken?.methods.join('|') ?? '',
      authorizeUrl: 'GET',
      accessTokenUrl: e.accessToken?.methods.join('|') ?? '',
    }
    for (const [name, url] of Object.entries(provider.urls)) {
      io.out(`  ${name.padEnd(16)} ${(methods[name] ?? '').padEnd(8)} ${url}`)
    }
  } else {
    io.out(`  request token  POST ${provider.requestTokenUrl}`)
    io.out(`  authorize      GET  ${provider.authorizeUrl}`)
    io.out(`  access token   POST ${provider.accessTokenUrl}`)
    io.out(`  API            GET  ${provider.apiBaseUrl}me, ${provider.apiBaseUrl}echo`)
  }
  io.out(
    `  client         id=${provider.client.id}${provider.client.secret === '' ? '' : ` secret=${provider.client.secret}`} ("${provider.client.name}")`,
  )
  io.out('Press Ctrl-C to stop.')
  if (!parsed.quiet) {
    provider.on('request', (r) => {
      const verdict = r.problem ? ` ${r.problem}${r.advice ? ` (${r.advice})` : ''}` : ''
      io.out(`${r.method} ${r.url.split('?')[0]} ${r.status}${verdict}`)
      if (r.problem === 'signature_invalid' && r.baseString)
        io.out(`  base string: ${r.baseString}`)
    })
  }
  return provider
}
