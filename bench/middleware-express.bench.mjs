// What `oauth.middleware()` of @oauth1/express costs a trivial route
// (express + express-session), with the shared harness (http-harness.mjs):
// one server process per variant, autocannon from this process, rounds in
// rotating order, medians. Target: see
// STANDARD_TARGET in http-harness.mjs (issue #10, judged on Node 24+).
//
//   pnpm --filter @oauth1/core build && pnpm --filter @oauth1/express build
//   node bench/middleware-express.bench.mjs [--rounds 6] [--seconds 2] [--connections 10] [--check]
//   (or `pnpm bench`, which builds first; or `node bench/run.mjs express`)
//
// Variants:
//   without     express-session and the route (the baseline)
//   with        + oauth.middleware(), the registry of the README: a fetchToken,
//               so each request is kept in AsyncLocalStorage
//   no-fetch    + oauth.middleware() with no fetchToken anywhere: nothing reads
//               the context, so by default it is not bound
//   noop        + a no-op async middleware: reference (the target's fallback
//               where it alone costs more than 5%)
//   als         + a bare AsyncLocalStorage.run(req, next): reference
//   promise     + a context on V8 promise hooks alone: reference, not shipped
import { createRequire } from 'node:module'
import {
  benchRegistry,
  referenceContext,
  runHttpBench,
  STANDARD_TARGET,
  STANDARD_VARIANTS,
} from './http-harness.mjs'

const require = createRequire(new URL('../packages/express/package.json', import.meta.url))

async function serve(variant) {
  const express = require('express')
  const session = require('express-session')
  const { OAuth } = await import('../packages/express/dist/index.js')
  const app = express()
  app.use(
    session({
      secret: 'bench-session-secret-bench-session',
      resave: false,
      saveUninitialized: false,
    }),
  )
  const oauth = benchRegistry(OAuth, variant, (_name, req) => req.session.token)
  if (oauth !== undefined) app.use(oauth.middleware())
  const reference = await referenceContext(variant)
  if (reference !== undefined) app.use((req, _res, next) => reference.run(req, next))
  if (variant === 'noop') {
    app.use(async (_req, _res, next) => {
      next()
    })
  }
  app.get('/', (_req, res) => {
    res.send('ok')
  })
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

await runHttpBench({
  title: 'middleware-express',
  file: import.meta.url,
  require,
  serve,
  variants: [
    { key: 'without', label: 'express-session, no oauth.middleware()' },
    ...STANDARD_VARIANTS,
  ],
  target: STANDARD_TARGET,
})
