/**
 * A small bounded map: at most `max` entries, the oldest inserted evicted
 * first. Keys derived from secrets are cached in one of these, never in an
 * unbounded map. Reads do not reorder (that would cost a delete and a set
 * on every hit, on the signing hot path).
 * @internal
 */
export class BoundedMap<K, V> {
  readonly #max: number
  readonly #map = new Map<K, V>()

  constructor(max: number) {
    this.#max = max
  }

  get size(): number {
    return this.#map.size
  }

  get(key: K): V | undefined {
    return this.#map.get(key)
  }

  set(key: K, value: V): void {
    this.#map.delete(key)
    this.#map.set(key, value)
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next()
      if (!oldest.done) this.#map.delete(oldest.value)
    }
  }

  delete(key: K): void {
    this.#map.delete(key)
  }

  clear(): void {
    this.#map.clear()
  }
}
