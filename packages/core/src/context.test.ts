import { describe, expect, it, vi } from 'vitest'
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
