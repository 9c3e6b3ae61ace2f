// What `oauth.middleware()` of @oauth1/koa costs a trivial route
// (koa + koa-session), with the shared harness (http-harness.mjs): one server
// process per variant, autocannon from this process, rounds in rotating order,
// medians. Target (issue #4): "with" ≥ 95% of "without".
//
//   pnpm --filter @oauth1/core build && pnpm --filter @oauth1/koa build
//   node bench/middleware-koa.bench.mjs [--rounds 6] [--seconds 2] [--connections 10] [--check]
//   (or `pnpm bench`, which builds first; or `node bench/run.mjs koa`)
//
// Variants: see middleware-express.bench.mjs (the same five, as Koa middleware).
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { createPromiseHookContext, runHttpBench } from './http-harness.mjs'

const require = createRequire(new URL('../packages/koa/package.json', import.meta.url))

const REGISTRATION = {
  clientId: 'bench-client',
  clientSecret: 'bench-secret',
  requestTokenUrl: 'https://provider.example/oauth/request_token',
  accessTokenUrl: 'https://provider.example/oauth/access_token',
  authorizeUrl: 'https://provider.example/oauth/authorize',
  apiBaseUrl: 'https://provider.example/api/',
}

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
  if (variant === 'with') {
    const oauth = new OAuth({ config: {}, fetchToken: (_name, ctx) => ctx.session?.token })
    oauth.register('provider', REGISTRATION)
    app.use(oauth.middleware())
  } else if (variant === 'no-fetch') {
    const oauth = new OAuth({ config: {} })
    oauth.register('provider', REGISTRATION)
    app.use(oauth.middleware())
  } else if (variant === 'als') {
    const { AsyncLocalStorage } = await import('node:async_hooks')
    const storage = new AsyncLocalStorage()
    app.use((ctx, next) => storage.run(ctx, next))
  } else if (variant === 'promise') {
    const context = await createPromiseHookContext()
    app.use((ctx, next) => context.run(ctx, next))
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
  variants: [
    { key: 'without', label: 'koa-session, no oauth.middleware()' },
    { key: 'with', label: 'with oauth.middleware() (fetchToken set)' },
    { key: 'no-fetch', label: 'with oauth.middleware() (no fetchToken)' },
    { key: 'als', label: 'reference: bare AsyncLocalStorage.run' },
    { key: 'promise', label: 'reference: promise-hook context' },
  ],
  target: { variant: 'with', ratio: 0.95 },
})
