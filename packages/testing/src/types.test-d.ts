// The types a test suite written against @oauth1/testing relies on (its README's example):
// what createTestProvider resolves to, what each recorded request holds, and options that
// must not compile.
import { describe, expectTypeOf, it } from 'vitest'
import {
  createTestProvider,
  type EmulationName,
  type Endpoint,
  type RecordedRequest,
  type TestProvider,
  type TestProviderOptions,
} from './index.js'

describe('createTestProvider', () => {
  it('resolves to a TestProvider with its URLs and its client', async () => {
    expectTypeOf(createTestProvider).returns.resolves.toEqualTypeOf<TestProvider>()
    const provider = await createTestProvider({ autoApprove: 'bob' })
    expectTypeOf(provider.requestTokenUrl).toEqualTypeOf<string>()
    expectTypeOf(provider.apiBaseUrl).toEqualTypeOf<string>()
    expectTypeOf(provider.client.id).toEqualTypeOf<string>()
    expectTypeOf(provider.client.secret).toEqualTypeOf<string>()
    // an emulation may lack an endpoint (no userinfo): the README writes `urls.requestTokenUrl!`
    expectTypeOf(provider.urls.requestTokenUrl).toEqualTypeOf<string | undefined>()
    expectTypeOf(provider.close).returns.resolves.toBeVoid()
  })

  it('records requests a test can assert on', async () => {
    const provider = await createTestProvider()
    expectTypeOf(provider.requests).items.toEqualTypeOf<RecordedRequest>()
    expectTypeOf<RecordedRequest['endpoint']>().toEqualTypeOf<Endpoint | undefined>()
    expectTypeOf<Endpoint>().toEqualTypeOf<'requestToken' | 'authorize' | 'accessToken' | 'api'>()
    expectTypeOf<RecordedRequest['status']>().toEqualTypeOf<number>()
    expectTypeOf<RecordedRequest['oauthParams']>().toEqualTypeOf<Record<string, string>>()
    provider.on('request', (record) => expectTypeOf(record).toEqualTypeOf<RecordedRequest>())
  })

  it('refuses options a provider does not have', () => {
    expectTypeOf<'trello'>().toExtend<EmulationName>()
    // @ts-expect-error not an emulated provider
    void createTestProvider({ emulate: 'twiter' })
    // @ts-expect-error autoApprove is a boolean or a user id
    void createTestProvider({ autoApprove: 1 })
    // @ts-expect-error a client needs its id
    void createTestProvider({ clients: [{ secret: 's' }] })
    // @ts-expect-error not a signature method
    void createTestProvider({ clients: [{ id: 'c', signatureMethods: ['HMAC-MD5'] }] })
    expectTypeOf<{ quirks: { denial: 'denied' } }>().toExtend<TestProviderOptions>()
    expectTypeOf<{ quirks: { denial: 'nope' } }>().not.toExtend<TestProviderOptions>()
  })
})
