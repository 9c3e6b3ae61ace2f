import { describe, expect, it } from 'vitest'
import { ProviderResponseError, readProfile } from './profile.ts'

const json = (body: unknown, status = 200) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), { status })

describe('readProfile', () => {
  it('reads id, screen name and name (Twitter or username style)', async () => {
    await expect(
      readProfile(json({ id: '1001', screen_name: 'alice', name: 'Alice' })),
    ).resolves.toEqual({
      id: '1001',
      screenName: 'alice',
      name: 'Alice',
    })
    await expect(readProfile(json({ id: 7, username: 'bob' }))).resolves.toEqual({
      id: '7',
      screenName: 'bob',
      name: 'bob',
    })
  })

  it.each([
    ['an error status', json({ id: '1', screen_name: 'a' }, 401), /HTTP 401/],
    ['HTML', json('<html>login</html>'), /not answer with JSON/],
    ['no id', json({ screen_name: 'a' }), /without an id/],
    ['an object id', json({ id: { $gt: 1 }, screen_name: 'a' }), /without an id/],
    ['null', json('null'), /without an id/],
    ['an oversized body', json(`{"id":"${'x'.repeat(70_000)}"}`), /oversized/],
  ])('refuses %s with a ProviderResponseError (502)', async (_, response, message) => {
    const err = await readProfile(response).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProviderResponseError)
    expect((err as ProviderResponseError).status).toBe(502)
    expect((err as Error).message).toMatch(message)
  })
})
