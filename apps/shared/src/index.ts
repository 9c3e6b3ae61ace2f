/**
 * What the four example apps share that is NOT OAuth: the SQLite database,
 * configuration from the environment, the HTML pages and listening helpers.
 * Every OAuth step is in each app's own `src/server.ts`.
 */
export {
  type ExampleConfig,
  LOCAL_PROVIDER,
  loadConfig,
  localProviderEndpoints,
  MIN_SECRET_LENGTH,
} from './config.ts'
export { type AppDatabase, openDatabase, type Profile, type User } from './db.ts'
export { escapeHtml, html, layout, SafeHtml } from './html.ts'
export {
  type ApiCall,
  apiCallPage,
  errorPage,
  homePage,
  notFoundPage,
  oauthErrorPage,
  type Page,
  type PageContext,
} from './pages.ts'
export { ProviderResponseError, readProfile } from './profile.ts'
export { type AppRedis, connectRedis, isRedisUnavailable, withRedis } from './redis.ts'
export {
  closeServer,
  listen,
  type RunningApp,
  runningApp,
  runStandalone,
  serve,
  serverUrl,
} from './server.ts'
