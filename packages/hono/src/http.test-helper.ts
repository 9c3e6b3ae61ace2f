/** A browser's cookie jar, enough for `app.request()` round trips. */
export class CookieJar {
  readonly cookies = new Map<string, string>()
  /** Every Set-Cookie header value seen, in order. */
  readonly seen: string[] = []

  /** Keeps the cookies a response sets (and forgets those it expires). */
  apply(res: Response): Response {
    for (const header of res.headers.getSetCookie()) {
      this.seen.push(header)
      const [pair = ''] = header.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const maxAge = /;\s*max-age=(-?\d+)/i.exec(header)?.[1]
      if (value === '' || (maxAge !== undefined && Number(maxAge) <= 0)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return res
  }

  /** The Cookie request header, or nothing when the jar is empty. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    if (this.cookies.size === 0) return extra
    return { ...extra, cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }
  }
}

/** Every readable form of a cookie value: raw, URI-decoded, base64/base64url-decoded (as text). */
export function decodings(value: string): string[] {
  const out = [value]
  try {
    out.push(decodeURIComponent(value))
  } catch {}
  for (const candidate of [value, value.replace(/-/g, '+').replace(/_/g, '/')]) {
    try {
      out.push(new TextDecoder().decode(Uint8Array.from(atob(candidate), (ch) => ch.charCodeAt(0))))
    } catch {}
  }
  return out
}

/** The value of each Set-Cookie header, in all its decodings. */
export function setCookieDecodings(headers: readonly string[]): string[] {
  return headers.flatMap((header) => {
    const pair = header.split(';')[0] ?? ''
    return decodings(pair.slice(pair.indexOf('=') + 1))
  })
}

export const SECRET = 'a-test-secret-of-at-least-32-characters!'
