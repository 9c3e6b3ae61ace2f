// The figures every bench reports from its rounds: medians and quartiles.

/** The value at quantile q (0–1) of the values, interpolated linearly between the two nearest. */
export function quantile(values, q) {
  const sorted = [...values].sort((x, y) => x - y)
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  const high = Math.ceil(at)
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low)
}

/** The middle value, or the mean of the two middle ones. */
export function median(values) {
  return quantile(values, 0.5)
}
