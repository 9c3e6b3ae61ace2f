/**
 * The per-request context: which framework request the current async call
 * chain belongs to, so `oauth.twitter.get('…')` can find the user's token
 * without being handed the request (as Flask keeps it in `g`).
 *
 * Backed by `AsyncLocalStorage` wherever the runtime has one, found without
 * a static `node:` import so the package still loads everywhere else:
 * `process.getBuiltinModule('node:async_hooks')` (Node ≥ 20.16, Bun, Deno,
 * Cloudflare Workers with `nodejs_compat` from compatibility date
 * 2024-09-23), a global `AsyncLocalStorage` (Vercel's and Next.js's edge
 * runtimes), or else an `import()` of `node:async_hooks` started when this
 * module loads (Workers with only `nodejs_als`, or `nodejs_compat` on an
 * earlier date: they have the module but no `process`). Where there is none,
 * `run()` just calls `fn` and `current()` is `undefined`.
 */

/** Binds a request to an async call chain. */
export interface RequestContext<Req> {
  /** Runs `fn` with `request` as the current request, for `fn` and everything it awaits. */
  run<T>(request: Req, fn: () => T): T
  /** The request of the innermost enclosing `run()`, or `undefined` outside one. */
  current(): Req | undefined
  /**
   * `false` where the runtime has no `AsyncLocalStorage` (Workers without
   * `nodejs_als` or `nodejs_compat`, a browser…): `run()` then only calls
   * `fn`, and `current()` is always `undefined`.
   */
  readonly available?: boolean
}

interface AsyncLocalStorageLike<T> {
  run<R>(store: T, fn: () => R): R
  getStore(): T | undefined
}

type AsyncLocalStorageCtor = new <T>() => AsyncLocalStorageLike<T>

/** The ways that need no `import()`: `process.getBuiltinModule`, then a global. */
function findAsyncLocalStorage(): AsyncLocalStorageCtor | undefined {
  const g = globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown }
    AsyncLocalStorage?: unknown
  }
  try {
    const mod = g.process?.getBuiltinModule?.('node:async_hooks') as
      | { AsyncLocalStorage?: unknown }
      | undefined
    if (typeof mod?.AsyncLocalStorage === 'function') {
      return mod.AsyncLocalStorage as AsyncLocalStorageCtor
    }
  } catch {
    // A runtime that exposes getBuiltinModule but refuses the module: fall through.
  }
  if (typeof g.AsyncLocalStorage === 'function') return g.AsyncLocalStorage as AsyncLocalStorageCtor
  return undefined
}

/**
 * Built at run time, so that bundlers neither resolve it nor warn about it
 * (the magic comments below keep webpack and Vite quiet), and the bundles
 * carry no `node:` specifier a runtime without it would refuse to load.
 */
const ASYNC_HOOKS = ['node', 'async_hooks'].join(':')

/** `node:async_hooks` from `import()`: `'pending'` until it settles, `undefined` if it failed. */
let imported: AsyncLocalStorageCtor | 'pending' | undefined

/**
 * Imports `node:async_hooks` where the synchronous ways find nothing. Started
 * when this module loads, so it has settled before a server's first request
 * (a Worker evaluates its modules before it takes requests): a context
 * created before then, even in that request, picks the class up on its
 * first `run()`.
 */
function importAsyncLocalStorage(): void {
  imported = 'pending'
  const failed = () => {
    imported = undefined
  }
  try {
    ;(import(/* webpackIgnore: true */ /* @vite-ignore */ ASYNC_HOOKS) as Promise<unknown>)
      .then((mod) => {
        const Storage = (mod as { AsyncLocalStorage?: unknown }).AsyncLocalStorage
        imported = typeof Storage === 'function' ? (Storage as AsyncLocalStorageCtor) : undefined
      })
      .then(undefined, failed)
  } catch {
    // No import() at all (a script realm without a module loader).
    failed()
  }
}

if (findAsyncLocalStorage() === undefined) importAsyncLocalStorage()

/**
 * Creates a request context. Each adapter's `oauth.middleware()` calls
 * `oauth.context.run(request, next)`; the registry reads `current()` when a
 * request method is called without a token or a request.
 *
 * @example
 * ```ts
 * const context = createRequestContext<Request>()
 * await context.run(req, async () => {
 *   await somethingAsync()
 *   context.current() === req // true
 * })
 * context.current() // undefined
 * ```
 * @see https://nodejs.org/api/async_context.html#class-asynclocalstorage
 */
export function createRequestContext<Req>(): RequestContext<Req> {
  const found = findAsyncLocalStorage() ?? imported
  if (found === undefined) {
    return {
      run: (_request, fn) => fn(),
      current: () => undefined,
      available: false,
    }
  }
  // Wrap the request so that a falsy request (0, '') still counts as "inside run()".
  type Storage = AsyncLocalStorageLike<{ readonly request: Req }>
  if (found !== 'pending') {
    const storage: Storage = new found()
    return {
      run: (request, fn) => storage.run({ request }, fn),
      current: () => storage.getStore()?.request,
      available: true,
    }
  }
  // The import has not settled yet: take the class once it has.
  let storage: Storage | undefined
  const settled = (): Storage | undefined => {
    if (storage === undefined && typeof imported === 'function') storage = new imported()
    return storage
  }
  return {
    run: (request, fn) => {
      const s = settled()
      return s === undefined ? fn() : s.run({ request }, fn)
    },
    current: () => storage?.getStore()?.request,
    get available() {
      return settled() !== undefined
    },
  }
}
