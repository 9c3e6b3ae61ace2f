import type { Profile } from './db.ts'

/**
 * The provider answered, but not with what the app needs (its profile
 * endpoint failed or sent something that is not a profile). `status` is what
 * the app answers its own user with: 502, the provider's fault.
 */
export class ProviderResponseError extends Error {
  readonly status = 502
  readonly code = 'bad_provider_response'
  constructor(description: string) {
    super(description)
    this.name = 'ProviderResponseError'
  }
}

const MAX_PROFILE_BYTES = 64 * 1024

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0 && value.length <= 200) return value
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
  return undefined
}

/**
 * Reads the user's profile from the provider's `GET me` response (`/api/me` on the test provider)
 * (`{ id, screen_name | username, name }`, as Twitter's `account/verify_credentials`
 * answers), refusing anything else with a {@link ProviderResponseError}.
 */
export async function readProfile(response: Response): Promise<Profile> {
  if (!response.ok) {
    await response.body?.cancel()
    throw new ProviderResponseError(`The profile endpoint answered HTTP ${response.status}.`)
  }
  const body = await response.text()
  if (body.length > MAX_PROFILE_BYTES) {
    throw new ProviderResponseError('The profile endpoint answered with an oversized body.')
  }
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    throw new ProviderResponseError('The profile endpoint did not answer with JSON.')
  }
  const record = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>
  const id = text(record.id) ?? text(record.user_id)
  const screenName = text(record.screen_name) ?? text(record.username)
  if (id === undefined || screenName === undefined) {
    throw new ProviderResponseError(
      'The profile endpoint answered without an id and a screen name.',
    )
  }
  return { id, screenName, name: text(record.name) ?? screenName }
}
