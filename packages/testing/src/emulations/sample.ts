/** Helpers of the emulations: stable sample identifiers, random codes, replies. */
import { createHash, randomInt } from 'node:crypto'
import type { TestUser } from '../types.js'
import type { EmulationReply } from './types.js'

function digest(seed: string): Buffer {
  return createHash('sha256').update(seed).digest()
}

/** `length` lower-case hex digits derived from `seed`: the same user always gets the same id. */
export function hexId(seed: string, length: number): string {
  let out = ''
  for (let i = 0; out.length < length; i++) out += digest(`${seed}#${i}`).toString('hex')
  return out.slice(0, length)
}

/** `length` decimal digits derived from `seed` (no leading zero). */
export function numericId(seed: string, length: number): string {
  let out = ''
  for (let i = 0; out.length < length; i++) {
    for (const byte of digest(`${seed}#${i}`)) out += String(byte % 10)
  }
  return (out[0] === '0' ? '1' : out[0]) + out.slice(1, length)
}

/** The user's id when it is all digits, else a stable numeric id of `length` digits. */
export function numericUserId(user: TestUser, length = 8): string {
  return /^\d{1,18}$/.test(user.id) ? user.id : numericId(user.id, length)
}

/** A stable UUID-shaped id. */
export function uuid(seed: string): string {
  const h = hexId(seed, 32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** `length` random characters from `alphabet` (CSPRNG). */
export function randomString(length: number, alphabet = ALNUM): string {
  let out = ''
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)]
  return out
}

/** `length` random decimal digits. */
export function randomDigits(length: number): string {
  return randomString(length, '0123456789')
}

/** `Alice`: the first letter upper-cased. */
export function capitalize(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1)
}

/** First and last name of a user's display name. */
export function splitName(user: TestUser): { first: string; last: string } {
  const parts = user.name.trim().split(/\s+/)
  return { first: parts[0] ?? user.name, last: parts.slice(1).join(' ') }
}

/** A JSON answer. */
export function json(
  value: unknown,
  status = 200,
  headers?: Record<string, string>,
): EmulationReply {
  return { status, json: value, ...(headers ? { headers } : {}) }
}

/** A plain-text answer. */
export function text(
  body: string,
  status = 200,
  contentType = 'text/plain; charset=utf-8',
): EmulationReply {
  return { status, body, headers: { 'content-type': contentType } }
}

/** The value of the last parameter `name` among `pairs`. */
export function param(pairs: readonly [string, string][], name: string): string | undefined {
  let value: string | undefined
  for (const [k, v] of pairs) if (k === name) value = v
  return value
}
