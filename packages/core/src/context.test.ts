import { afterEach, describe, expect, it, vi } from 'vitest'
import { createRequestContext } from './context.js'

describe('createRequestContext', () => {
  it('exposes the request inside run(), across awaits, and nothing outside', async () => {
    const context = createRequestContext<{ id: number }>()
    const req = { id: 1 }
    expect(context.current()).toBeUndefined()
    const result = await context.run(req, async () => {
      await new Promise((r) => setTimeout(r, 1))
      expect(context.current()).toBe(req)
      return 'done'
    })
    expect(result).toBe('done')
    expect(context.current()).toBeUndefined()
  })

  it('keeps concurrent requests apart and nests', async () => {
    const context = createRequestContext<string>()
    const seen = await Promise.all(
      ['a', 'b', 'c'].map((r, i) =>
        context.run(r, async () => {
          await new Promise((res) => setTimeout(res, 3 - i))
          const inner = context.run(`${r}-inner`, () => context.current())
          return [context.current(), inner]
        }),
      ),
    )
    expect(seen).toEqual([
      ['a', 'a-inner'],
      ['b', 'b-inner'],
      ['c', 'c-inner'],
    ])
  })

  it('two contexts do not see each other', () => {
    const a = createRequestContext<string>()
    const b = createRequestContext<string>()
    a.run('x', () => expect(b.current()).toBeUndefined())
  })

  it('falls back to globalThis.AsyncLocalStorage, then to a no-op', async () => {
    const { AsyncLocalStorage } = await import('node:async_hooks')
    const original = globalThis.process.getBuiltinModule
    try {
      ;(globalThis.process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined
      vi.stubGlobal('AsyncLocalStorage', AsyncLocalStorage)
      const viaGlobal = createRequestContext<string>()
      expect(viaGlobal.run('r', () => viaGlobal.current())).toBe('r')
      expect(viaGlobal.available).toBe(true)

      vi.stubGlobal('AsyncLocalStorage', undefined)
      const none = createRequestContext<string>()
      expect(none.run('r', () => 42)).toBe(42)
      expect(none.run('r', () => none.current())).toBeUndefined()
      expect(none.available).toBe(false)
    } finally {
      vi.unstubAllGlobals()
      ;(globalThis.process as { getBuiltinModule?: unknown }).getBuiltinModule = original
    }
  })
})

/**
 * Cloudflare Workers with only `nodejs_als`, or `nodejs_compat` before
 * 2024-09-23: `node:async_hooks` can be imported but there is no `process`
 * (so no `getBuiltinModule`) and no global `AsyncLocalStorage`. The module,
 * loaded afresh with both hidden, imports it itself.
 */
describe('createRequestContext with no process.getBuiltinModule and no global', () => {
  type ContextModule = typeof import('./context.js')

  /** Loads a fresh copy of context.ts with the synchronous ways hidden; `node:async_hooks` as `mock` gives it. */
  async function loadWithoutProcess(
    mock: () => Promise<Record<string, unknown>>,
  ): Promise<ContextModule> {
    vi.resetModules()
    vi.doMock('node:async_hooks', mock)
    ;(globalThis.process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined
    vi.stubGlobal('AsyncLocalStorage', undefined)
    return import('./context.js')
  }

  const getBuiltinModule = globalThis.process.getBuiltinModule
  afterEach(() => {
    ;(globalThis.process as { getBuiltinModule?: unknown }).getBuiltinModule = getBuiltinModule
    vi.doUnmock('node:async_hooks')
    vi.unstubAllGlobals()
    vi.resetModules()
  })

  it('imports node:async_hooks when it loads; contexts created before it settles bind once it has', async () => {
    const { AsyncLocalStorage } =
      await vi.importActual<typeof import('node:async_hooks')>('node:async_hooks')
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const mod = await loadWithoutProcess(async () => {
      await gate
      return { AsyncLocalStorage }
    })
    const early = mod.createRequestContext<string>()
    expect(early.available).toBe(false)
    expect(early.run('r', () => early.current())).toBeUndefined()

    release()
    await vi.waitFor(() => expect(early.available).toBe(true))
    const seen = await early.run('r', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      return early.current()
    })
    expect(seen).toBe('r')
    expect(early.current()).toBeUndefined()

    const late = mod.createRequestContext<string>()
    expect(late.available).toBe(true)
    expect(late.run('s', () => [late.current(), early.current()])).toEqual(['s', undefined])
  })

  it('falls back to a no-op when the import fails, with no unhandled rejection', async () => {
    const mod = await loadWithoutProcess(async () => {
      throw new Error('No such module "node:async_hooks".')
    })
    const early = mod.createRequestContext<string>()
    await vi.waitFor(() => {
      // settled: a context created now is the no-op one
      expect(Object.getOwnPropertyDescriptor(mod.createRequestContext(), 'available')?.value).toBe(
        false,
      )
    })
    expect(early.available).toBe(false)
    expect(early.run('r', () => 42)).toBe(42)
    expect(early.run('r', () => early.current())).toBeUndefined()
  })

  it('with a module that has no AsyncLocalStorage, is a no-op too', async () => {
    const mod = await loadWithoutProcess(async () => ({}))
    await vi.waitFor(() =>
      expect(Object.getOwnPropertyDescriptor(mod.createRequestContext(), 'available')?.value).toBe(
        false,
      ),
    )
  })
})
