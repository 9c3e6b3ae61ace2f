/**
 * "Works on runtimes that have only Web Crypto and fetch": the built CJS
 * bundle, run in a `node:vm` realm whose globals are web globals only — no
 * `process` (so no `process.getBuiltinModule('node:crypto')`), no `Buffer`,
 * no `require` — signs with the Web Crypto back end. A quick check of the
 * bundle itself; the real runtimes (Bun, Deno, workerd) are tested in
 * runtimes/ (`pnpm test:runtimes`).
 */
import { createPublicKey, verify } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'
import { beforeAll, describe, expect, it } from 'vitest'
import { AUTHLIB_RSA_KEY, TWITTER } from '../test/vectors.js'
import type * as Core from './index.js'

const DIST = fileURLToPath(new URL('../dist/index.cjs', import.meta.url))
const hasDist = existsSync(DIST)

const WEB_GLOBALS = [
  'crypto',
  'fetch',
  'Headers',
  'Request',
  'Response',
  'URL',
  'URLSearchParams',
  'TextEncoder',
  'TextDecoder',
  'AbortController',
  'AbortSignal',
  'DOMException',
  'ReadableStream',
  'setTimeout',
  'clearTimeout',
  'btoa',
  'atob',
  'CryptoKey',
  'console',
] as const

/** Loads dist/index.cjs in a fresh realm with only {@link WEB_GLOBALS}. */
function loadInWebRealm(): { core: typeof Core; context: vm.Context } {
  const globals: Record<string, unknown> = {}
  for (const name of WEB_GLOBALS) globals[name] = (globalThis as Record<string, unknown>)[name]
  const context = vm.createContext(globals)
  const wrapper = vm.runInContext(
    `(function (module, exports) {\n${readFileSync(DIST, 'utf8')}\n})`,
    context,
    { filename: DIST },
  ) as (module: { exports: unknown }, exports: unknown) => void
  const module = { exports: {} as unknown }
  wrapper(module, module.exports)
  return { core: module.exports as typeof Core, context }
}

describe.skipIf(!hasDist)(
  hasDist
    ? 'dist/index.cjs in a realm with only web globals'
    : 'dist/index.cjs in a realm with only web globals (SKIPPED: packages/core/dist/index.cjs missing; run `pnpm build` first)',
  () => {
    let core: typeof Core
    let context: vm.Context
    beforeAll(() => {
      ;({ core, context } = loadInWebRealm())
    })

    it('has no process, Buffer, require or node:crypto to fall back on', () => {
      expect(
        vm.runInContext(
          '[typeof process, typeof Buffer, typeof require, typeof module, typeof crypto.subtle]',
          context,
        ),
      ).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'object'])
      expect(Object.keys(core)).toContain('signRequest')
    })

    it('signs the X/Twitter example: hCtSmYh+iHYCEqBWrE7C7hYmtUk=', async () => {
      const signed = await core.signRequest(
        {
          method: 'POST',
          url: TWITTER.url,
          body: TWITTER.body,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
        TWITTER.credentials,
        TWITTER.options,
      )
      expect(signed.signature).toBe(TWITTER.signature)
      expect(signed.headers.get('authorization')).toContain(
        'oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D"',
      )
    })

    it('signs RSA-SHA1 with a PKCS#1 PEM, and the signature verifies', async () => {
      const signed = await core.signRequest(
        { method: 'GET', url: 'https://api.example/photos?size=original' },
        { clientId: 'ck', signatureMethod: 'RSA-SHA1', rsaKey: AUTHLIB_RSA_KEY },
        { nonce: 'n', timestamp: '1700000000' },
      )
      const publicKey = createPublicKey(AUTHLIB_RSA_KEY)
      expect(
        verify(
          'sha1',
          new TextEncoder().encode(signed.baseString),
          publicKey,
          Uint8Array.from(atob(signed.signature), (c) => c.charCodeAt(0)),
        ),
      ).toBe(true)
      const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string
      expect(
        await core.verifySignature('RSA-SHA1', signed.baseString, signed.signature, {
          rsaPublicKey: publicPem,
        }),
      ).toBe(true)
    })

    it('generates 32-hex-character nonces', async () => {
      const a = core.generateNonce()
      const b = core.generateNonce()
      expect(a).toMatch(/^[0-9a-f]{32}$/)
      expect(b).toMatch(/^[0-9a-f]{32}$/)
      expect(a).not.toBe(b)
      const signed = await core.signRequest(
        { method: 'GET', url: 'https://api.example/x' },
        { clientId: 'ck', clientSecret: 'cs' },
      )
      const params = new Map(core.parseAuthorizationHeader(signed.headers.get('authorization')!)!)
      expect(params.get('oauth_nonce')).toMatch(/^[0-9a-f]{32}$/)
      expect(params.get('oauth_timestamp')).toMatch(/^\d{10}$/)
    })

    it('constructs the registry: new OAuth({ config: {} })', () => {
      const oauth = new core.OAuth({ config: {} })
      expect(oauth).toBeInstanceOf(core.OAuth)
      const app = oauth.register('dev', {
        clientId: 'ck',
        requestTokenUrl: 'https://provider.test/oauth/request_token',
        accessTokenUrl: 'https://provider.test/oauth/access_token',
        authorizeUrl: 'https://provider.test/oauth/authorize',
      })
      expect(app.clientId).toBe('ck')
    })
  },
)
