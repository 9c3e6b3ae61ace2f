// How much of what a server allocates per request outlives a scavenge (V8's
// young-generation collection), for a bare node:http server, Express, and
// Express with express-session, one server process each, read from the
// process's own GC trace (--trace-gc-nvp). A request's objects are garbage
// once it is answered; what survives a scavenge is copied, then promoted to
// the old generation, where only a mark-compact frees it: survival is what
// makes a server's GC cost more than its allocation.
//
//   node bench/gc-survival.mjs [--node 24] [--connections 3000] [--requests 4]
//                              [--servers http,express,express-session,…]
//
// Each connection is a new keep-alive client sending --requests GETs one
// after another, then closing (a browser's visit); one connection at a time.
// The servers:
//   http               node:http, answering "hello"
//   express            Express 5, one route
//   express-session    Express + express-session (MemoryStore); the route
//                      leaves the session untouched, so nothing is stored
//   closure-on-res     Express + a middleware that sets res.after to an
//                      arrow function made in the middleware (the way
//                      express-session wraps res.end)
//   closure-by-helper  the same, the function made by a helper instead
//
// Not part of `pnpm bench`: it explains, it judges nothing (bench/README.md,
// "What survives a scavenge"). Figures are counts, steady from run to run
// and whatever else the machine does.
import { execFileSync, fork } from 'node:child_process'
import http from 'node:http'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { appNodeOrExit, fmt } from './login-driver.mjs'
import { benchOptions, listOption, positive } from './options.mjs'

const BENCH = 'gc survival'
const SERVERS = ['http', 'express', 'express-session', 'closure-on-res', 'closure-by-helper']

/** The server side: `node bench/gc-survival.mjs --serve <server>` (forked with an IPC channel). */
async function serve(kind) {
  const require = createRequire(new URL('../packages/express/package.json', import.meta.url))
  let handler
  if (kind === 'http') {
    handler = (_req, res) => res.end('hello')
  } else {
    const express = require('express')
    const app = express()
    if (kind === 'express-session') {
      const session = require('express-session')
      app.use(session({ secret: 'gc-survival'.repeat(3), resave: false, saveUninitialized: false }))
    }
    if (kind === 'closure-on-res') {
      app.use((_req, res, next) => {
        res.after = () => res
        next()
      })
    }
    if (kind === 'closure-by-helper') {
      const after = (res) => () => res
      app.use((_req, res, next) => {
        res.after = after(res)
        next()
      })
    }
    app.get('/', (_req, res) => res.send('hello'))
    handler = app
  }
  const server = http.createServer(handler)
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
  process.on('message', () => server.close(() => process.exit(0)))
  process.on('disconnect', () => process.exit(0))
}

/** Sums of the scavenges in a --trace-gc-nvp output (key=value lines; JSON on Node 26). */
function scavenges(trace) {
  const sum = { count: 0, allocated: 0, survived: 0, promoted: 0, majors: 0 }
  for (const line of trace.split('\n')) {
    let fields
    const json = line.indexOf('GC: {')
    if (json !== -1) {
      try {
        fields = JSON.parse(line.slice(json + 4))
      } catch {
        continue
      }
    } else if (line.includes(' gc=')) {
      fields = Object.fromEntries(line.split(' ').map((kv) => kv.split('=')))
    } else continue
    if (fields.gc === 's') {
      sum.count++
      sum.allocated += Number(fields.allocated ?? 0)
      sum.survived += Number(fields.new_space_survived ?? 0)
      sum.promoted += Number(fields.promoted ?? 0)
    } else if (fields.gc === 'mc' || fields.gc === 'ms') sum.majors++
  }
  return sum
}

/** One connection: `requests` GETs over one keep-alive socket, then closed. */
async function visit(port, requests) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  try {
    for (let i = 0; i < requests; i++) {
      await new Promise((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
            res.resume()
            res.on('end', resolve)
            res.on('error', reject)
          })
          .on('error', reject)
      })
    }
  } finally {
    agent.destroy()
  }
}

async function measure(node, kind, connections, requests) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', kind], {
    execPath: node,
    execArgv: ['--trace-gc-nvp'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  let trace = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk) => {
    trace += chunk
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const { port } = await new Promise((resolve, reject) => {
    child.once('message', resolve)
    child.once('exit', (code) => reject(new Error(`${kind}: the server exited (${code})`)))
  })
  for (let i = 0; i < connections; i++) await visit(port, requests)
  child.send('stop')
  await exited
  return scavenges(trace)
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3])
} else {
  const args = benchOptions(BENCH, {
    node: { type: 'string' },
    connections: { type: 'string', default: '3000' },
    requests: { type: 'string', default: '4' },
    servers: { type: 'string', default: SERVERS.join(',') },
  })
  const connections = positive(BENCH, args.connections, 'connections')
  const requests = positive(BENCH, args.requests, 'requests')
  const kinds = listOption(BENCH, args.servers, 'servers', SERVERS, 'server')
  const node = await appNodeOrExit(BENCH, args.node)
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
  console.log(
    `${BENCH}: ${connections} connections × ${requests} requests per server, one at a time; servers on Node ${version}`,
  )
  console.log(
    `  ${'server'.padEnd(19)}${'scavenges'.padStart(10)}${'allocated/request'.padStart(19)}${'survived'.padStart(10)}${'promoted/request'.padStart(18)}${'mark-compacts'.padStart(15)}`,
  )
  const results = []
  for (const kind of kinds) {
    const sum = await measure(node, kind, connections, requests)
    const perRequest = (bytes) => bytes / (connections * requests)
    const row = {
      server: kind,
      scavenges: sum.count,
      allocatedPerRequest: Math.round(perRequest(sum.allocated)),
      survivedShare: sum.allocated > 0 ? sum.survived / sum.allocated : 0,
      promotedPerRequest: Math.round(perRequest(sum.promoted)),
      markCompacts: sum.majors,
    }
    results.push(row)
    console.log(
      `  ${kind.padEnd(19)}${String(row.scavenges).padStart(10)}${`${fmt(row.allocatedPerRequest / 1024, 1)} KB`.padStart(19)}${`${fmt(100 * row.survivedShare, 1)}%`.padStart(10)}${`${fmt(row.promotedPerRequest / 1024, 1)} KB`.padStart(18)}${String(row.markCompacts).padStart(15)}`,
    )
  }
  console.log(
    '  (from the server’s --trace-gc-nvp: bytes allocated in the young generation, the share of them a scavenge copied, and what it promoted to the old one)',
  )
  console.log(
    JSON.stringify({ bench: 'gc-survival', node: version, connections, requests, results }),
  )
}
