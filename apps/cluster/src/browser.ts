/**
 * Browsers as HTTP clients, each with its own cookie jar, logging in through
 * the proxy and the provider's consent page (as a person picking their user
 * and clicking Allow would), and the figures of a run.
 */
import { createTestBrowser, type TestBrowser } from '@oauth1/core/testing'

export interface LoginResult {
  ok: boolean
  /** Milliseconds from GET /login to the profile page. */
  ms: number
  /** The step that failed and what the app answered, when not ok. */
  failure?: {
    step: string
    status: number
    code: string | undefined
    backend: string | null
    proxyError: string | null
    /** The start of the page, to tell what went wrong. */
    excerpt?: string
  }
  /** Which backend answered /login and the callback. */
  beganOn?: string | null
  completedOn?: string | null
}

/** The `OAuthError` code an example app's error page shows, if any. */
export function errorCodeOf(html: string): string | undefined {
  return /data-testid="error-code">([a-z_]+)</.exec(html)?.[1]
}

/** GET /login, then the consent page: the callback the provider sends the browser to after Allow as `userId`. */
export async function startLogin(
  browser: TestBrowser,
  appUrl: string,
  userId: string,
): Promise<
  | { ok: true; callback: string; beganOn: string | null }
  | { ok: false; failure: NonNullable<LoginResult['failure']>; beganOn: string | null }
> {
  const login = await browser.fetch(`${appUrl}/login`)
  const beganOn = login.headers.get('x-backend')
  if (login.status !== 302) {
    return { ok: false, beganOn, failure: await failureOf('login', login) }
  }
  const authorize = new URL(login.headers.get('location')!)
  const page = await browser.fetch(authorize.href)
  const html = await page.text()
  const csrf = /name="csrf_token" value="([^"]*)"/.exec(html)?.[1]
  const token = /name="oauth_token" value="([^"]*)"/.exec(html)?.[1]
  if (page.status !== 200 || !csrf || !token) {
    throw new Error(`the provider's consent page failed: ${page.status} ${html.slice(0, 300)}`)
  }
  const answer = await browser.fetch(new URL('/oauth/authorize', authorize).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      oauth_token: token,
      csrf_token: csrf,
      user_id: userId,
      decision: 'allow',
    }),
  })
  await answer.arrayBuffer()
  if (answer.status !== 302) throw new Error(`consent answered ${answer.status}`)
  return { ok: true, callback: answer.headers.get('location')!, beganOn }
}

export async function failureOf(
  step: string,
  res: Response,
): Promise<NonNullable<LoginResult['failure']>> {
  const text = await res.text()
  return {
    step,
    status: res.status,
    code: errorCodeOf(text),
    backend: res.headers.get('x-backend'),
    proxyError: res.headers.get('x-proxy-error'),
    excerpt: text.replace(/\s+/g, ' ').slice(0, 200),
  }
}

/** A whole login through `appUrl` (the proxy) as user `userId` with screen name `screenName`, checked on the profile page. */
export async function fullLogin(
  appUrl: string,
  user: { id: string; screenName: string },
  browser: TestBrowser = createTestBrowser(appUrl),
): Promise<LoginResult> {
  const t0 = performance.now()
  let lastBackend: string | null = null
  const watched: TestBrowser = {
    cookies: browser.cookies,
    fetch: async (path, init) => {
      const res = await browser.fetch(path, init)
      lastBackend = res.headers.get('x-backend')
      return res
    },
  }
  try {
    return await login(appUrl, user, watched, t0)
  } catch (err) {
    // The connection went while a body was coming (an instance killed mid-answer).
    return {
      ok: false,
      ms: performance.now() - t0,
      failure: {
        step: 'network',
        status: 0,
        code: undefined,
        backend: lastBackend,
        proxyError: 'connection-cut',
        excerpt: (err as Error).message,
      },
    }
  }
}

async function login(
  appUrl: string,
  user: { id: string; screenName: string },
  browser: TestBrowser,
  t0: number,
): Promise<LoginResult> {
  const started = await startLogin(browser, appUrl, user.id)
  if (!started.ok)
    return {
      ok: false,
      ms: performance.now() - t0,
      failure: started.failure,
      beganOn: started.beganOn,
    }
  const back = await browser.fetch(started.callback)
  const completedOn = back.headers.get('x-backend')
  if (back.status !== 302) {
    return {
      ok: false,
      ms: performance.now() - t0,
      failure: await failureOf('callback', back),
      beganOn: started.beganOn,
      completedOn,
    }
  }
  await back.arrayBuffer()
  const home = await browser.fetch(`${appUrl}/`)
  const html = await home.text()
  const shown = /data-testid="profile-screen-name">@([^<]*)</.exec(html)?.[1]
  if (home.status !== 200 || shown !== user.screenName) {
    return {
      ok: false,
      ms: performance.now() - t0,
      failure: {
        step: `profile shows ${shown ?? 'nobody'}, not ${user.screenName}`,
        status: home.status,
        code: errorCodeOf(html),
        backend: home.headers.get('x-backend'),
        proxyError: home.headers.get('x-proxy-error'),
        excerpt: html.replace(/\s+/g, ' ').slice(0, 300),
      },
      beganOn: started.beganOn,
      completedOn,
    }
  }
  return { ok: true, ms: performance.now() - t0, beganOn: started.beganOn, completedOn }
}

/** Runs `count` tasks, `concurrency` at a time; `onDone` sees each result as it comes. */
export async function pool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
  onDone?: (result: T, done: number) => void | Promise<void>,
): Promise<T[]> {
  const results: T[] = new Array(count)
  let next = 0
  let done = 0
  const worker = async () => {
    while (next < count) {
      const i = next++
      results[i] = await task(i)
      done++
      await onDone?.(results[i]!, done)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
  return results
}

/** The `q` quantile (0…1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN
  )
}
