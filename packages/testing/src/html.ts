/** The provider's pages: consent, out-of-band verifier, errors. No external assets. */
import type { TestUser } from './types.js'

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('Demo <App> & "Co"') // 'Demo &lt;App&gt; &amp; &quot;Co&quot;'
 * ```
 */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f4f6;color:#111827}
main{max-width:28rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:.75rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.35rem;margin:0 0 1rem}
p.provider{margin:0 0 1.5rem;color:#4b5563;font-size:.9rem}
fieldset{border:1px solid #d1d5db;border-radius:.5rem;margin:0 0 1.5rem;padding:.75rem 1rem}
legend{padding:0 .25rem;font-weight:600}
label{display:block;padding:.25rem 0;cursor:pointer}
.actions{display:flex;gap:.75rem}
button{flex:1;font:inherit;padding:.6rem 1rem;border-radius:.5rem;border:1px solid #9ca3af;background:#fff;cursor:pointer}
button.allow{background:#1d4ed8;border-color:#1d4ed8;color:#fff}
button:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}
code{font-size:1.5rem;padding:.25rem .5rem;background:#f3f4f6;border-radius:.25rem;word-break:break-all}
small{color:#6b7280}
dl.details{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:0 0 1.5rem}
dl.details dt{font-weight:600}
dl.details dd{margin:0}
`

function page(title: string, providerName: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(providerName)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="provider">${escapeHtml(providerName)}</p>
${body}
</main>
</body>
</html>
`
}

export interface ConsentPageInput {
  providerName: string
  clientName: string
  /** The heading ("Allow Demo App to use your account?"). */
  title: string
  /** What the application asks for, from the authorize URL (`['Permissions', 'write']`). */
  details: readonly [string, string][]
  users: readonly TestUser[]
  oauthToken: string
  csrfToken: string
  /** Where the user goes back to; `undefined`: a page of the provider (the out-of-band code). */
  destination: string | undefined
  /** Whether the application gets a verifier (no: an OAuth 1.0 provider). */
  verifier: boolean
  action: string
}

/** "Allow Demo App to use your account?" with a choice of user and Allow / Deny. */
export function consentPage(input: ConsentPageInput): string {
  const title = input.title
  const users = input.users
    .map(
      (u, i) =>
        `<label><input type="radio" name="user_id" value="${escapeHtml(u.id)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(u.name)} <small>@${escapeHtml(u.screenName)}</small></label>`,
    )
    .join('\n')
  let destination = input.verifier
    ? 'You will be shown a code to enter in the application.'
    : 'You can then return to the application.'
  if (input.destination !== undefined) {
    let origin = input.destination
    try {
      origin = new URL(input.destination).origin
    } catch {}
    destination = `You will be sent back to <strong>${escapeHtml(origin)}</strong>.`
  }
  const details =
    input.details.length === 0
      ? ''
      : `<dl class="details">\n${input.details
          .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
          .join('\n')}\n</dl>\n`
  return page(
    title,
    input.providerName,
    `<h1>${escapeHtml(title)}</h1>
<p><strong>${escapeHtml(input.clientName)}</strong> will be able to read your profile and act on your behalf.</p>
${details}<form method="post" action="${escapeHtml(input.action)}">
<input type="hidden" name="oauth_token" value="${escapeHtml(input.oauthToken)}">
<input type="hidden" name="csrf_token" value="${escapeHtml(input.csrfToken)}">
<fieldset>
<legend>Sign in as</legend>
${users}
</fieldset>
<div class="actions">
<button type="submit" name="decision" value="allow" class="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</div>
</form>
<p><small>${destination}</small></p>`,
  )
}

/** After Allow on an OAuth 1.0 provider without callback: there is no code to copy. */
export function returnPage(providerName: string, clientName: string): string {
  return page(
    'Access granted',
    providerName,
    `<h1>You allowed ${escapeHtml(clientName)}</h1>
<p>Return to the application to finish.</p>`,
  )
}

/** The out-of-band page: the user copies the verifier into the application. */
export function oobPage(providerName: string, clientName: string, verifier: string): string {
  return page(
    'Authorization code',
    providerName,
    `<h1>You allowed ${escapeHtml(clientName)}</h1>
<p>Enter this code in the application to finish:</p>
<p><code id="oauth_verifier">${escapeHtml(verifier)}</code></p>`,
  )
}

/** The out-of-band refusal page. */
export function oobDeniedPage(providerName: string, clientName: string): string {
  return page(
    'Access denied',
    providerName,
    `<h1>You denied ${escapeHtml(clientName)}</h1>
<p>The application was not given access to your account. You can close this page.</p>`,
  )
}

/** A user-facing error page (bad or expired authorization request). */
export function errorPage(providerName: string, title: string, message: string): string {
  return page(
    title,
    providerName,
    `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>`,
  )
}

/** The provider's home page: endpoints and clients, for people running the CLI. */
export function indexPage(
  providerName: string,
  endpoints: Record<string, string>,
  clients: readonly { id: string; secret: string | undefined; name: string }[],
): string {
  const rows = Object.entries(endpoints)
    .map(([k, v]) => `<li>${escapeHtml(k)}: <a href="${escapeHtml(v)}">${escapeHtml(v)}</a></li>`)
    .join('\n')
  const cl = clients
    .map(
      (c) =>
        `<li>${escapeHtml(c.name)}: id <kbd>${escapeHtml(c.id)}</kbd>${c.secret === undefined ? '' : `, secret <kbd>${escapeHtml(c.secret)}</kbd>`}</li>`,
    )
    .join('\n')
  return page(
    'OAuth 1.0a test provider',
    providerName,
    `<h1>OAuth 1.0a test provider</h1>
<h2>Endpoints</h2>
<ul>
${rows}
</ul>
<h2>Clients</h2>
<ul>
${cl}
</ul>`,
  )
}
