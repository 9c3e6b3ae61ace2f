/**
 * A tiny, escaping HTML template: every interpolated value is escaped unless
 * it is itself the result of `html`…``. No external assets, no scripts.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Escapes text for HTML content and double- or single-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!)
}

type Interpolation = SafeHtml | string | number | null | undefined | false | Interpolation[]

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  return escapeHtml(String(value))
}

/** Tagged template that escapes its interpolations. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0]!
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!
  })
  return new SafeHtml(out)
}

const STYLE = `
:root { color-scheme: light; --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --brand: #3355cc; --bg: #f5f7fa; --bad: #b42318; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: var(--bg); }
header { background: #fff; border-bottom: 1px solid var(--line); }
header .bar { max-width: 44rem; margin: 0 auto; padding: .75rem 1.25rem; display: flex; align-items: center; justify-content: space-between; gap: 1rem; }
header a.brand { color: var(--ink); font-weight: 600; text-decoration: none; }
header .who { color: var(--muted); font-size: .9rem; }
main { max-width: 44rem; margin: 2rem auto; padding: 0 1.25rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: 1.5rem 1.75rem; }
h1 { font-size: 1.5rem; margin: 0 0 .75rem; }
p { margin: .5rem 0 1rem; }
.muted { color: var(--muted); }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin-top: 1.25rem; }
.button, button { display: inline-block; font: inherit; font-weight: 600; padding: .55rem 1.1rem; border-radius: .375rem; border: 1px solid var(--brand); background: var(--brand); color: #fff; text-decoration: none; cursor: pointer; }
.button.secondary, button.secondary { background: #fff; color: var(--brand); }
form.inline { display: inline; margin: 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1.25rem; margin: 1rem 0; }
dt { color: var(--muted); }
dd { margin: 0; font-weight: 500; overflow-wrap: anywhere; }
pre { background: #0f172a; color: #e2e8f0; padding: 1rem; border-radius: .375rem; overflow: auto; font-size: .875rem; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.error h1 { color: var(--bad); }
.person { display: flex; align-items: center; gap: 1rem; margin-bottom: .5rem; }
.person h1 { margin: 0; }
.person p { margin: .15rem 0 0; }
.avatar { position: relative; width: 64px; height: 64px; border-radius: 50%; background: var(--line); object-fit: cover; flex: none; }
.avatar::before { content: attr(data-initial); position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; border-radius: 50%; background: var(--line); color: var(--muted); font: 600 1.6rem/1 system-ui, sans-serif; }
.tag { display: inline-block; font-size: .75rem; font-weight: 600; padding: 0 .45rem; border-radius: 1rem; background: #e6f4ea; color: #1e6b34; }
dt code { font-size: .75rem; color: var(--muted); }
details { margin: 1rem 0 0; }
summary { cursor: pointer; color: var(--muted); }
.badge { display: inline-block; font: 600 .8rem/1.6 ui-monospace, "DejaVu Sans Mono", monospace; padding: 0 .5rem; border-radius: 1rem; background: #fdecea; color: var(--bad); }
footer { max-width: 44rem; margin: 0 auto 2rem; padding: 0 1.25rem; color: var(--muted); font-size: .85rem; }
`

export interface LayoutOptions {
  /** The page's `<title>` and nothing else. */
  title: string
  /** "Express", "Fastify"… shown in the header and footer. */
  framework: string
  /** The logged-in user's display name, if any, shown in the header. */
  userName?: string | undefined
  body: SafeHtml
}

/** The whole HTML document around a page's body. */
export function layout({ title, framework, userName, body }: LayoutOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · @oauth1 ${framework} example</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<header><div class="bar"><a class="brand" href="/">@oauth1 · ${framework} example</a>${
    userName
      ? html`<span class="who" data-testid="header-user">Signed in as ${userName}</span>`
      : ''
  }</div></header>
<main>${body}</main>
<footer>OAuth 1.0a login with <code>@oauth1/${framework.toLowerCase()}</code>. Tokens are kept in SQLite.</footer>
</body>
</html>
`.value
}
