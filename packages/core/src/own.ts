/**
 * Sets `target[name] = value` as an own, enumerable, writable, configurable
 * property, also when `name` is `__proto__` (an assignment would set the
 * prototype instead). For records built from names a provider or a caller
 * chose. Plain assignment otherwise: `Object.defineProperty` costs about ten
 * times as much, on every field of every token response.
 */
export function setOwn<T>(target: Record<string, T>, name: string, value: T): void {
  if (name === '__proto__') {
    Object.defineProperty(target, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  } else {
    target[name] = value
  }
}

/**
 * Refuses an options object naming an option outside `known`: a `TypeError`
 * (`<prefix>unknown option "sesionKey" (known: …)`), so a typo or a name
 * from another library fails where the options are given instead of being
 * dropped and surfacing later.
 *
 * @example
 * ```ts
 * checkKnownOptions({ sesionKey: 'x' }, ['sessionKey', 'secret'], 'oauth.middleware(options): ')
 * // TypeError: oauth.middleware(options): unknown option "sesionKey" (known: sessionKey, secret)
 * ```
 */
export function checkKnownOptions(options: object, known: readonly string[], prefix = ''): void {
  for (const option of Object.keys(options)) {
    if (!known.includes(option)) {
      throw new TypeError(
        `${prefix}unknown option ${JSON.stringify(option)} (known: ${known.join(', ')})`,
      )
    }
  }
}
