/**
 * vitest setup for the property tests. A failing property prints its
 * `{ seed, path }` (fast-check's own report); to replay it, run the test
 * again with them in the environment:
 *
 *   FC_SEED=<seed> FC_PATH=<path> pnpm vitest run --project core -t '<test name>'
 *
 * Without FC_SEED every run draws new seeds, as fast-check does by default.
 */
import fc from 'fast-check'

const seed = process.env.FC_SEED
if (seed !== undefined && seed !== '') {
  if (!/^-?\d+$/.test(seed)) throw new TypeError(`FC_SEED should be an integer, got "${seed}"`)
  const path = process.env.FC_PATH
  fc.configureGlobal({
    ...fc.readConfigureGlobal(),
    seed: Number(seed),
    ...(path === undefined || path === '' ? {} : { path }),
  })
}
