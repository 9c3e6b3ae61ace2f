import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'tsup'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCli, runCli } from './cli-main.js'
import { coreSigner, send } from './test-helpers.js'

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')
// Built inside the package so `@oauth1/core` resolves as it does for the real bin.
let outDir: string

beforeAll(async () => {
  outDir = mkdtempSync(join(packageDir, 'node_modules', '.cli-test-'))
  await build({
    config: false,
    entry: { cli: join(packageDir, 'src/cli.ts') },
    outDir,
    format: ['esm'],
    target: 'node20',
    dts: false,
    silent: true,
    // bundled once, so a concurrent rebuild of core's dist cannot break a spawned CLI
    noExternal: ['@oauth1/core'],
  })
}, 60_000)
afterAll(() => rmSync(outDir, { recursive: true, force: true }))

interface Running {
  child: ChildProcess
  url: string
  lines: string[]
  exited: Promise<number | null>
}

function start(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [join(outDir, 'cli.js'), ...args], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  return new Promise((resolve, reject) => {
    let buffer = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk
      const parts = buffer.split('\n')
      buffer = parts.pop()!
      for (const line of parts) {
        lines.push(line)
        const m = /listening on (http:\/\/\S+)$/.exec(line)
        if (m) resolve({ child, url: m[1]!, lines, exited })
      }
    })
    let err = ''
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      err += c
    })
    exited.then((code) => reject(new Error(`exited with ${code}: ${err}`)))
  })
}

async function waitForLine(r: Running, re: RegExp): Promise<string> {
  for (;;) {
    const line = r.lines.find((l) => re.test(l))
    if (line) return line
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('oauth1-test-provider CLI', () => {
  it('prints its URL, serves the flow, logs requests, and stops on SIGTERM', async () => {
    const r = await start([
      '--port',
      '0',
      '--client-id',
      'cli-app',
      '--client-secret',
      'cli secret',
      '--client-name',
      'CLI App',
    ])
    try {
      expect(r.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(await waitForLine(r, /client/)).toContain('id=cli-app secret=cli secret ("CLI App")')
      const ok = await send(
        await coreSigner({
          method: 'POST',
          url: `${r.url}/oauth/request_token`,
          clientId: 'cli-app',
          clientSecret: 'cli secret',
          callback: 'oob',
        }),
      )
      expect(ok.status).toBe(200)
      expect(ok.form.get('oauth_callback_confirmed')).toBe('true')
      const page = await fetch(`${r.url}/oauth/authorize?oauth_token=${ok.form.get('oauth_token')}`)
      expect(await page.text()).toContain('Allow CLI App to use your account?')
      expect(await waitForLine(r, /^POST \/oauth\/request_token 200$/)).toBeTruthy()

      const bad = await send(
        await coreSigner({
          method: 'GET',
          url: `${r.url}/api/echo`,
          clientId: 'cli-app',
          clientSecret: 'nope',
        }),
      )
      expect(bad.status).toBe(401)
      expect(await waitForLine(r, /^GET \/api\/echo 401 signature_invalid/)).toBeTruthy()
      expect(await waitForLine(r, /^ {2}base string: GET&http%3A%2F%2F127\.0\.0\.1/)).toBeTruthy()
    } finally {
      r.child.kill('SIGTERM')
    }
    expect(await r.exited).toBe(0)
  })

  it('--auto-approve-as and quirk flags; stops on SIGINT', async () => {
    const r = await start([
      '--port',
      '0',
      '--auto-approve-as',
      'bob',
      '--denial',
      'denied',
      '--token-format',
      'json',
      '--token-content-type',
      'text/html;charset=utf-8',
      '--quiet',
    ])
    try {
      const res = await send(
        await coreSigner({
          method: 'POST',
          url: `${r.url}/oauth/request_token`,
          callback: 'http://localhost:1/cb',
        }),
      )
      expect(res.headers.get('content-type')).toBe('text/html;charset=utf-8')
      const { oauth_token } = JSON.parse(res.text)
      const redirect = await fetch(`${r.url}/oauth/authorize?oauth_token=${oauth_token}`, {
        redirect: 'manual',
      })
      expect(redirect.status).toBe(302)
      expect(r.lines.some((l) => l.startsWith('POST '))).toBe(false)
    } finally {
      r.child.kill('SIGINT')
    }
    expect(await r.exited).toBe(0)
  })

  it('bad flags exit with 2 and a message', async () => {
    const child = spawn(process.execPath, [join(outDir, 'cli.js'), '--port', 'abc'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let err = ''
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c
    })
    const code = await new Promise((resolve) => child.once('exit', resolve))
    expect({ code, err }).toMatchObject({ code: 2 })
    expect(err).toContain('--port should be a whole number, got "abc"')
  })

  it('--emulate etrade prints the provider’s URLs and behaves like it', async () => {
    const r = await start([
      '--emulate',
      'etrade',
      '--port',
      '0',
      '--callback',
      'http://localhost:3000/cb',
      '--auto-approve-as',
      'carol',
    ])
    try {
      expect(await waitForLine(r, /emulating/)).toBe('  emulating        E*TRADE (etrade)')
      expect(await waitForLine(r, /requestTokenUrl/)).toBe(
        `  requestTokenUrl  GET      ${r.url}/oauth/request_token`,
      )
      expect(await waitForLine(r, /authorizeUrl/)).toBe(
        `  authorizeUrl     GET      ${r.url}/e/t/etws/authorize`,
      )
      expect(await waitForLine(r, /accessTokenUrl/)).toBe(
        `  accessTokenUrl   GET      ${r.url}/oauth/access_token`,
      )
      expect(await waitForLine(r, /apiBaseUrl/)).toBe(`  apiBaseUrl                ${r.url}/`)
      const post = await send(
        await coreSigner({ method: 'POST', url: `${r.url}/oauth/request_token`, callback: 'oob' }),
      )
      expect(post.status).toBe(405)
      const url = await send(
        await coreSigner({
          method: 'GET',
          url: `${r.url}/oauth/request_token`,
          callback: 'http://localhost:3000/cb',
        }),
      )
      expect(url.form.get('oauth_parameters_rejected')).toBe('oauth_callback')
      const ok = await send(
        await coreSigner({ method: 'GET', url: `${r.url}/oauth/request_token`, callback: 'oob' }),
      )
      expect(ok.status).toBe(200)
      const back = await fetch(
        `${r.url}/e/t/etws/authorize?key=demo-client&token=${encodeURIComponent(ok.form.get('oauth_token')!)}`,
        { redirect: 'manual' },
      )
      expect(back.headers.get('location')).toMatch(
        /^http:\/\/localhost:3000\/cb\?oauth_token=[^&]+&oauth_verifier=[^&]+$/,
      )
      expect(await waitForLine(r, /^GET \/oauth\/request_token 200$/)).toBeTruthy()
    } finally {
      r.child.kill('SIGTERM')
    }
    expect(await r.exited).toBe(0)
  })

  it('--emulate: an unknown name, or an RSA-only provider without a key, exits with 2', async () => {
    for (const [args, message] of [
      [['--emulate', 'myspace'], '--emulate should be one of twitter, trello, flickr'],
      [['--emulate', 'atlassian'], '--emulate atlassian needs --rsa-public-key <file>'],
    ] as const) {
      const child = spawn(process.execPath, [join(outDir, 'cli.js'), ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let err = ''
      child.stderr.setEncoding('utf8').on('data', (c: string) => {
        err += c
      })
      const code = await new Promise((resolve) => child.once('exit', resolve))
      expect(code).toBe(2)
      expect(err).toContain(message)
    }
  })

  it.each([
    [
      ['--callback', 'notaurl'],
      'options.clients[0].callbackUrls[0] should be \'oob\' or an absolute URL (a trailing * makes a prefix), got "notaurl"',
    ],
    [
      ['--callback', 'oob', '--callback', '/relative/*'],
      'options.clients[0].callbackUrls[1] should be \'oob\' or an absolute URL (a trailing * makes a prefix), got "/relative/*"',
    ],
    [
      ['--callback', ''],
      'options.clients[0].callbackUrls[0] should be \'oob\' or an absolute URL (a trailing * makes a prefix), got ""',
    ],
    [['--name', ''], 'options.name should be a non-empty string'],
    [['--client-name', ''], 'options.clients[0].name should be a non-empty string'],
    [['--host', ''], 'options.host should be a non-empty string'],
  ])('runCli %j: exits with 2 naming the flag, starts nothing', async (args, message) => {
    const errors: string[] = []
    const previous = process.exitCode
    try {
      const provider = await runCli([...args, '--port', '0', '--quiet'], {
        out: () => {},
        err: (l) => errors.push(l),
      })
      await provider?.close()
      expect(provider).toBeUndefined()
      expect(process.exitCode).toBe(2)
      expect(errors[0]).toBe(`oauth1-test-provider: ${message}`)
    } finally {
      process.exitCode = previous
    }
  })

  it('parseCli maps flags to options', () => {
    expect(parseCli(['--emulate', 'trello']).options).toMatchObject({
      emulate: 'trello',
      clients: [{ id: 'demo-client', secret: 'demo-secret' }],
    })
    expect(parseCli(['--emulate', 'trello']).options.name).toBeUndefined()
    expect(parseCli([]).options).toMatchObject({
      port: 4000,
      clients: [{ id: 'demo-client', secret: 'demo-secret', name: 'Demo App' }],
    })
    const { options } = parseCli([
      '--callback',
      'http://localhost:3001/cb',
      '--callback',
      'http://localhost:3002/*',
      '--auto-approve',
      '--delay',
      '250',
      '--callback-confirmed',
      'omit',
      '--timestamp-window',
      '60',
      '--debug',
    ])
    expect(options).toMatchObject({
      autoApprove: true,
      timestampWindow: 60,
      debug: true,
      quirks: { delay: 250, callbackConfirmed: 'omit' },
      clients: [{ callbackUrls: ['http://localhost:3001/cb', 'http://localhost:3002/*'] }],
    })
    expect(() => parseCli(['--nope'])).toThrow(/Unknown option '--nope'/)
  })
})

describe('the bin, bundled', () => {
  // The bin only imports ../dist/cli.js, which starts the server as it loads: a
  // bundler that believed the package's sideEffects: false would drop the import.
  it('keeps the import of the CLI (sideEffects names it)', async () => {
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'))
    const binPath = pkg.bin['oauth1-test-provider'] as string
    const dir = mkdtempSync(join(packageDir, 'node_modules', '.bin-bundle-'))
    try {
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ name: 'copy', type: 'module', sideEffects: pkg.sideEffects }),
      )
      mkdirSync(join(dir, 'bin'))
      mkdirSync(join(dir, 'dist'))
      writeFileSync(join(dir, binPath), readFileSync(join(packageDir, binPath)))
      writeFileSync(join(dir, 'dist', 'cli.js'), "console.log('the CLI started')\n")
      await build({
        config: false,
        entry: { out: join(dir, binPath) },
        outDir: join(dir, 'out'),
        format: ['esm'],
        target: 'node20',
        dts: false,
        silent: true,
        treeshake: true,
      })
      expect(readFileSync(join(dir, 'out', 'out.js'), 'utf8')).toContain('the CLI started')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
