import type { OAuthError } from '@oauth1/core'
import type { Profile, User } from './db.ts'
import { html, layout, type SafeHtml } from './html.ts'

/** What every page needs to know about the app it is rendered by. */
export interface PageContext {
  /** "Express", "Fastify", "Koa", "Hono". */
  framework: string
  /** The provider's display name ("Test Provider"). */
  providerName: string
  /** The logged-in user, if any. */
  user?: User | null | undefined
  /**
   * `false` for a signing-only API (WooCommerce, Mastercard, BrickLink): there
   * is no login, only API calls signed with the app's own credentials. Default `true`.
   */
  canLogIn?: boolean | undefined
}

/** A rendered page and the HTTP status to answer it with. */
export interface Page {
  status: number
  html: string
}

function page(ctx: PageContext, title: string, body: SafeHtml, status = 200): Page {
  const userName = ctx.user ? displayName(ctx.user, ctx.providerName) : undefined
  return { status, html: layout({ title, framework: ctx.framework, userName, body }) }
}

/** The user's name, else their screen name, else "<Provider> user" (a provider that does not say). */
export function displayName(user: User, providerName: string): string {
  return user.name || (user.screenName ? `@${user.screenName}` : `${providerName} user`)
}

/** `value` when it is an absolute http(s) URL (safe in `href` and `src`), else `undefined`. */
function webUrl(value: string | undefined): string | undefined {
  if (value === undefined || !URL.canParse(value)) return undefined
  const { protocol } = new URL(value)
  return protocol === 'https:' || protocol === 'http:' ? value : undefined
}

function link(value: string): SafeHtml | string {
  const href = webUrl(value)
  return href ? html`<a href="${href}" rel="noopener noreferrer">${value}</a>` : value
}

const MAX_RAW_SHOWN = 8 * 1024

function rawJson(raw: Record<string, unknown>): string {
  const json = JSON.stringify(raw, null, 2)
  return json.length > MAX_RAW_SHOWN ? `${json.slice(0, MAX_RAW_SHOWN)}…` : json
}

/** The `userinfo()` claims, one row each (`sub` always; the rest where the provider gave them). */
function claimsList(profile: Profile, providerName: string): SafeHtml {
  const row = (label: string, claim: string, value: SafeHtml | string | undefined) =>
    value === undefined || value === ''
      ? ''
      : html`<dt>${label} <code>${claim}</code></dt><dd data-testid="claim-${claim}">${value}</dd>`
  const verified =
    profile.email_verified === true
      ? html` <span class="tag">verified</span>`
      : profile.email_verified === false
        ? html` <span class="tag">not verified</span>`
        : ''
  return html`<dl data-testid="claims">
${row(`${providerName} id`, 'sub', profile.sub)}
${row('Name', 'name', profile.name)}
${row('Screen name', 'preferred_username', profile.preferred_username && `@${profile.preferred_username}`)}
${row('E-mail', 'email', profile.email && html`${profile.email}${verified}`)}
${row('Picture', 'picture', profile.picture && link(profile.picture))}
${row('Profile', 'profile', profile.profile && link(profile.profile))}
${row('Website', 'website', profile.website && link(profile.website))}
</dl>`
}

/** The fields of the token response, for a provider without `userinfo` (E*TRADE, NetSuite). */
function tokenFieldsList(profile: Profile): SafeHtml {
  const fields = Object.entries(profile.raw)
  return html`<dl data-testid="token-fields">
${fields.map(([name, value]) => html`<dt><code>${name}</code></dt><dd data-testid="token-field-${name}">${typeof value === 'string' ? value : JSON.stringify(value)}</dd>`)}
</dl>`
}

/** The first letter of a name, for the avatar's stand-in ("B" for "Bob Builder" or "@bob"). */
function initial(name: string): string {
  const letter = /\p{L}|\p{N}/u.exec(name)?.[0]
  return letter ? letter.toUpperCase() : '?'
}

function profileCard(user: User, providerName: string): SafeHtml {
  const { profile } = user
  const name = displayName(user, providerName)
  const picture = webUrl(profile.picture)
  const head = html`<div class="person">${
    picture
      ? // A picture that does not load (offline, gone) shows the initial instead (CSS ::before).
        html`<img class="avatar" src="${picture}" alt="" width="64" height="64" data-initial="${initial(name)}" data-testid="profile-picture">`
      : ''
  }<div><h1>Hello, <span data-testid="profile-name">${name}</span></h1>
${user.screenName ? html`<p class="muted" data-testid="profile-screen-name">@${user.screenName}</p>` : ''}</div></div>`
  if (profile.source === 'token') {
    return html`${head}
<p>You are logged in with ${providerName}. ${providerName} does not tell applications who logged in,
so this app knows you by your token. What ${providerName}'s token response carried (never its secret):</p>
${tokenFieldsList(profile)}`
  }
  return html`${head}
<p>You are logged in with ${providerName}. This is who ${providerName} says you are, as
<code>userinfo()</code> returns it (OpenID Connect claim names):</p>
${claimsList(profile, providerName)}
<details><summary>What ${providerName} sent (<code>raw</code>)</summary>
<pre data-testid="profile-raw"><code>${rawJson(profile.raw)}</code></pre></details>`
}

const logoutButton = html`<form class="inline" method="post" action="/logout"><button type="submit" class="secondary" data-testid="logout">Log out</button></form>`

/** `/`: the "Log in with …" button, or the logged-in user's profile. */
export function homePage(ctx: PageContext): Page {
  const { user, providerName, framework } = ctx
  if (ctx.canLogIn === false) return noLoginPage(ctx, 200)
  if (!user) {
    return page(
      ctx,
      'Welcome',
      html`<section class="card" data-testid="home">
<h1>Welcome</h1>
<p>This ${framework} app lets you log in with your ${providerName} account over OAuth 1.0a,
then calls ${providerName}'s API on your behalf with the token it saved.</p>
<div class="actions"><a class="button" href="/login" data-testid="login">Log in with ${providerName}</a></div>
</section>`,
    )
  }
  return page(
    ctx,
    displayName(user, providerName),
    html`<section class="card" data-testid="profile">
${profileCard(user, providerName)}
<div class="actions"><a class="button" href="/api-call" data-testid="api-link">Call the API</a>${logoutButton}</div>
</section>`,
  )
}

/**
 * A signing-only API (WooCommerce, Mastercard, BrickLink) has no login: `/`
 * says so and offers the API call (200); `/login` answers the same page with 404.
 */
export function noLoginPage(ctx: PageContext, status = 404): Page {
  const { providerName } = ctx
  return page(
    ctx,
    `${providerName} has no login`,
    html`<section class="card" data-testid="no-login">
<h1>${providerName} has no login</h1>
<p>${providerName}'s API is signing-only: there is no page where you log in and no profile to show.
The app signs each API call with the credentials it was configured with: its consumer key, and a token issued ahead of time where the API uses one.</p>
<div class="actions"><a class="button" href="/api-call" data-testid="api-link">Call the API</a></div>
</section>`,
    status,
  )
}

/** What `/api-call` made and what the provider answered. */
export interface ApiCall {
  method: string
  /** The URL as the app's code wrote it (relative to `apiBaseUrl`). */
  url: string
  status: number
  body: string
}

const MAX_SHOWN = 8 * 1024

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2)
  } catch {
    return body.length > MAX_SHOWN ? `${body.slice(0, MAX_SHOWN)}…` : body
  }
}

/** `/api-call`: the request the app signed with the saved token, and the answer. */
export function apiCallPage(ctx: PageContext, call: ApiCall): Page {
  const ok = call.status >= 200 && call.status < 300
  return page(
    ctx,
    'API call',
    html`<section class="card" data-testid="api-call">
<h1>${ctx.providerName} API</h1>
<p>The app called <code data-testid="api-request">${call.method} ${call.url}</code> without passing a token:
${
  ctx.canLogIn === false
    ? html`the call is signed with the app's own credentials (a signing-only API).`
    : html`the registry's <code>fetchToken</code> found yours in the database.`
}</p>
<p>${ctx.providerName} answered <strong data-testid="api-status">HTTP ${call.status}</strong>${
      ok ? '' : html` <span class="badge">not OK</span>`
    }</p>
<pre data-testid="api-result"><code>${pretty(call.body)}</code></pre>
${ok ? '' : html`<p class="muted">Set <code>PROVIDER_API_CALL</code> to an API path your account may call.</p>`}
<div class="actions">${
      ctx.canLogIn === false
        ? html`<a class="button secondary" href="/">Home</a>`
        : html`<a class="button secondary" href="/">Back to your profile</a>${logoutButton}`
    }</div>
</section>`,
    ok ? 200 : 502,
  )
}

function errorBody(
  ctx: PageContext,
  title: string,
  message: string,
  details: { code?: string; status: number; description?: string; problem?: string | undefined },
  retry: boolean,
): SafeHtml {
  return html`<section class="card error" data-testid="error">
<h1 data-testid="error-title">${title}</h1>
<p>${message}</p>
<dl>
${details.code ? html`<dt>Error code</dt><dd><span class="badge" data-testid="error-code">${details.code}</span></dd>` : ''}
<dt>Status</dt><dd data-testid="error-status">${details.status}</dd>
${details.problem ? html`<dt>Provider's problem</dt><dd><code>${details.problem}</code></dd>` : ''}
${details.description ? html`<dt>Details</dt><dd class="muted">${details.description}</dd>` : ''}
</dl>
<div class="actions">${retry ? html`<a class="button" href="/login" data-testid="retry-login">Log in with ${ctx.providerName}</a>` : ''}<a class="button secondary" href="/">Home</a></div>
</section>`
}

/** A friendly title and sentence for each `OAuthError` code. */
function explain(err: OAuthError, provider: string): { title: string; message: string } {
  switch (err.code) {
    case 'access_denied':
      return {
        title: 'You did not allow access',
        message: `You refused on ${provider}'s page, so you are not logged in. You can try again whenever you like.`,
      }
    case 'missing_temporary_credential':
      return {
        title: 'This login has expired or was already used',
        message: `${provider}'s answer does not match a login started in this browser: it was already used, it is more than a few minutes old, or it was started elsewhere. Please start again.`,
      }
    case 'missing_token':
      return err.status === 401
        ? { title: 'You are logged out', message: `Log in with ${provider} to call its API.` }
        : {
            title: `${provider}'s answer was incomplete`,
            message: 'The login callback came back without a token. Please start again.',
          }
    case 'missing_verifier':
      return {
        title: `${provider}'s answer was incomplete`,
        message: 'The login callback came back without a verifier. Please start again.',
      }
    case 'callback_not_confirmed':
      return {
        title: `${provider} did not confirm the callback`,
        message: `${provider} does not seem to speak OAuth 1.0a, so the login was stopped before it started.`,
      }
    case 'fetch_token_denied':
      return err.response
        ? {
            title: `${provider} refused the request`,
            message: `${provider} answered with an error, so you are not logged in.`,
          }
        : {
            title: `${provider} cannot be reached`,
            message: `The app could not connect to ${provider}. Please try again later.`,
          }
    case 'invalid_token_response':
      return {
        title: `${provider} sent an unexpected answer`,
        message: `${provider} answered with something that is not a token, so you are not logged in.`,
      }
    case 'request_failed':
      // No answer at all (a network failure: fetch's error is the cause), or
      // an answer to the profile request that is not a profile.
      return err.cause !== undefined && err.response === undefined
        ? {
            title: `${provider} cannot be reached`,
            message: `The app could not connect to ${provider}. Please try again later.`,
          }
        : {
            title: `${provider} did not say who you are`,
            message: `${provider}'s answer to the app's profile request was not a profile, so you are not logged in.`,
          }
    case 'request_timeout':
      return {
        title: `${provider} did not answer in time`,
        message: `${provider} is too slow right now. Please try again later.`,
      }
    case 'store_unavailable':
      return {
        title: 'Logging in is unavailable right now',
        message: 'The app cannot reach the store where logins wait. Please try again in a moment.',
      }
    case 'insecure_transport':
      return {
        title: 'Insecure connection refused',
        message: `The app refused to talk to ${provider} over an unencrypted connection.`,
      }
    default:
      return {
        title: 'The login failed',
        message: 'Something went wrong with the login. Please start again.',
      }
  }
}

/**
 * The page for an `OAuthError`: a friendly sentence, the error code and the
 * status (`err.status`: 400 bad callback, 401 logged out, 403 refused, 502/504
 * the provider failed) — never a stack trace.
 */
export function oauthErrorPage(ctx: PageContext, err: OAuthError): Page {
  const { title, message } = explain(err, ctx.providerName)
  const retry = err.code !== 'insecure_transport' && err.code !== 'callback_not_confirmed'
  return page(
    ctx,
    title,
    errorBody(
      ctx,
      title,
      message,
      {
        code: err.code,
        status: err.status,
        description: err.description,
        problem: err.oauthProblem,
      },
      retry,
    ),
    err.status,
  )
}

/** An error that carries a status of its own (framework errors, {@link a provider answer the app cannot use}). */
export interface HttpLikeError {
  status?: unknown
  statusCode?: unknown
  code?: unknown
  message?: unknown
  /** http-errors' flag: the message is meant for the user. */
  expose?: unknown
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad request',
  404: 'Page not found',
  405: 'Method not allowed',
  413: 'Request too large',
  415: 'Unsupported request',
  501: 'Method not supported',
  502: 'The provider sent an unexpected answer',
}

/**
 * The page for any other error: 502 when the provider cannot be reached
 * (fetch's `TypeError`), its status when it has a 4xx/501/502 one (framework
 * errors such as a malformed URL or a method no route knows, or a bad
 * profile response), otherwise a plain 500 that shows nothing of the error.
 */
export function errorPage(ctx: PageContext, err: unknown): Page {
  if (isNetworkError(err)) {
    // A plain fetch of the app's own rejects so when the provider is down; the
    // library's calls turn that into OAuthError request_failed (API calls) or
    // fetch_token_denied (the login endpoints).
    const title = `${ctx.providerName} cannot be reached`
    return page(
      ctx,
      title,
      errorBody(
        ctx,
        title,
        `The app could not connect to ${ctx.providerName}. Please try again later.`,
        { status: 502 },
        false,
      ),
      502,
    )
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as HttpLikeError
  const raw = typeof e.status === 'number' ? e.status : e.statusCode
  const status = typeof raw === 'number' && raw >= 400 && raw < 600 ? raw : 500
  // 501: a method the app has no route for (Koa's allowedMethods): the client's doing.
  if (status >= 500 && status !== 501 && status !== 502) {
    const title = 'Something went wrong'
    return page(
      ctx,
      title,
      errorBody(
        ctx,
        title,
        'The app hit an unexpected error. It has been logged.',
        { status },
        false,
      ),
      500,
    )
  }
  const title = STATUS_TITLES[status] ?? 'Request failed'
  // A 502's message names the provider's answer; `expose` (http-errors' flag)
  // marks one written for the user.
  const description =
    (status === 502 || e.expose === true) && typeof e.message === 'string' ? e.message : undefined
  const code = typeof e.code === 'string' && /^[a-z_]{1,40}$/.test(e.code) ? e.code : undefined
  return page(
    ctx,
    title,
    errorBody(
      ctx,
      title,
      status === 502
        ? `${ctx.providerName} answered, but not with what the app expected.`
        : 'The app could not handle this request.',
      { ...(code ? { code } : {}), status, ...(description ? { description } : {}) },
      status === 502,
    ),
    status,
  )
}

/** fetch's own rejection: no connection, DNS failure, connection reset. */
function isNetworkError(err: unknown): boolean {
  return err instanceof TypeError && err.message === 'fetch failed'
}

/** 404 for any other path. */
export function notFoundPage(ctx: PageContext): Page {
  const title = STATUS_TITLES[404]!
  return page(
    ctx,
    title,
    errorBody(ctx, title, 'There is nothing at this address.', { status: 404 }, false),
    404,
  )
}
