/**
 * Ready register options for the OAuth 1.0a providers still in service:
 * `oauth.register('trello', trello({ name: 'My App' }))`. Each preset is a
 * function of typed options returning a plain object; spread it to override
 * anything. Facts and their sources: the package README.
 *
 * @packageDocumentation
 */
export { type AtlassianOptions, atlassian } from './atlassian.js'
export { type BrickLinkOptions, bricklink } from './bricklink.js'
export { type DiscogsOptions, discogs } from './discogs.js'
export {
  type EtradeApp,
  type EtradeOptions,
  etrade,
  etradeRenewAccessToken,
  etradeRevokeAccessToken,
} from './etrade.js'
export { type FlickrOptions, flickr } from './flickr.js'
export { GARMIN_OAUTH1_END, type GarminOptions, garmin } from './garmin.js'
export { type MastercardOptions, mastercard } from './mastercard.js'
export { DEFAULT_MEDIAWIKI_INDEX_URL, type MediaWikiOptions, mediawiki } from './mediawiki.js'
export { type NetSuiteOptions, netsuite } from './netsuite.js'
export { type PlurkOptions, plurk } from './plurk.js'
export { type SchoologyOptions, schoology } from './schoology.js'
export { type SmugMugOptions, smugmug } from './smugmug.js'
export { type TrelloOptions, type TrelloScope, trello } from './trello.js'
export { type TumblrOptions, tumblr } from './tumblr.js'
export { type TwitterOptions, twitter } from './twitter.js'
export type {
  AuthorizeParamsContext,
  ClientCredentialOptions,
  PresetClientKwargs,
  PresetOptions,
  UserInfo,
  UserinfoContext,
} from './types.js'
export { type WooCommerceOptions, woocommerce } from './woocommerce.js'
export { type ZoteroOptions, zotero } from './zotero.js'
