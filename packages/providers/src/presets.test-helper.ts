/**
 * The one table of presets the tests share: every preset export, in the
 * README's order, with options that make a valid call of it (a key or a URL
 * where one is required) and a string only its own code holds (for the
 * tree-shaking test). package.test.ts checks that it lists every export.
 */
import { readFileSync } from 'node:fs'
import {
  atlassian,
  bricklink,
  discogs,
  etrade,
  flickr,
  garmin,
  mastercard,
  mediawiki,
  netsuite,
  type PresetOptions,
  plurk,
  schoology,
  smugmug,
  trello,
  tumblr,
  twitter,
  woocommerce,
  zotero,
} from './index.js'

/** An RSA private key (PEM) for the presets that sign with RSA-SHA1. */
export const RSA_KEY = readFileSync(
  new URL('../../core/test/vectors/authlib-rsa-private.pem', import.meta.url),
  'utf8',
)

/** What the tests know of one preset. */
export interface PresetCase {
  /** The export itself. */
  readonly create: (options: never) => PresetOptions
  /** A call with valid options, the ones the preset requires included. */
  readonly valid: () => PresetOptions
  /** A string only this preset's code holds. */
  readonly marker: string
}

/** Every preset, by export name, in the README's order. */
export const PRESETS = {
  twitter: { create: twitter, valid: () => twitter(), marker: 'api.x.com' },
  trello: {
    create: trello,
    valid: () => trello({ name: 'My App', scope: ['read', 'write'], expiration: 'never' }),
    marker: 'trello.com',
  },
  flickr: { create: flickr, valid: () => flickr({ perms: 'write' }), marker: 'flickr.com' },
  tumblr: { create: tumblr, valid: () => tumblr(), marker: 'tumblr.com' },
  discogs: {
    create: discogs,
    valid: () => discogs({ userAgent: 'MyApp/1.0 +https://app.example' }),
    marker: 'discogs.com',
  },
  smugmug: { create: smugmug, valid: () => smugmug(), marker: 'smugmug.com' },
  zotero: { create: zotero, valid: () => zotero(), marker: 'zotero.org' },
  mediawiki: { create: mediawiki, valid: () => mediawiki(), marker: 'Special:OAuth' },
  etrade: { create: etrade, valid: () => etrade({ sandbox: true }), marker: 'etrade.com' },
  atlassian: {
    create: atlassian,
    valid: () => atlassian({ baseUrl: 'https://jira.example.com', rsaKey: RSA_KEY }),
    marker: 'plugins/servlet/oauth',
  },
  netsuite: {
    create: netsuite,
    valid: () => netsuite({ accountId: '1234567_SB1' }),
    marker: 'netsuite.com',
  },
  woocommerce: {
    create: woocommerce,
    valid: () => woocommerce({ storeUrl: 'https://shop.example' }),
    marker: 'wp-json',
  },
  schoology: {
    create: schoology,
    valid: () => schoology({ domain: 'springfield.schoology.com' }),
    marker: 'schoology.com',
  },
  mastercard: {
    create: mastercard,
    valid: () => mastercard({ rsaKey: RSA_KEY }),
    marker: 'mastercard.com',
  },
  bricklink: {
    create: bricklink,
    valid: () => bricklink({ token: { oauth_token: 't', oauth_token_secret: 's' } }),
    marker: 'bricklink.com',
  },
  plurk: { create: plurk, valid: () => plurk(), marker: 'plurk.com' },
  garmin: { create: garmin, valid: () => garmin(), marker: 'garmin.com' },
} as const satisfies Record<string, PresetCase>

/** A preset's export name. */
export type PresetName = keyof typeof PRESETS

/** The export names, in the README's order. */
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[]
