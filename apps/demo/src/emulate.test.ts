import { EMULATION_NAMES } from '@oauth1/testing'
import { describe, expect, it } from 'vitest'
import { DEMO_EMULATIONS, emulateOption } from './emulate.ts'

describe('emulateOption (pnpm demo --emulate / DEMO_EMULATE)', () => {
  it('offers every emulation of @oauth1/testing', () => {
    expect(DEMO_EMULATIONS).toEqual(EMULATION_NAMES)
  })

  it('reads --emulate <name>, --emulate=<name>, then DEMO_EMULATE', () => {
    expect(emulateOption([], {})).toBeUndefined()
    expect(emulateOption([], { DEMO_EMULATE: '' })).toBeUndefined()
    expect(emulateOption([], { DEMO_EMULATE: 'trello' })).toBe('trello')
    expect(emulateOption(['--emulate', 'twitter'], {})).toBe('twitter')
    expect(emulateOption(['--', '--emulate=etrade'], { DEMO_EMULATE: 'trello' })).toBe('etrade')
  })

  it('names the flag or the variable when the value is wrong', () => {
    const names = DEMO_EMULATIONS.join(', ')
    expect(() => emulateOption([], { DEMO_EMULATE: 'Trello' })).toThrow(
      new TypeError(`DEMO_EMULATE must be one of ${names}, got "Trello"`),
    )
    expect(() => emulateOption(['--emulate=myspace'], {})).toThrow(
      new TypeError(`--emulate must be one of ${names}, got "myspace"`),
    )
    expect(() => emulateOption(['--emulate'], {})).toThrow(
      new TypeError(`--emulate needs a provider: ${names}`),
    )
    expect(() => emulateOption(['--emulate', '--quiet'], {})).toThrow(/^--emulate needs a provider/)
    expect(() => emulateOption(['trello'], {})).toThrow(
      new TypeError('unknown argument "trello" (usage: pnpm demo [--emulate <provider>])'),
    )
  })
})
