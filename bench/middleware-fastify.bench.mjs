// What `oauth.middleware()` of @oauth1/fastify costs a trivial route
// (fastify + @fastify/secure-session), with the shared harness
// (http-harness.mjs): one server process per variant, autocannon from this
// process, rounds in rotating order, medians. Target: see
// STANDARD_TARGET in http-harness.mjs (issue #10, judged on Node 24+).
//
//   pnpm --filter @oauth1/core build && pnpm --filter @oauth1/fastify build
//   node bench/middleware-fastify.bench.mjs [--rounds 6] [--seconds 2] [--connections 10] [--check]
//   (or `pnpm bench`, which builds first; or `node bench/run.mjs fastify`)
//
// Variants: see middleware-express.bench.mjs (the same six, Fastify's way:
// the references are onRequest hooks).
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import {
  benchRegistry,
  referenceContext,
  runHttpBench,
  STANDARD_TARGET,
  STANDARD_VARIANTS,
} from './http-harness.mjs'

const require = createRequire(new URL('../packages/fastify/package.json', import.meta.url))

async function serve(variant) {
  const Fastify = require('fastify')
  const secureSession = require('@fastify/secure-session')
  const { OAuth } = await import('../packages/fastify/dist/index.js')
  const app = Fastify({ logger: false })
  await app.register(secureSession, { key: randomBytes(32) })
  const oauth = benchRegistry(OAuth, variant, (_name, request) => request.session.get('token'))
  if (oauth !== undefined) await app.register(oauth.middleware())
  const reference = await referenceContext(variant)
  if (reference !== undefined) {
    app.addHook('onRequest', (request, _reply, next) => reference.run(request, next))
  }
  if (variant === 'noop') app.addHook('onRequest', async () => {})
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
    ...STANDARD_VARIANTS,
  ],
  target: STANDARD_TARGET,
})
