// What `oauth.middleware({ secret })` of @oauth1/hono costs a trivial route
// (Hono on @hono/node-server), with the shared harness (http-harness.mjs):
// one server process per variant, autocannon from this process, rounds in
// rotating order, medians. Target: see
// STANDARD_TARGET in http-harness.mjs (issue #10, judged on Node 24+).
//
//   pnpm --filter @oauth1/core build && pnpm --filter @oauth1/hono build
//   node bench/middleware-hono.bench.mjs [--rounds 6] [--seconds 2] [--connections 10] [--check]
//   (or `pnpm bench`, which builds first; or `node bench/run.mjs hono`)
//
// Variants: see middleware-express.bench.mjs; the no-op is
// `async (c, next) => { await next() }`. Hono answers a route that has
// no middleware on a synchronous fast path; any middleware at all leaves it.
// Hono has no session of its own: the middleware's encrypted cookie is it,
// so the baseline is the bare route.
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import {
  benchRegistry,
  referenceContext,
  runHttpBench,
  STANDARD_TARGET,
  STANDARD_VARIANTS,
} from './http-harness.mjs'

const require = createRequire(new URL('../packages/hono/package.json', import.meta.url))

async function serve(variant) {
  const { Hono } = require('hono')
  const { serve: listen } = require('@hono/node-server')
  const { OAuth } = await import('../packages/hono/dist/index.js')
  const secret = randomBytes(32).toString('base64url')
  const app = new Hono()
  const oauth = benchRegistry(OAuth, variant, (_name, c) => c.get('token'))
  if (oauth !== undefined) app.use(oauth.middleware({ secret }))
  const reference = await referenceContext(variant)
  if (reference !== undefined) app.use((c, next) => reference.run(c, next))
  if (variant === 'noop') {
    app.use(async (_c, next) => {
      await next()
    })
  }
  app.get('/', (c) => c.json({ hello: 'world' }))
  const server = await new Promise((resolve) => {
    const s = listen({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s))
  })
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

await runHttpBench({
  title: 'middleware-hono',
  file: import.meta.url,
  require,
  serve,
  variants: [{ key: 'without', label: 'the bare route, no middleware' }, ...STANDARD_VARIANTS],
  target: STANDARD_TARGET,
})
