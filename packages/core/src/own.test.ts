import { describe, expect, it } from 'vitest'
import { parseTokenFields } from './http.js'
import { setOwn } from './own.js'
import { toStoredCredential } from './stores.js'

describe('setOwn', () => {
  it('sets an own, enumerable, writable, configurable property', () => {
    const record: Record<string, string> = {}
    setOwn(record, 'constructor', 'a')
    setOwn(record, 'toString', 'b')
    expect(Object.getOwnPropertyDescriptor(record, 'constructor')).toEqual({
      value: 'a',
      enumerable: true,
      writable: true,
      configurable: true,
    })
    expect(Object.keys(record)).toEqual(['constructor', 'toString'])
  })

  it('keeps __proto__ an own property: the prototype is never changed', () => {
    const record: Record<string, unknown> = {}
    setOwn(record, '__proto__', { polluted: true })
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype)
    expect(Object.hasOwn(record, '__proto__')).toBe(true)
    expect((record as { polluted?: unknown }).polluted).toBeUndefined()
    expect(JSON.parse(JSON.stringify(record))).toEqual(
      JSON.parse('{"__proto__":{"polluted":true}}'),
    )
  })

  it('is how a token response keeps a provider field named __proto__', () => {
    const fields = parseTokenFields('oauth_token=t&oauth_token_secret=s&__proto__=x&constructor=y')!
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value).toBe('x')
    expect(fields.constructor).toBe('y')
    expect(Object.keys(fields)).toEqual([
      'oauth_token',
      'oauth_token_secret',
      '__proto__',
      'constructor',
    ])
  })

  it('is how a stored credential copy keeps __proto__ as data', () => {
    const stored = toStoredCredential(
      JSON.parse('{"oauth_token":"t","oauth_token_secret":"s","expires_at":1,"__proto__":"x"}'),
    )!
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value).toBe('x')
  })
})
