/**
 * Hostile and careless requests against every emulation: each is refused
 * with a 4xx (or answered), never a 5xx, a crash or a hang.
 */
import { describe, expect, it } from 'vitest'
import { createTestProvider, EMULATION_NAMES } from '../index.js'
import { sendRaw } from '../test-helpers.js'

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS']

const HEADERS: Record<string, string>[] = [
  {},
  { authorization: 'OAuth' },
  { authorization: 'OAuth oauth_consumer_key="demo-client", oauth_signature_method="HMAC-SHA1"' },
  { authorization: 'OAuth realm="x", realm="y"' },
  { authorization: 'OAuth oauth_token="%E0%A4%A"' },
  { authorization: 'Basic ZGVtbzpkZW1v' },
  {
    authorization:
      'OAuth oauth_consumer_key="demo-client", oauth_signature_method="PLAINTEXT", oauth_signature="demo-secret%26", oauth_token="nope"',
  },
]

describe.each(EMULATION_NAMES)('%s under hostile requests', (name) => {
  it('answers every method, path and header combination without a 5xx', async () => {
    const p = await createTestProvider({ emulate: name })
    try {
      const paths = [
        ...Object.values(p.urls).map((u) => u.slice(p.url.length)),
        '/nope',
        '/%zz',
        '/?%',
        `${new URL(p.urls.apiBaseUrl ?? `${p.url}/`).pathname}x/%2e%2e/y?a=%ff&Authorization=%7B`,
        '/oauth/authorize?oauth_token=&token=&key=',
      ]
      const seen: string[] = []
      for (const path of paths) {
        for (const method of METHODS) {
          for (const headers of HEADERS) {
            const body = method === 'POST' || method === 'PUT' ? 'a=%&oauth_token=x' : undefined
            const res = await sendRaw(`${p.url}${path}`, {
              method,
              headers: {
                ...headers,
                'user-agent': 'robustness',
                ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
              },
              ...(body ? { body } : {}),
            })
            if (res.status >= 500)
              seen.push(`${method} ${path} ${JSON.stringify(headers)} → ${res.status}`)
          }
        }
      }
      expect(seen).toEqual([])
      expect(p.requests.every((r) => r.status < 500)).toBe(true)
    } finally {
      await p.close()
    }
  })
})
