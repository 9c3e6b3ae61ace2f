import { describeExampleApp } from '@oauth1-examples/shared/suite'
import { start } from './server.ts'

describeExampleApp({ framework: 'Koa', id: 'koa', start })
