/** Entry of the `oauth1-test-provider` bin. */
import { runCli } from './cli-main.js'

void runCli(process.argv.slice(2)).then((provider) => {
  if (!provider) return
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    console.log(`Received ${signal}, stopping.`)
    provider.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
})
