import { afterEach, describe, expect, it, vi } from 'vitest'
import { generateNonce, generateTimestamp, resetNoncePool } from './nonce.js'

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe('generateNonce (RFC 5849 §3.3)', () => {
  it('comes from crypto.getRandomValues: 16 bytes each, as 32 hex characters', () => {
    resetNoncePool()
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(<T>(array: T) => {
      const bytes = array as unknown as Uint8Array
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 17) & 0xff
      return array
    })
    expect(generateNonce()).toBe('00112233445566778899aabbccddeeff')
    expect(generateNonce()).toBe('102132435465768798a9bacbdcedfe0f')
    expect(spy).toHaveBeenCalledTimes(1)
    resetNoncePool()
    generateNonce()
    expect(spy).toHaveBeenCalledTimes(2)
    resetNoncePool()
  })

  it('draws fresh random bytes once a batch of 256 nonces is used up', () => {
    resetNoncePool()
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues')
    for (let i = 0; i < 256; i++) generateNonce()
    expect(spy).toHaveBeenCalledTimes(1)
    generateNonce()
    expect(spy).toHaveBeenCalledTimes(2)
  })

  it('never uses Math.random', () => {
    const math = vi.spyOn(Math, 'random')
    for (let i = 0; i < 100; i++) generateNonce()
    expect(math).not.toHaveBeenCalled()
  })

  it('10^5 nonces have no duplicates and are all 32 lowercase hex', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 100_000; i++) seen.add(generateNonce())
    expect(seen.size).toBe(100_000)
    for (const nonce of [...seen].slice(0, 1000)) expect(nonce).toMatch(/^[0-9a-f]{32}$/)
  })
})

describe('generateTimestamp (RFC 5849 §3.3)', () => {
  it('is whole seconds, not milliseconds: 1318622958123 ms → "1318622958"', () => {
    vi.useFakeTimers({ now: 1318622958123, toFake: ['Date'] })
    expect(generateTimestamp()).toBe('1318622958')
  })

  it('an injected clock offset (ms) shifts it, either way', () => {
    vi.useFakeTimers({ now: 1318622958123, toFake: ['Date'] })
    expect(generateTimestamp(5_000)).toBe('1318622963')
    expect(generateTimestamp(-124)).toBe('1318622957')
  })
})
