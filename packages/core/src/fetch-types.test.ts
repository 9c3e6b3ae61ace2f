import { describe, expect, it } from 'vitest'
import { fetchableBytes } from './fetch-types.js'
import { signRequest } from './sign.js'

const CREDENTIALS = { clientId: 'ck', clientSecret: 'cs' }

describe('a signed body is what fetch takes', () => {
  it('keeps bytes an ArrayBuffer holds as they are (no copy)', async () => {
    const body = new Uint8Array([1, 2, 3])
    expect(fetchableBytes(body)).toBe(body)
    const signed = await signRequest(
      { method: 'POST', url: 'https://api.example/upload', body },
      CREDENTIALS,
    )
    expect(signed.body).toBe(body)
  })

  it('copies a view of a SharedArrayBuffer into an ArrayBuffer, the same bytes', async () => {
    const shared = new Uint8Array(new SharedArrayBuffer(5), 1, 3)
    shared.set([7, 8, 9])
    const copy = fetchableBytes(shared)
    expect(copy).not.toBe(shared)
    expect(copy.buffer).toBeInstanceOf(ArrayBuffer)
    expect([...copy]).toEqual([7, 8, 9])
    const signed = await signRequest(
      { method: 'POST', url: 'https://api.example/upload', body: shared },
      CREDENTIALS,
    )
    expect((signed.body as Uint8Array).buffer).toBeInstanceOf(ArrayBuffer)
    expect([...(signed.body as Uint8Array)]).toEqual([7, 8, 9])
    // and fetch sends it: a Request built from the signed request reads the same bytes
    const request = new Request(signed.url, signed)
    expect([...new Uint8Array(await request.arrayBuffer())]).toEqual([7, 8, 9])
  })

  it('signs a shared-memory body as the same bytes in an ArrayBuffer', async () => {
    const shared = new Uint8Array(new SharedArrayBuffer(3))
    shared.set([0x61, 0x3d, 0x31]) // a=1
    const request = {
      method: 'POST',
      url: 'https://api.example/form',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }
    const fixed = { nonce: 'n', timestamp: 1 }
    const fromShared = await signRequest({ ...request, body: shared }, CREDENTIALS, fixed)
    const fromOwn = await signRequest(
      { ...request, body: new Uint8Array(shared) },
      CREDENTIALS,
      fixed,
    )
    expect(fromShared.baseString).toContain('&a%3D1%26oauth_consumer_key%3Dck%26')
    expect(fromShared.signature).toBe(fromOwn.signature)
  })
})
