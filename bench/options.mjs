// The command line of every bench, read strictly: an unknown option, a stray
// argument or a bad number ends the bench at once with a message naming it and
// exit code 2. Read leniently, a typo (`--roudns 3`) would be dropped and the
// bench would run at full size with its defaults, for minutes.
//
//   import { benchOptions, positive } from './options.mjs'
//   const args = benchOptions('signing bench', { rounds: { type: 'string', default: '31' } })
//   const rounds = positive('signing bench', args.rounds, 'rounds')
import { parseArgs } from 'node:util'

/** Prints `bench: message` and the known options, then exits 2. */
function fail(bench, message, options) {
  console.error(`${bench}: ${message}`)
  if (options !== undefined) {
    const known = Object.entries(options).map(([name, { type }]) =>
      type === 'string' ? `--${name} <value>` : `--${name}`,
    )
    console.error(`${bench}: its options are ${known.join(', ')}`)
  }
  process.exit(2)
}

/**
 * The values of `options` (node:util parseArgs options) on the command line;
 * exits 2 on an option the bench does not know, on any other argument, or on
 * an option given the wrong way (a string option without its value).
 *
 * @param {string} bench the name to start messages with
 * @param {import('node:util').ParseArgsConfig['options']} options
 * @param {string[]} [argv]
 */
export function benchOptions(bench, options, argv = process.argv.slice(2)) {
  // Lenient first, to name the first unknown option or stray argument in our words.
  const { tokens } = parseArgs({ args: argv, options, strict: false, tokens: true })
  for (const token of tokens) {
    if (token.kind === 'option' && !Object.hasOwn(options, token.name)) {
      fail(bench, `unknown option ${token.rawName}`, options)
    }
    if (token.kind === 'positional') {
      fail(bench, `unexpected argument ${JSON.stringify(token.value)}`, options)
    }
  }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values
  } catch (error) {
    return fail(bench, error.message, options)
  }
}

/**
 * `raw` as a number > 0 (an integer unless `integer: false`; 0 too with
 * `zero: true`); exits 2 naming `--name` otherwise.
 *
 * @param {string} bench
 * @param {unknown} raw
 * @param {string} name
 * @param {{ integer?: boolean, zero?: boolean }} [rules]
 */
export function positive(bench, raw, name, { integer = true, zero = false } = {}) {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN
  if (
    !Number.isFinite(value) ||
    value < 0 ||
    (value === 0 && !zero) ||
    (integer && !Number.isInteger(value))
  ) {
    const what = integer ? 'integer' : 'number'
    fail(
      bench,
      `--${name} should be a ${zero ? `${what} ≥ 0` : `positive ${what}`}, not ${JSON.stringify(raw)}`,
    )
  }
  return value
}

/**
 * `raw` as a comma-separated list of names from `allowed` (spaces around each
 * trimmed, each name once); exits 2 naming `--name` and the allowed names
 * otherwise.
 *
 * @param {string} bench
 * @param {unknown} raw
 * @param {string} name
 * @param {readonly string[]} allowed
 * @param {string} [noun] what one name is, for the message ("app", "server")
 * @returns {string[]}
 */
export function listOption(bench, raw, name, allowed, noun = 'name') {
  const names = String(raw)
    .split(',')
    .map((s) => s.trim())
  for (const one of names) {
    if (!allowed.includes(one)) {
      fail(bench, `--${name}: no ${noun} "${one}" (the ${noun}s: ${allowed.join(', ')})`)
    }
  }
  const twice = names.find((one, i) => names.indexOf(one) !== i)
  if (twice !== undefined) fail(bench, `--${name} names "${twice}" twice`)
  return names
}
