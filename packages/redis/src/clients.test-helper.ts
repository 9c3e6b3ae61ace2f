/**
 * The Redis clients the store is tested with, each connected to a test
 * redis-server: node-redis 6, 5 and 4, and ioredis 6 and 5.
 */
import { Redis as IORedis6 } from 'ioredis'
import { Redis as IORedis5 } from 'ioredis5'
import { createClient as createClient6 } from 'redis'
import { createClient as createClient4 } from 'redis4'
import { createClient as createClient5 } from 'redis5'
import type { RedisClientLike } from './index.js'

/** A connected client, with what the tests need beyond the store's methods. */
export interface TestClient {
  client: RedisClientLike
  /** Runs a raw command (`PTTL`, `KEYS`, `FLUSHALL`…). */
  command(...args: string[]): Promise<unknown>
  close(): Promise<void>
}

export interface ClientKind {
  name: string
  /** Connects to `url`; commands wait in the client's offline queue while it reconnects. */
  connect(url: string): Promise<TestClient>
}

/** node-redis: an `error` listener, or a lost connection would crash the process. */
function nodeRedis(name: string, create: (options: { url: string }) => unknown): ClientKind {
  return {
    name,
    async connect(url) {
      const client = create({ url }) as {
        on(event: 'error', listener: (err: unknown) => void): unknown
        connect(): Promise<unknown>
        sendCommand(args: string[]): Promise<unknown>
        destroy?: () => void
        disconnect(): Promise<void>
        isOpen: boolean
      }
      client.on('error', () => {})
      await client.connect()
      return {
        client: client as unknown as RedisClientLike,
        command: (...args) => client.sendCommand(args),
        close: async () => {
          if (!client.isOpen) return
          if (typeof client.destroy === 'function') client.destroy()
          else await client.disconnect()
        },
      }
    },
  }
}

function ioredis(
  name: string,
  Client: new (url: string, options: { lazyConnect: boolean }) => IORedis6 | IORedis5,
): ClientKind {
  return {
    name,
    async connect(url) {
      const client = new Client(url, { lazyConnect: true })
      client.on('error', () => {})
      await client.connect()
      return {
        client,
        command: (command, ...args) => client.call(command!, ...args),
        close: async () => {
          client.disconnect()
        },
      }
    },
  }
}

export const CLIENT_KINDS: readonly ClientKind[] = [
  nodeRedis('node-redis 6', createClient6),
  nodeRedis('node-redis 5', createClient5),
  nodeRedis('node-redis 4', createClient4),
  ioredis('ioredis 6', IORedis6),
  ioredis('ioredis 5', IORedis5),
]
