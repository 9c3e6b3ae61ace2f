// --- errors, types (shared) and signing (RFC 5849 §3); Biome sorts them as one group ---
export {
  type BaseStringOptions,
  baseStringUri,
  collectSignatureParameters,
  normalizeParameters,
  type SignatureParameterSources,
  signatureBaseString,
} from './base-string.js'
export {
  bodyHash,
  computeSignature,
  type KeyObjectLike,
  type RsaKey,
  SIGNATURE_METHOD_HASH,
  type SigningKeys,
  signingKey,
  type VerificationKeys,
  verifySignature,
} from './crypto/index.js'
export {
  formatParameters,
  type ParseFormOptions,
  parseFormEncoded,
  percentDecode,
  percentEncode,
  tryPercentDecode,
} from './encoding.js'
export * from './errors.js'
export { generateNonce, generateTimestamp } from './nonce.js'
export {
  formatAuthorizationHeader,
  isFormContentType,
  parseAuthorizationHeader,
  type SignableRequest,
  type SignedRequest,
  type SigningCredentials,
  type SignOptions,
  signRequest,
} from './sign.js'
export * from './types.js'
// --- end errors, types, signing ---

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
