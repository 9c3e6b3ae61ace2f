/**
 * @oauth1/testing in a process of its own (so the 50 browsers of the test do
 * not share its event loop): started with the users as JSON in argv[2], it
 * prints `listening <url>` and then obeys one JSON command per stdin line:
 * `{ "setQuirks": {…} }` (answered `ok`).
 */
import { createInterface } from 'node:readline'
import { createTestProvider, type TestUser } from '@oauth1/testing'

const users = JSON.parse(process.argv[2] ?? '[]') as TestUser[]
const provider = await createTestProvider({ users, maxRecords: 10 })
console.log(`listening ${provider.url}`)
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { setQuirks?: Parameters<typeof provider.setQuirks>[0] }
  if (command.setQuirks) provider.setQuirks(command.setQuirks)
  console.log('ok')
}
await provider.close()
