'use strict'
// Loaded before a README example in the packed-install test (node --require /
// --import, from the test project, so it sees the installed packages). The
// example's code is not touched; its surroundings are:
// - its provider URLs point at the test provider: `register` receives the
//   provider's URLs over the example's, as if the app were configured for it
//   (a signature binds the URL, so the example's https://api.twitter.com URLs
//   cannot be answered by a local provider at the network level);
// - its fixed port (3000) becomes a free one, reported to the test over IPC.
const net = require('node:net')

function install(adapter) {
  const urls = JSON.parse(process.env.OAUTH1_PACKED_PROVIDER_URLS)
  const port = Number(process.env.OAUTH1_PACKED_EXAMPLE_PORT)

  const proto = adapter.OAuth.prototype
  const register = proto.register
  proto.register = function registerWithTestProvider(name, options) {
    return register.call(this, name, { ...options, ...urls })
  }

  const listen = net.Server.prototype.listen
  let reported = false
  net.Server.prototype.listen = function listenOnAFreePort(...args) {
    const first = args[0]
    const isOptions = first !== null && typeof first === 'object'
    if (Number(isOptions ? first.port : first) === port) {
      args[0] = isOptions ? { ...first, port: 0 } : 0
      if (!reported) {
        reported = true
        this.once('listening', () => process.send({ listening: this.address() }))
      }
    }
    return listen.apply(this, args)
  }
}

module.exports = { install }
