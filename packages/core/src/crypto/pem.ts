/**
 * Just enough PEM and DER for Web Crypto, which imports only PKCS#8 private
 * keys and SPKI public keys: PKCS#1 keys are wrapped by hand, and the SPKI
 * is cut out of an X.509 certificate.
 * @internal
 */

/** Standard base64 (with padding) of bytes. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}

/** Bytes of standard base64 (whitespace ignored); null when it is not base64. */
export function base64ToBytes(base64: string): Uint8Array | null {
  const clean = base64.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) return null
  let binary: string
  try {
    binary = atob(clean)
  } catch {
    return null
  }
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

export interface PemBlock {
  label: string
  der: Uint8Array
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]*?)-----END \1-----/

/** The first PEM block of a string, or null. */
export function parsePem(pem: string): PemBlock | null {
  const match = PEM_BLOCK.exec(pem)
  if (!match) return null
  const der = base64ToBytes(match[2]!)
  if (!der || der.length === 0) return null
  return { label: match[1]!, der }
}

function encodeLength(length: number): number[] {
  if (length < 0x80) return [length]
  const bytes: number[] = []
  for (let n = length; n > 0; n >>>= 8) bytes.unshift(n & 0xff)
  return [0x80 | bytes.length, ...bytes]
}

function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const length = contents.reduce((sum, c) => sum + c.length, 0)
  const header = [tag, ...encodeLength(length)]
  const out = new Uint8Array(header.length + length)
  out.set(header, 0)
  let offset = header.length
  for (const c of contents) {
    out.set(c, offset)
    offset += c.length
  }
  return out
}

/** AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }. */
const RSA_ALGORITHM_ID = Uint8Array.from([
  0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
])

/** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (RFC 5208 §5). */
export function pkcs1PrivateToPkcs8(pkcs1: Uint8Array): Uint8Array {
  return tlv(0x30, Uint8Array.from([0x02, 0x01, 0x00]), RSA_ALGORITHM_ID, tlv(0x04, pkcs1))
}

/** Wraps a PKCS#1 RSAPublicKey in a SubjectPublicKeyInfo (RFC 5280 §4.1). */
export function pkcs1PublicToSpki(pkcs1: Uint8Array): Uint8Array {
  return tlv(0x30, RSA_ALGORITHM_ID, tlv(0x03, Uint8Array.of(0x00), pkcs1))
}

interface Tlv {
  tag: number
  /** Offset of the first content byte. */
  start: number
  /** Offset just past the content. */
  end: number
  /** Offset of the tag byte. */
  offset: number
}

function readTlv(der: Uint8Array, offset: number, limit: number): Tlv | null {
  if (offset + 2 > limit) return null
  const tag = der[offset]!
  let length = der[offset + 1]!
  let start = offset + 2
  if (length & 0x80) {
    const count = length & 0x7f
    if (count === 0 || count > 4 || start + count > limit) return null
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i]!
    start += count
  }
  const end = start + length
  if (end > limit) return null
  return { tag, start, end, offset }
}

/** The SubjectPublicKeyInfo of an X.509 certificate (RFC 5280 §4.1), or null. */
export function spkiFromCertificate(der: Uint8Array): Uint8Array | null {
  const cert = readTlv(der, 0, der.length)
  if (cert?.tag !== 0x30) return null
  const tbs = readTlv(der, cert.start, cert.end)
  if (tbs?.tag !== 0x30) return null
  let field = readTlv(der, tbs.start, tbs.end)
  if (field && field.tag === 0xa0) field = readTlv(der, field.end, tbs.end) // [0] version
  // serialNumber, signature, issuer, validity, subject, then subjectPublicKeyInfo.
  for (let i = 0; i < 5 && field; i++) field = readTlv(der, field.end, tbs.end)
  if (field?.tag !== 0x30) return null
  return der.slice(field.offset, field.end)
}
