/**
 * `DEMO_EMULATE=<name>` (or `pnpm demo --emulate <name>`): the local provider
 * runs `createTestProvider({ emulate: name })` and the apps register the
 * matching `@oauth1/providers` preset with the emulation's URLs spread over
 * it, so the consent page and the callback look like that provider's flow.
 * This is what each preset needs to run against its emulation.
 */
import { generateKeyPairSync } from 'node:crypto'
import {
  EMULATION_NAMES,
  EMULATIONS,
  type EmulationName,
  isEmulationName,
  NETSUITE_ACCOUNT_ID,
  type TestProvider,
} from '@oauth1/testing'
import { isPresetName, type PresetName } from '@oauth1-examples/shared'

/** What the demo gives one preset so it works against the emulation. */
interface DemoEmulation {
  /** The preset's options, knowing the running emulation (its origin) and the client's RSA key. */
  options(provider: TestProvider, keys: { rsaPrivateKey?: string }): Record<string, unknown>
  /** The client signs with RSA (the emulation takes nothing else). */
  rsa?: true
  /** `/api-call`'s request when the preset has no sample call of its own. */
  apiCall?: string
}

const DEMO_APP = 'Demo App'

const SETUP: Record<EmulationName, DemoEmulation> = {
  twitter: { options: () => ({}) },
  // Trello shows `name` on its consent page; `account` adds the e-mail address.
  trello: { options: () => ({ name: DEMO_APP, scope: 'read,account', expiration: '1hour' }) },
  flickr: { options: () => ({ perms: 'read' }) },
  tumblr: { options: () => ({}) },
  discogs: { options: () => ({ userAgent: 'oauth1-demo/1.0 +https://github.com/oauth1/oauth1' }) },
  smugmug: { options: () => ({ access: 'Full', permissions: 'Read' }) },
  zotero: { options: () => ({ name: DEMO_APP }) },
  mediawiki: { options: (provider) => ({ indexUrl: `${provider.url}/w/index.php` }) },
  etrade: { options: () => ({ sandbox: true }) },
  atlassian: {
    rsa: true,
    options: (provider, { rsaPrivateKey }) => ({ baseUrl: provider.url, rsaKey: rsaPrivateKey }),
  },
  netsuite: { options: () => ({ accountId: NETSUITE_ACCOUNT_ID }) },
  woocommerce: { options: (provider) => ({ storeUrl: provider.url }) },
  // The district's host only names the consent page, which the emulation's URLs replace.
  schoology: { options: () => ({ domain: 'demo.schoology.com' }) },
  mastercard: {
    rsa: true,
    options: (_, { rsaPrivateKey }) => ({ sandbox: true, rsaKey: rsaPrivateKey }),
    // The emulation answers any path with what it received.
    apiCall: '/atms/v1/atm?PageLength=5&PageOffset=0&Country=USA',
  },
  // BrickLink issues the token per IP ahead of time: the emulation issues one.
  bricklink: { options: (provider) => ({ token: provider.issueToken() }) },
  plurk: { options: () => ({}) },
  garmin: { options: () => ({}) },
}

/** The names `DEMO_EMULATE` and `--emulate` take: every emulation, each a preset. */
export const DEMO_EMULATIONS: readonly (EmulationName & PresetName)[] = EMULATION_NAMES.filter(
  (name): name is EmulationName & PresetName => isPresetName(name),
)

/** `name` as an emulation the demo can run, or a TypeError naming `source`. */
export function demoEmulation(name: string, source: string): EmulationName & PresetName {
  if (!isEmulationName(name) || !isPresetName(name)) {
    throw new TypeError(
      `${source} must be one of ${DEMO_EMULATIONS.join(', ')}, got ${JSON.stringify(name)}`,
    )
  }
  return name
}

/** An RSA key pair for the demo client of an RSA-only emulation (made per start, never saved). */
export function demoClientKeys(name: EmulationName): {
  rsaPrivateKey?: string
  rsaPublicKey?: string
} {
  if (!SETUP[name].rsa) return {}
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  })
  return { rsaPrivateKey: privateKey, rsaPublicKey: publicKey }
}

/**
 * Whether the emulation sends the user to the callback registered with the
 * client (E*TRADE, MediaWiki: `oauth_callback=oob`): each app then needs a
 * client of its own, registered with its own callback.
 */
export function needsClientPerApp(name: EmulationName): boolean {
  const callback = EMULATIONS[name].callback
  return callback === 'oob' || callback === 'oob-or-prefix'
}

/** The preset options and the `/api-call` request of the demo against `provider`. */
export function demoPreset(
  name: EmulationName & PresetName,
  provider: TestProvider,
  keys: { rsaPrivateKey?: string },
): { options: Record<string, unknown>; apiCall?: string } {
  const setup = SETUP[name]
  return {
    options: setup.options(provider, keys),
    ...(setup.apiCall === undefined ? {} : { apiCall: setup.apiCall }),
  }
}

/**
 * The emulation asked for: `--emulate <name>` or `--emulate=<name>` on the
 * command line, else `DEMO_EMULATE`; `undefined` for the plain test provider.
 */
export function emulateOption(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): string | undefined {
  let fromArgs: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') continue
    if (arg === '--emulate') {
      const value = argv[++i]
      if (value === undefined || value.startsWith('-')) {
        throw new TypeError(`--emulate needs a provider: ${DEMO_EMULATIONS.join(', ')}`)
      }
      fromArgs = demoEmulation(value, '--emulate')
    } else if (arg.startsWith('--emulate=')) {
      fromArgs = demoEmulation(arg.slice('--emulate='.length), '--emulate')
    } else {
      throw new TypeError(
        `unknown argument ${JSON.stringify(arg)} (usage: pnpm demo [--emulate <provider>])`,
      )
    }
  }
  if (fromArgs !== undefined) return fromArgs
  return env.DEMO_EMULATE ? demoEmulation(env.DEMO_EMULATE, 'DEMO_EMULATE') : undefined
}
