import { createServer } from 'node:net'

function portTaken(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE'
}

/**
 * Finds a port to listen on: `wanted` when it is free (or 0: any free port),
 * else, with `fallback`, a free one. The apps must know the provider's URL and
 * the provider must know the apps' callback URLs before either listens, so the
 * ports are settled first.
 */
export function choosePort(wanted: number, host: string, fallback: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.unref()
    probe.once('error', (err) => {
      if (fallback && wanted !== 0 && portTaken(err)) resolve(choosePort(0, host, false))
      else reject(portTaken(err) ? new Error(`port ${wanted} on ${host} is already in use`) : err)
    })
    probe.listen(wanted, host, () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : wanted
      probe.close(() => resolve(port))
    })
  })
}
