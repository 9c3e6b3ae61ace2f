import { randomBytes } from 'node:crypto'
import secureSession from '@fastify/secure-session'
import type { LightMyRequestResponse } from 'fastify'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { FastifyMiddlewareOptions, OAuth } from './index.js'

/** A fresh 32-byte libsodium key for @fastify/secure-session. */
export function sessionKey(): Buffer {
  return randomBytes(32)
}

/**
 * A browser's cookie jar for `app.inject()`: remembers every Set-Cookie
 * (removing expired ones) and sends them back, and keeps every raw
 * Set-Cookie header seen, for the tests that look inside them.
 */
export class CookieJar {
  readonly cookies = new Map<string, string>()
  readonly seen: string[] = []

  store(response: LightMyRequestResponse): void {
    const raw = response.headers['set-cookie']
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
    this.seen.push(...list)
    for (const cookie of response.cookies as {
      name: string
      value: string
      maxAge?: number
      expires?: Date
    }[]) {
      const expired =
        cookie.maxAge === 0 ||
        (cookie.expires !== undefined && cookie.expires.getTime() <= Date.now())
      if (expired || cookie.value === '') this.cookies.delete(cookie.name)
      else this.cookies.set(cookie.name, cookie.value)
    }
  }

  header(): Record<string, string> {
    if (this.cookies.size === 0) return {}
    return {
      cookie: [...this.cookies]
        .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
        .join('; '),
    }
  }
}

/** `app.inject()` with the jar's cookies, storing the answer's. */
export async function get(
  app: FastifyInstance,
  jar: CookieJar,
  url: string,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const response = await app.inject({
    method: 'GET',
    url,
    headers: { ...jar.header(), ...headers },
  })
  jar.store(response)
  return response
}

export interface AppOptions {
  oauth: OAuth
  middleware?: FastifyMiddlewareOptions
  fastify?: FastifyServerOptions
  /** Register secure-session under this name (default `session`). */
  sessionName?: string
}

/** Fastify + @fastify/secure-session + `oauth.middleware()`, not yet ready (add routes). */
export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, ...options.fastify })
  await app.register(secureSession, {
    key: sessionKey(),
    cookie: { path: '/', httpOnly: true },
    ...(options.sessionName === undefined
      ? {}
      : { sessionName: options.sessionName, cookieName: options.sessionName }),
  })
  await app.register(options.oauth.middleware(options.middleware))
  return app
}

function unescapeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/**
 * The browser at the provider: opens the authorization URL and, when a
 * consent page answers, submits its form with `decision` (`allow`/`deny`).
 * Returns the provider's redirect back to the app (the callback URL).
 */
export async function visitProvider(
  authorizeUrl: string,
  decision: 'allow' | 'deny' = 'allow',
  /** The test user to approve as (the page's `user_id` choice); default the first. */
  userId?: string,
): Promise<URL> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' })
  if (page.status === 302 || page.status === 303) {
    return new URL(page.headers.get('location') ?? '', authorizeUrl)
  }
  if (page.status !== 200)
    throw new Error(`the provider answered ${page.status}: ${await page.text()}`)
  const html = await page.text()
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html)
  if (form === null) throw new Error('no consent form')
  const fields = new URLSearchParams()
  for (const input of form[2]!.matchAll(/<input[^>]*>/gi)) {
    const tag = input[0]
    const name = /name="([^"]*)"/.exec(tag)?.[1]
    const value = /value="([^"]*)"/.exec(tag)?.[1] ?? ''
    const type = /type="([^"]*)"/.exec(tag)?.[1]
    if (name === undefined) continue
    if (type === 'radio' && !/\bchecked\b/.test(tag)) continue
    fields.append(unescapeHtml(name), unescapeHtml(value))
  }
  fields.set('decision', decision)
  if (userId !== undefined) fields.set('user_id', userId)
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const answer = await fetch(new URL(unescapeHtml(form[1]!), authorizeUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(cookie === '' ? {} : { cookie }),
    },
    body: fields,
  })
  if (answer.status !== 302 && answer.status !== 303) {
    throw new Error(`the consent form answered ${answer.status}: ${await answer.text()}`)
  }
  return new URL(answer.headers.get('location') ?? '', authorizeUrl)
}

/** Path and query of a URL, for `app.inject()`. */
export function pathOf(url: URL): string {
  return `${url.pathname}${url.search}`
}

/**
 * Every way a Set-Cookie value could show a secret to someone holding the
 * cookie: the raw header, its URL-decoding, and the base64 decoding of every
 * `;`/`.`-separated part (secure-session's `cipher;nonce`).
 */
export function cookieRevelations(setCookie: string): string[] {
  const value = setCookie.split(';')[0]!.slice(setCookie.indexOf('=') + 1)
  const out = [setCookie, value]
  let decoded = value
  try {
    decoded = decodeURIComponent(value)
  } catch {}
  out.push(decoded)
  for (const part of decoded.split(/[;.]/)) {
    const bytes = Buffer.from(part.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
    out.push(bytes.toString('utf8'), bytes.toString('latin1'))
  }
  return out
}
