/**
 * Flickr, PROVIDERS.md §2.3.
 *
 * - `/services/oauth/request_token`, `/services/oauth/authorize`,
 *   `/services/oauth/access_token` [G1][P1-flickr]; Flickr's own docs sign GET
 *   requests, clients POST [F1]: both are answered.
 * - HMAC-SHA1 only [F1].
 * - `perms=read|write|delete` is required on the authorize URL; missing or
 *   unknown: "Oops! Flickr doesn't recognise the permission set." [F3][F4].
 * - The access token adds `user_nsid`, `username`, `fullname` [P1-flickr]; the
 *   out-of-band verifier reads `123-456-789` [F6].
 * - One REST endpoint `/services/rest/` with `method=` [G3].
 *
 * UNVERIFIED: whether Flickr takes the protocol parameters from the header as
 * well as the query (all three placements are accepted here), and its error
 * bodies on the OAuth endpoints (OAuth Problem Reporting kept).
 */
import { escapeHtml } from '../html.js'
import type { TestUser } from '../types.js'
import { numericId, param, randomDigits } from './sample.js'
import type { Emulation, EmulationRequest } from './types.js'

/** A Flickr NSID: `12345678@N04`. */
export function flickrNsid(user: TestUser): string {
  return `${numericId(`flickr:${user.id}`, 8)}@N0${Number(numericId(`flickr-n:${user.id}`, 1)) % 9}`
}

/** The REST endpoint: JSON with `nojsoncallback=1`, JSONP with `format=json`, else XML. */
function rest(r: EmulationRequest) {
  const all = [...r.query, ...r.form]
  const method = param(all, 'method')
  const format = param(all, 'format')
  let payload: Record<string, unknown>
  let xml: string
  if (method === 'flickr.test.login') {
    const user = r.user!
    payload = {
      user: { id: flickrNsid(user), username: { _content: user.screenName }, path_alias: null },
      stat: 'ok',
    }
    xml = `<rsp stat="ok">\n<user id="${escapeHtml(flickrNsid(user))}">\n\t<username>${escapeHtml(user.screenName)}</username>\n</user>\n</rsp>`
  } else {
    const message = `Method "${method ?? ''}" not found`
    payload = { stat: 'fail', code: 112, message }
    xml = `<rsp stat="fail">\n\t<err code="112" msg="${escapeHtml(message)}" />\n</rsp>`
  }
  if (format === 'json') {
    if (param(all, 'nojsoncallback') === '1') return { json: payload }
    return {
      body: `jsonFlickrApi(${JSON.stringify(payload)})`,
      headers: { 'content-type': 'text/javascript; charset=utf-8' },
    }
  }
  return {
    body: `<?xml version="1.0" encoding="utf-8" ?>\n${xml}\n`,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
  }
}

export const flickr: Emulation = {
  name: 'flickr',
  title: 'Flickr',
  requestToken: { path: '/services/oauth/request_token', methods: ['GET', 'POST'] },
  authorize: {
    paths: ['/services/oauth/authorize'],
    params: {
      perms: {
        values: ['read', 'write', 'delete'],
        required: true,
        label: 'Permissions',
        error: "Oops! Flickr doesn't recognise the permission set.",
      },
    },
    title: (app) => `${app} wants to link to your Flickr account`,
  },
  accessToken: { path: '/services/oauth/access_token', methods: ['GET', 'POST'] },
  apiBasePath: '/services/rest/',
  userinfoPath: '/services/rest/?method=flickr.test.login&format=json&nojsoncallback=1',
  signatureMethods: ['HMAC-SHA1'],
  oobVerifier: () => `${randomDigits(3)}-${randomDigits(3)}-${randomDigits(3)}`,
  tokenFields: (user) => ({
    fullname: user.name,
    user_nsid: flickrNsid(user),
    username: user.screenName,
  }),
  routes: [
    { path: '/services/rest/', methods: ['GET', 'POST'], auth: 'token', handle: rest },
    { path: '/services/rest', methods: ['GET', 'POST'], auth: 'token', handle: rest },
  ],
}
