// What one token request costs the app's process in CPU, on each way the
// core can send it: over Node's own kept-alive sockets (the default on Node,
// no `fetch` option) and over fetch (a `fetch` passed in, as any user can).
// With `--compare <dir>`, also over another build of @oauth1/core (say, the
// last release's `dist/`, to see what a change to the transport did).
//
//   node bench/token-request.bench.mjs                 (after pnpm build)
//   node bench/token-request.bench.mjs --compare /tmp/old/packages/core/dist
//   node bench/run.mjs token-request                   on this Node and Node 24
//
// The provider is a node:http server in a process of its own answering every
// request with a token form; this process sends `fetchAccessToken` after
// `fetchAccessToken`, one at a time, and reads its own `process.cpuUsage()`
// (user + system, every thread) around each batch. Rounds alternate the
// order of the ways so that drift hits all alike; the figure is the median
// over the rounds of µs of CPU per request, and the ratio of each way to the
// node transport per round, its median and spread.
import { fork } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { benchOptions, positive } from './options.mjs'
import { median } from './stats.mjs'

const NAME = 'token-request bench'

if (process.argv[2] === '--provider') {
  const { createServer } = await import('node:http')
  const body =
    'oauth_token=ACCESS_TOKEN_abcdefghijklmnop&oauth_token_secret=ACCESS_SECRET_abcdefghijklmnopqrstuvw&user_id=12345&screen_name=bob'
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
      })
      res.end(body)
    })
  })
  server.listen(0, '127.0.0.1', () => process.send?.(server.address().port))
  process.on('disconnect', () => process.exit(0))
} else {
  await main()
}

async function main() {
  const args = benchOptions(NAME, {
    rounds: { type: 'string', default: '8' },
    requests: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '2000' },
    compare: { type: 'string' },
  })
  const rounds = positive(NAME, args.rounds, 'rounds')
  const requests = positive(NAME, args.requests, 'requests')
  const warmup = positive(NAME, args.warmup, 'warmup', { zero: true })

  const here = fileURLToPath(new URL('../packages/core/dist/index.js', import.meta.url))
  const core = await import(pathToFileURL(here).href)
  const ways = [
    { name: 'node transport (no fetch option)', client: newClient(core, {}) },
    {
      name: 'fetch (a fetch passed in)',
      client: newClient(core, { fetch: (...a) => fetch(...a) }),
    },
  ]
  if (args.compare !== undefined) {
    const other = await import(pathToFileURL(`${args.compare.replace(/\/$/, '')}/index.js`).href)
    ways.push({ name: `--compare build, no fetch option`, client: newClient(other, {}) })
  }

  const provider = fork(fileURLToPath(import.meta.url), ['--provider'], { stdio: 'inherit' })
  const port = await new Promise((resolve, reject) => {
    provider.once('message', resolve)
    provider.once('exit', (code) => reject(new Error(`the provider exited (${code})`)))
  })
  const url = `http://127.0.0.1:${port}/oauth/access_token`
  try {
    for (const way of ways) await batch(way.client, url, warmup)
    const perRequest = ways.map(() => [])
    for (let round = 0; round < rounds; round++) {
      const order = ways.map((_, i) => i)
      if (round % 2 === 1) order.reverse()
      for (const i of order) {
        const cpu = await batch(ways[i].client, url, requests)
        perRequest[i].push(cpu / requests)
      }
    }
    report(ways, perRequest, rounds, requests)
  } finally {
    provider.disconnect()
  }
}

function newClient(core, extra) {
  return new core.OAuth1Client({
    clientId: 'consumer-key',
    clientSecret: 'consumer-secret',
    token: 'request-token',
    tokenSecret: 'request-token-secret',
    ...extra,
  })
}

/** CPU µs (user + system) of `n` access-token requests one after another. */
async function batch(client, url, n) {
  const before = process.cpuUsage()
  for (let i = 0; i < n; i++) {
    const token = await client.fetchAccessToken(url, 'verifier')
    if (token.oauth_token !== 'ACCESS_TOKEN_abcdefghijklmnop') {
      throw new Error(`${NAME}: an answer read wrong: ${JSON.stringify(token)}`)
    }
  }
  const used = process.cpuUsage(before)
  return used.user + used.system
}

function report(ways, perRequest, rounds, requests) {
  console.log(
    `token requests: ${rounds} rounds × ${requests} fetchAccessToken per way, one at a time; Node ${process.version}`,
  )
  console.log(
    `  ${'way'.padEnd(36)} ${'CPU/request'.padStart(12)}  ${'÷ node transport'.padStart(16)}  spread (min–max)`,
  )
  const results = []
  ways.forEach((way, i) => {
    const cpu = median(perRequest[i])
    const ratios = perRequest[i].map((value, round) => value / perRequest[0][round])
    const ratio = median(ratios)
    const spread = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`
    console.log(
      `  ${way.name.padEnd(36)} ${`${cpu.toFixed(1)} µs`.padStart(12)}  ${ratio.toFixed(2).padStart(16)}  ${i === 0 ? '' : spread}`,
    )
    results.push({
      way: way.name,
      cpuUsPerRequest: Number(cpu.toFixed(1)),
      overNode: Number(ratio.toFixed(3)),
    })
  })
  console.log(
    '  (median over the rounds of this process’s user + system CPU per request; ÷ node transport: median of per-round ratios, above 1 when it costs more)',
  )
  console.log(
    JSON.stringify({ bench: 'token-request', node: process.version, rounds, requests, results }),
  )
}
