/**
 * What the four example apps share besides the OAuth steps: the SQLite
 * database, configuration from the environment (the provider preset among
 * it) and the register options it makes, the HTML pages and listening
 * helpers. Every OAuth step is in each app's own `src/server.ts`.
 */

export { answerDeadline, MAX_ANSWER_BYTES, readAnswerText } from './api-answer.ts'
export {
  type ExampleConfig,
  LOCAL_PROVIDER,
  loadConfig,
  localProviderEndpoints,
  MIN_SECRET_LENGTH,
} from './config.ts'
export {
  type AppDatabase,
  LOGIN_LIFETIME,
  MAX_STORED_RAW,
  openDatabase,
  type Profile,
  type User,
} from './db.ts'
export { escapeHtml, html, layout, SafeHtml } from './html.ts'
export { callbackUri, hostRefusal } from './origin.ts'
export {
  type ApiCall,
  apiCallPage,
  displayName,
  errorPage,
  homePage,
  noLoginPage,
  notFoundPage,
  oauthErrorPage,
  type Page,
  type PageContext,
} from './pages.ts'
export {
  createPreset,
  isPresetName,
  type OptionKind,
  PRESET_NAMES,
  PRESETS,
  type PresetConfig,
  type PresetEntry,
  type PresetName,
  presetApiCall,
  presetVariable,
  readPreset,
} from './presets.ts'
export { type AppRedis, connectRedis, isRedisUnavailable, withRedis } from './redis.ts'
export {
  providerRegistration,
  testProviderUserinfo,
  tokenProfile,
  URL_OPTIONS,
} from './registration.ts'
export {
  closeServer,
  listen,
  type RunningApp,
  runningApp,
  runStandalone,
  serve,
  serverUrl,
} from './server.ts'
