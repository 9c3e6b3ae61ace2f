/**
 * The per-request context: which framework request the current async call
 * chain belongs to, so `oauth.twitter.get('…')` can find the user's token
 * without being handed the request (as Flask keeps it in `g`).
 *
 * Backed by `AsyncLocalStorage` where the runtime has one (Node ≥ 20.16,
 * Bun, Deno, Cloudflare Workers with `nodejs_compat`), obtained without a
 * static `node:` import so the package still loads everywhere else. Where
 * there is none, `run()` just calls `fn` and `current()` is `undefined`.
 */

/** Binds a request to an async call chain. */
export interface RequestContext<Req> {
  /** Runs `fn` with `request` as the current request, for `fn` and everything it awaits. */
  run<T>(request: Req, fn: () => T): T
  /** The request of the innermost enclosing `run()`, or `undefined` outside one. */
  current(): Req | undefined
  /**
   * `false` where the runtime has no `AsyncLocalStorage` (Node before 20.16
   * without `process.getBuiltinModule`, a browser…): `run()` then only calls
   * `fn`, and `current()` is always `undefined`.
   */
  readonly available?: boolean
}

interface AsyncLocalStorageLike<T> {
  run<R>(store: T, fn: () => R): R
  getStore(): T | undefined
}

type AsyncLocalStorageCtor = new <T>() => AsyncLocalStorageLike<T>

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
  const Storage = findAsyncLocalStorage()
  if (Storage === undefined) {
    return {
      run: (_request, fn) => fn(),
      current: () => undefined,
      available: false,
    }
  }
  // Wrap the request so that a falsy request (0, '') still counts as "inside run()".
  const storage = new Storage<{ readonly request: Req }>()
  return {
    run: (request, fn) => storage.run({ request }, fn),
    current: () => storage.getStore()?.request,
    available: true,
  }
}
