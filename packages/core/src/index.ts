export * from './errors.js'
export * from './types.js'

// --- web flow: context, stores (core-flow) ---
export { createRequestContext, type RequestContext } from './context.js'
export {
  createMemoryStore,
  createSealer,
  createSessionRecordStore,
  type MemoryStoreOptions,
  type Sealer,
  type SealerSecret,
  type SessionRecordAccess,
  type SessionRecordStoreOptions,
} from './stores.js'
// --- end web flow ---
