/**
 * garmin() is deprecated with Garmin's announced end date: one console.warn
 * per process, naming the date and the OAuth 2.0 PKCE migration.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('garmin', () => {
  it('warns once per process, on the first call, naming the date and PKCE', async () => {
    vi.resetModules() // a fresh module: nothing warned yet
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { garmin, GARMIN_OAUTH1_END } = await import('./garmin.js')
    expect(warn).not.toHaveBeenCalled() // importing warns nothing (sideEffects: false)
    garmin()
    garmin({ clientId: 'ck' })
    expect(warn).toHaveBeenCalledTimes(1)
    const [message] = warn.mock.calls[0] as [string]
    expect(GARMIN_OAUTH1_END).toBe('2026-12-31')
    expect(message).toContain('2026-12-31')
    expect(message).toContain('OAuth 2.0 PKCE')
  })

  it('a call with bad options throws and does not use up the warning', async () => {
    vi.resetModules()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { garmin } = await import('./garmin.js')
    expect(() => garmin({ region: 'eu' } as never)).toThrow(TypeError)
    expect(warn).not.toHaveBeenCalled()
    garmin()
    expect(warn).toHaveBeenCalledTimes(1)
  })
})
