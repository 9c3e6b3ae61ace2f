/**
 * Test vectors shared by the core's test files.
 */
import { readFileSync } from 'node:fs'

/** Authlib's PKCS#1 ("BEGIN RSA PRIVATE KEY") test key. */
export const AUTHLIB_RSA_KEY = readFileSync(
  new URL('./vectors/authlib-rsa-private.pem', import.meta.url),
  'utf8',
)

/** Authlib's RSA-SHA1 signature with {@link AUTHLIB_RSA_KEY} (tests/clients/test_requests/test_oauth1_session.py). */
export const AUTHLIB_RSA_SHA1 = {
  request: { method: 'POST', url: 'https://i.b' },
  credentials: { clientId: 'foo', signatureMethod: 'RSA-SHA1' as const },
  options: { nonce: 'abc', timestamp: '123' },
  authorization:
    'OAuth oauth_nonce="abc", oauth_timestamp="123", oauth_version="1.0", oauth_signature_method="RSA-SHA1", oauth_consumer_key="foo", oauth_signature="' +
    'j8WF8PGjojT82aUDd2EL%2Bz7HCoHInFzWUpiEKMCy%2BJ2cYHWcBS7mXlmFDLgAKV0' +
    'P%2FyX4TrpXODYnJ6dRWdfghqwDpi%2FlQmB2jxCiGMdJoYxh3c5zDf26gEbGdP6D7O' +
    'Ssp5HUnzH6sNkmVjuE%2FxoJcHJdc23H6GhOs7VJ2LWNdbhKWP%2FMMlTrcoQDn8lz' +
    '%2Fb24WsJ6ae1txkUzpFOOlLM8aTdNtGL4OtsubOlRhNqnAFq93FyhXg0KjzUyIZzmMX' +
    '9Vx90jTks5QeBGYcLE0Op2iHb2u%2FO%2BEgdwFchgEwE5LgMUyHUI4F3Wglp28yHOAM' +
    'jPkI%2FkWMvpxtMrU3Z3KN31WQ%3D%3D"',
}

/** The X/Twitter "Creating a signature" example (developer.x.com, OAuth 1.0a). */
export const TWITTER = {
  url: 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true',
  body: 'status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21',
  credentials: {
    clientId: 'xvz1evFS4wEEPTGEFPHBog',
    clientSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
    token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
    tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
  },
  options: { nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg', timestamp: '1318622958' },
  baseString:
    'POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521',
  signature: 'hCtSmYh+iHYCEqBWrE7C7hYmtUk=',
}

/** RFC 5849 §3.4.1.1: the request of §3.1, its parameters as §3.4.1.3.1 lists them. */
export const RFC_3_1_PARAMS: [string, string][] = [
  ['b5', '=%3D'],
  ['a3', 'a'],
  ['c@', ''],
  ['a2', 'r b'],
  ['oauth_consumer_key', '9djdj82h48djs9d2'],
  ['oauth_token', 'kkk9d7dh3k39sjv7'],
  ['oauth_signature_method', 'HMAC-SHA1'],
  ['oauth_timestamp', '137131201'],
  ['oauth_nonce', '7d8f3e4a'],
  ['c2', ''],
  ['a3', '2 q'],
]
export const RFC_3_4_1_1_BASE_STRING =
  'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q' +
  '%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_' +
  'key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m' +
  'ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk' +
  '9d7dh3k39sjv7'

/** OAuth Core 1.0 Appendix A.5.1 (with oauth_version, unlike RFC 5849's examples). */
export const CORE_A_5_1_BASE_STRING =
  'GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26' +
  'oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh' +
  '%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096' +
  '%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal'

/** RFC 5849 §3.1's request signed with its secrets: r6/TJjbC…, not the bYT5CMsG… printed there (errata 2550). */
export const RFC_3_1_SIGNATURE = {
  secrets: { clientSecret: 'j49sk3j29djd', tokenSecret: 'dh893hdasih9' },
  signature: 'r6/TJjbCOr97/+UU0NsvSne7s5g=',
  printed: 'bYT5CMsGcbgUdFHObYMEfcx6bsw=',
}

/** RFC 5849 §1.2's three requests (HMAC-SHA1, no oauth_version): the parameters signed and the signature. */
export const RFC_1_2: {
  name: string
  method: string
  url: string
  params: [string, string][]
  secrets: { clientSecret: string; tokenSecret?: string }
  baseString?: string
  signature: string
}[] = [
  {
    name: 'temporary credentials (callback signed)',
    method: 'POST',
    url: 'https://photos.example.net/initiate',
    params: [
      ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131200'],
      ['oauth_nonce', 'wIjqoS'],
      ['oauth_callback', 'http://printer.example.com/ready'],
    ],
    secrets: { clientSecret: 'kd94hf93k423kf44' },
    baseString:
      'POST&https%3A%2F%2Fphotos.example.net%2Finitiate&oauth_callback%3Dhttp%253A%252F%252Fprinter.example.com%252Fready%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DwIjqoS%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131200',
    signature: '74KNZJeDHnMBp0EMJ9ZHt/XKycU=',
  },
  {
    name: 'token credentials (verifier, temporary token secret)',
    method: 'POST',
    url: 'https://photos.example.net/token',
    params: [
      ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
      ['oauth_token', 'hh5s93j4hdidpola'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', 'walatlh'],
      ['oauth_verifier', 'hfdp7dh39dks9884'],
    ],
    secrets: { clientSecret: 'kd94hf93k423kf44', tokenSecret: 'hdhd0244k9j7ao03' },
    signature: 'gKgrFCywp7rO0OXSjdot/IHF7IU=',
  },
  {
    name: 'protected resource (query parameters signed)',
    method: 'GET',
    url: 'http://photos.example.net/photos',
    params: [
      ['file', 'vacation.jpg'],
      ['size', 'original'],
      ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
      ['oauth_token', 'nnch734d00sl2jdk'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131202'],
      ['oauth_nonce', 'chapoH'],
    ],
    secrets: { clientSecret: 'kd94hf93k423kf44', tokenSecret: 'pfkkdhi9sl3r4s00' },
    signature: 'MdpQcU8iPSUjWoN/UDMsK2sui9I=',
  },
]

/** OAuth Core 1.0 Appendix A.5: the protected resource request, signed with realm and oauth_version. */
export const CORE_A_5 = {
  request: {
    method: 'GET',
    url: 'http://photos.example.net/photos?file=vacation.jpg&size=original',
  },
  credentials: {
    clientId: 'dpf43f3p2l4k3l03',
    clientSecret: 'kd94hf93k423kf44',
    token: 'nnch734d00sl2jdk',
    tokenSecret: 'pfkkdhi9sl3r4s00',
    realm: 'http://photos.example.net/',
  },
  options: { nonce: 'kllo9940pd9333jh', timestamp: 1191242096 },
  baseString: CORE_A_5_1_BASE_STRING,
  signature: 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=',
  authorization:
    'OAuth realm="http://photos.example.net/", oauth_nonce="kllo9940pd9333jh", oauth_timestamp="1191242096", oauth_version="1.0", oauth_signature_method="HMAC-SHA1", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D"',
}

/** The X example's Authorization header, as signRequest sends it. */
export const TWITTER_AUTHORIZATION =
  'OAuth oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", oauth_timestamp="1318622958", oauth_version="1.0", oauth_signature_method="HMAC-SHA1", oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D"'

/** A 2048-bit PKCS#8 ("BEGIN PRIVATE KEY") test key, and the self-signed certificate of its public key. */
export const TEST_CERT_KEY = readFileSync(
  new URL('./vectors/test-cert-key.pem', import.meta.url),
  'utf8',
)
export const TEST_CERT = readFileSync(new URL('./vectors/test-cert.pem', import.meta.url), 'utf8')
