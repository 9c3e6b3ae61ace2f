/**
 * Fetch's init types, named without the DOM lib. Not exported from the
 * package: they only spell the public option types so that the published
 * declarations compile in a Node-only project (`lib: ["es2023"]` with
 * `@types/node`) as well as with the DOM lib, where they are the DOM's own.
 * @module
 */

/**
 * What `new Headers(init)` takes: the runtime's `HeadersInit`. Named through
 * `RequestInit`, which every runtime with fetch declares (the DOM lib,
 * `@types/node`, Workers, Deno, Bun), because `HeadersInit` itself is a
 * DOM-lib name: a Node-only project (`lib: ["es2023"]`) has no such global.
 * With the DOM lib this is exactly the DOM's `HeadersInit`.
 */
export type FetchHeadersInit = NonNullable<RequestInit['headers']>

/**
 * A fetch body: the runtime's `BodyInit`, named through `RequestInit` for the
 * same reason as {@link FetchHeadersInit}. With the DOM lib this is exactly
 * the DOM's `BodyInit`.
 */
export type FetchBodyInit = NonNullable<RequestInit['body']>

/**
 * Bytes as fetch's types take them: `bytes` itself when an `ArrayBuffer`
 * holds them (almost always), otherwise a copy (a view of a
 * `SharedArrayBuffer`, which the DOM lib's `BodyInit` does not include).
 * @internal
 */
export function fetchableBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? (bytes as Uint8Array<ArrayBuffer>)
    : new Uint8Array(bytes)
}
