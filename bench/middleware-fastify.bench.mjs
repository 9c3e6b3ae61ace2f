// What `oauth.middleware()` of @oauth1/fastify costs a trivial route
// (fastify + @fastify/secure-session), with the shared harness
// (http-harness.mjs): one server process per variant, autocannon from this
// process, rounds in rotating order, medians. Target (issue #4): "with" ≥ 95%
// of "without".
//
//   pnpm --filter @oauth1/core build && pnpm --filter @oauth1/fastify build
//   node bench/middleware-fastify.bench.mjs [--rounds 6] [--seconds 2] [--connections 10] [--check]
//   (or `pnpm bench`, which builds first; or `node bench/run.mjs fastify`)
//
// Variants: see middleware-express.bench.mjs (the same five, Fastify's way:
// the references are an onRequest hook).
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { createPromiseHookContext, runHttpBench } from './http-harness.mjs'

const require = createRequire(new URL('../packages/fastify/package.json', import.meta.url))

const REGISTRATION = {
  clientId: 'bench-client',
  clientSecret: 'bench-secret',
  requestTokenUrl: 'https://provider.example/oauth/request_token',
  accessTokenUrl: 'https://provider.example/oauth/access_token',
  authorizeUrl: 'https://provider.example/oauth/authorize',
  apiBaseUrl: 'https://provider.example/api/',
}

async function serve(variant) {
  const Fastify = require('fastify')
  const secureSession = require('@fastify/secure-session')
  const { OAuth } = await import('../packages/fastify/dist/index.js')
  const app = Fastify({ logger: false })
  await app.register(secureSession, { key: randomBytes(32) })
  if (variant === 'with') {
    const oauth = new OAuth({
      config: {},
      fetchToken: (_name, request) => request.session.get('token'),
    })
    oauth.register('provider', REGISTRATION)
    await app.register(oauth.middleware())
  } else if (variant === 'no-fetch') {
    const oauth = new OAuth({ config: {} })
    oauth.register('provider', REGISTRATION)
    await app.register(oauth.middleware())
  } else if (variant === 'als') {
    const { AsyncLocalStorage } = await import('node:async_hooks')
    const storage = new AsyncLocalStorage()
    app.addHook('onRequest', (request, _reply, next) => storage.run(request, next))
  } else if (variant === 'promise') {
    const context = await createPromiseHookContext()
    app.addHook('onRequest', (request, _reply, next) => context.run(request, next))
  }
  app.get('/', async () => ({ hello: 'world' }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { port: app.server.address().port, close: () => app.close() }
}

await runHttpBench({
  title: 'middleware-fastify',
  file: import.meta.url,
  require,
  serve,
  variants: [
    { key: 'without', label: 'secure-session, no oauth.middleware()' },
    { key: 'with', label: 'with oauth.middleware() (fetchToken set)' },
    { key: 'no-fetch', label: 'with oauth.middleware() (no fetchToken)' },
    { key: 'als', label: 'reference: bare AsyncLocalStorage.run' },
    { key: 'promise', label: 'reference: promise-hook context' },
  ],
  target: { variant: 'with', ratio: 0.95 },
})
