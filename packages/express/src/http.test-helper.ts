// Helpers for this package's tests (not part of the build: tsup bundles src/index.ts only).
import type { AddressInfo } from 'node:net'
import type { Express, NextFunction, Request, Response } from 'express'
import { onTestFinished } from 'vitest'

/**
 * Starts `app` on 127.0.0.1 on a free port and closes it (and its keep-alive
 * connections) when the current test finishes. Returns its base URL.
 */
export async function serve(app: Express): Promise<string> {
  const server = await new Promise<ReturnType<Express['listen']>>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)))
  })
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Every `Set-Cookie` of a supertest response, as `[name, value]` with the value URL-decoded. */
export function setCookies(headers: Record<string, unknown>): [string, string][] {
  const raw = headers['set-cookie']
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)]
  return list.map((line: string) => {
    const pair = line.split(';', 1)[0] ?? ''
    const eq = pair.indexOf('=')
    const value = pair.slice(eq + 1)
    let decoded = value
    try {
      decoded = decodeURIComponent(value)
    } catch {
      // keep it raw
    }
    return [pair.slice(0, eq), decoded]
  })
}

/**
 * Every readable form of a cookie value a browser (or an attacker with the
 * cookie) could decode: the value itself, its base64/base64url decoding
 * (cookie-session keeps base64 JSON), and the JSON inside, stringified.
 */
export function decodedForms(value: string): string[] {
  const forms = [value]
  for (const candidate of [value, value.replace(/^s:/, '')]) {
    for (const encoding of ['base64', 'base64url'] as const) {
      const text = Buffer.from(candidate, encoding).toString('utf8')
      forms.push(text)
      try {
        forms.push(JSON.stringify(JSON.parse(text)))
      } catch {
        // not JSON
      }
    }
  }
  return forms
}

/**
 * An error handler answering `err.status` with `{ error: err.code }` as JSON (Express's
 * default answers the status with an HTML page), so a test can read the OAuthError's code.
 */
export function answerWithCode(
  err: { status?: number; code?: string },
  _req: Request,
  res: Response,
  _next: NextFunction,
): void {
  res.status(err.status ?? 500).json({ error: err.code })
}
