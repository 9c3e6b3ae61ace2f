// What `oauth.middleware()` of @oauth1/koa costs a trivial route
// (koa + koa-session), with the shared harness (http-harness.mjs): one server
// process per variant, autocannon from this process, rounds in rotating order,
// medians. Target: see
// STANDARD_TARGET in http-harness.mjs (issue #10, judged on Node 24+).
//
//   pnpm --filter @oauth1/core build && pnpm --filter @oauth1/koa build
//   node bench/middleware-koa.bench.mjs [--rounds 6] [--seconds 2] [--connections 10] [--check]
//   (or `pnpm bench`, which builds first; or `node bench/run.mjs koa`)
//
// Variants: see middleware-express.bench.mjs (the same six, as Koa middleware).
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import {
  benchRegistry,
  referenceContext,
  runHttpBench,
  STANDARD_TARGET,
  STANDARD_VARIANTS,
} from './http-harness.mjs'

const require = createRequire(new URL('../packages/koa/package.json', import.meta.url))

async function serve(variant) {
  const koaModule = require('koa')
  const Koa = typeof koaModule === 'function' ? koaModule : koaModule.default
  const sessionModule = require('koa-session')
  const session =
    typeof sessionModule === 'function'
      ? sessionModule
      : (sessionModule.createSession ?? sessionModule.default)
  const { OAuth } = await import('../packages/koa/dist/index.js')
  const app = new Koa()
  app.keys = ['bench-koa-session-key-0123456789abcdef']
  app.use(session(app))
  const oauth = benchRegistry(OAuth, variant, (_name, ctx) => ctx.session?.token)
  if (oauth !== undefined) app.use(oauth.middleware())
  const reference = await referenceContext(variant)
  if (reference !== undefined) app.use((ctx, next) => reference.run(ctx, next))
  if (variant === 'noop') {
    app.use(async (_ctx, next) => {
      await next()
    })
  }
  app.use((ctx) => {
    ctx.body = 'ok'
  })
  const server = createServer(app.callback())
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

await runHttpBench({
  title: 'middleware-koa',
  file: import.meta.url,
  require,
  serve,
  variants: [{ key: 'without', label: 'koa-session, no oauth.middleware()' }, ...STANDARD_VARIANTS],
  target: STANDARD_TARGET,
})
