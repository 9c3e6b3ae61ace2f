import { afterAll, beforeAll } from 'vitest'
import { type CryptoBackend, setCryptoBackend } from '../src/crypto/index.js'

/** Both crypto back ends: every vector test runs through each (`describe.each(BACKENDS)`). */
export const BACKENDS = ['node', 'web'] as const
export type BackendName = (typeof BACKENDS)[number]

/** Inside a describe block: sign with the named back end, then put the previous one back. */
export function useBackend(name: BackendName): void {
  let previous: CryptoBackend | undefined
  beforeAll(() => {
    previous = setCryptoBackend(name)
  })
  afterAll(() => {
    if (previous) setCryptoBackend(previous)
  })
}
