// cookie-session is a dev dependency used by this package's tests only. Its
// @types package would redeclare Express's `req.session` and clash with
// express-session's, so declare the one call the tests make.
declare module 'cookie-session' {
  import type { RequestHandler } from 'express'

  function cookieSession(options: {
    name?: string
    keys?: string[]
    secret?: string
    maxAge?: number
    signed?: boolean
  }): RequestHandler
  export default cookieSession
}
