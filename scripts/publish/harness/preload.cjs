'use strict'
// node --require ./preload.cjs out/usage.cjs: the adapter's CommonJS build.
require('./preload-common.cjs').install(require(process.env.OAUTH1_PACKED_ADAPTER))
