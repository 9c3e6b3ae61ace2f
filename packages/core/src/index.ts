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
  isSignatureMethod,
  type KeyObjectLike,
  type RsaKey,
  SIGNATURE_METHOD_HASH,
  SIGNATURE_METHODS,
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

// --- web flow: OAuth1Client, registry, context, stores (core-flow) ---
export {
  type AuthorizationUrlOptions,
  type ClientRsaKey,
  MAX_REDIRECTS,
  MAX_VERIFIER_LENGTH,
  OAuth1Client,
  type OAuth1ClientOptions,
  type OAuth1RequestInit,
} from './client.js'
export { createRequestContext, type RequestContext } from './context.js'
export {
  DEFAULT_TIMEOUT,
  isLoopbackHost,
  MAX_CREDENTIAL_LENGTH,
  MAX_PROFILE_RESPONSE,
  MAX_TOKEN_RESPONSE,
} from './http.js'
export { checkKnownOptions } from './own.js'
export { CALLBACK_PROBLEMS, type CallbackProblem } from './problems.js'
export {
  type AuthorizeParamsContext,
  type ClientKwargs,
  configKey,
  DEFAULT_TEMPORARY_CREDENTIAL_TTL,
  OAuth,
  type OAuthOptions,
  RemoteApp,
  type RemoteAppOptions,
  type RemoteAppRequestInit,
  type ResolvedRemoteAppOptions,
  temporaryCredentialKey,
  type UserInfo,
  type UserinfoContext,
  type UserinfoFunction,
  type UserinfoRequestInit,
} from './registry.js'
export {
  type BindingIdAccess,
  checkServerSideStore,
  createBoundStore,
  createMemoryServerStore,
  createMemoryStore,
  createSealer,
  createSessionRecordStore,
  DEFAULT_SESSION_MAX_BYTES,
  DEFAULT_SESSION_MAX_ENTRIES,
  generateBindingId,
  isBindingId,
  isServerSideStore,
  type MemoryServerStoreOptions,
  type MemoryStoreOptions,
  MIN_SECRET_LENGTH,
  type Sealer,
  type SealerSecret,
  type SessionRecordAccess,
  type SessionRecordStoreOptions,
  takeTemporaryCredential,
  toStoredCredential,
} from './stores.js'
export {
  checkRelativeCallback,
  firstHeaderValue,
  isPathCallback,
  type RequestProtocolAndHost,
  requestOriginFrom,
  requestTargetQuery,
  resolveCallbackUri,
  resolveRequestCallback,
} from './url.js'
// --- end web flow ---
