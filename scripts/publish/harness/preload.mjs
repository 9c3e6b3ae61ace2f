// node --import ./preload.mjs out/usage.mjs: the adapter's ES module build.
import common from './preload-common.cjs'

common.install(await import(process.env.OAUTH1_PACKED_ADAPTER))
