import { describeExampleApp } from '@oauth1-examples/shared/suite'
import { start } from './server.ts'

describeExampleApp({ framework: 'Hono', id: 'hono', start })
