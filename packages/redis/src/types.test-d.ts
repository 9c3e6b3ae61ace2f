// redisStore takes the clients users have, typed structurally: node-redis 6, 5 and 4
// (createClient, createCluster) and ioredis 6 and 5 (Redis, Cluster).
import type { ServerSideStore } from '@oauth1/core'
import { Cluster as IOCluster6, Redis as IORedis6 } from 'ioredis'
import { Redis as IORedis5 } from 'ioredis5'
import { createClient as createClient6, createCluster as createCluster6 } from 'redis'
import { createClient as createClient4 } from 'redis4'
import { createClient as createClient5 } from 'redis5'
import { describe, expectTypeOf, it } from 'vitest'
import { type RedisClientLike, type RedisStoreOptions, redisStore } from './index.js'

describe('redisStore(client, options)', () => {
  it('accepts node-redis clients and clusters', () => {
    expectTypeOf(createClient6()).toExtend<RedisClientLike>()
    expectTypeOf(createClient5()).toExtend<RedisClientLike>()
    expectTypeOf(createClient4()).toExtend<RedisClientLike>()
    expectTypeOf(createCluster6({ rootNodes: [] })).toExtend<RedisClientLike>()
    expectTypeOf(redisStore(createClient6())).toEqualTypeOf<ServerSideStore>()
  })

  it('accepts ioredis clients and clusters', () => {
    expectTypeOf(new IORedis6()).toExtend<RedisClientLike>()
    expectTypeOf(new IORedis5()).toExtend<RedisClientLike>()
    expectTypeOf(new IOCluster6([])).toExtend<RedisClientLike>()
    expectTypeOf(redisStore(new IORedis6(), { prefix: 'app:' })).toEqualTypeOf<ServerSideStore>()
  })

  it('refuses what is not a Redis client, and options of the wrong type', () => {
    // @ts-expect-error not a client
    redisStore({})
    // @ts-expect-error a URL is not a client
    redisStore('redis://localhost:6379')
    expectTypeOf<{ timeout: string }>().not.toExtend<RedisStoreOptions>()
    expectTypeOf<{ prefix: number }>().not.toExtend<RedisStoreOptions>()
    expectTypeOf<{
      secret: string[]
      prefix: string
      timeout: number
    }>().toExtend<RedisStoreOptions>()
  })
})
