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
