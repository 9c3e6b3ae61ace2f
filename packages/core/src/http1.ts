/**
 * An HTTP/1.1 answer read from a connection's bytes (RFC 9112), for the
 * token requests' transport on Node (node-http.ts): the status line, the
 * header fields, and the body framed by `Content-Length`, by chunked
 * transfer coding, or by the connection's end. Strict where a lenient reader
 * could take one answer's bytes for another's on a kept-alive connection:
 * anything ambiguous (`Transfer-Encoding` with `Content-Length`, two
 * lengths, a malformed chunk, bare CR or LF, a folded field, bytes after the
 * answer) is an error or ends the connection's reuse.
 * @internal
 */

/** A chunk of bytes as a Node socket gives it (a Buffer), read as Latin-1. */
export interface Chunk extends Uint8Array {
  toString(encoding?: 'latin1', start?: number, end?: number): string
}

/** What the reader tells the one reading the answer. */
export interface AnswerSink {
  /** The head of the final answer (interim 1xx answers are skipped). */
  head(status: number, rawHeaders: string[]): void
  /** Bytes of the body, as framed (still content-coded). */
  body(bytes: Uint8Array): void
  /** The body's end. */
  end(): void
}

/** Why an answer cannot be read: the connection is then unusable. */
export class AnswerError extends Error {
  override name = 'AnswerError'
}

enum Phase {
  Head,
  Length,
  Chunked,
  ChunkData,
  ChunkEnd,
  Trailer,
  UntilClose,
  Done,
}

/** A field name or method: a token (RFC 9110 §5.6.2). */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** A control character other than HTAB, anywhere in a line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/
/** In a head: a control character other than HTAB, or a CR or LF that is not a line's CRLF. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const HEAD_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|(?<!\r)\n/

/** A space or a tab. */
function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09
}
/** The status line: HTTP/1.0 or 1.1, three digits, an optional reason. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [^\x00-\x08\x0a-\x1f\x7f]*)?$/
/** A chunk's size line: hex digits (leading zeros, then at most 13: below 2^52), then optional extensions. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CHUNK_SIZE = /^0*([0-9A-Fa-f]{1,13}|0)[ \t]*(?:;[^\x00-\x08\x0a-\x1f\x7f]*)?$/
/** The longest chunk-size or trailer line read, its CR aside. */
const MAX_LINE = 4096
/** The most interim (1xx) answers read before the final one. */
const MAX_INTERIM = 16

/** True when a comma-separated header value lists `token` (any case). */
function lists(value: string | undefined, token: string): boolean {
  if (value === undefined) return false
  for (const part of value.split(',')) if (part.trim().toLowerCase() === token) return true
  return false
}

/**
 * Reads one answer from the bytes given to {@link push}, in any split. Not
 * reused: one per request.
 */
export class AnswerReader {
  #phase = Phase.Head
  /** The head read so far, or the current chunk-size / trailer line. */
  #text = ''
  #remaining = 0
  #trailerBytes = 0
  #keepAlive = false
  #extra = false
  #seenBytes = false
  #interim = 0
  #failed = false
  readonly #sink: AnswerSink
  readonly #maxHeadBytes: number
  readonly #bodiless: boolean

  /**
   * @param bodiless The request was a HEAD: no answer has a body.
   * @param maxHeadBytes The longest head read (Node's `http.maxHeaderSize`).
   */
  constructor(sink: AnswerSink, maxHeadBytes: number, bodiless = false) {
    this.#sink = sink
    this.#maxHeadBytes = maxHeadBytes
    this.#bodiless = bodiless
  }

  /** Not a byte of an answer has come. */
  get untouched(): boolean {
    return !this.#seenBytes
  }

  /** The head is read (the sink has had `head`). */
  get headRead(): boolean {
    return this.#phase !== Phase.Head
  }

  /** The answer has ended. */
  get done(): boolean {
    return this.#phase === Phase.Done && !this.#failed
  }

  /** The connection may carry another request: the answer ended, framed, with nothing after it. */
  get reusable(): boolean {
    return this.#phase === Phase.Done && this.#keepAlive && !this.#extra && !this.#failed
  }

  /** Reads `chunk`; throws {@link AnswerError} when the bytes are not an HTTP/1.1 answer. */
  push(chunk: Chunk): void {
    if (this.#failed) throw new AnswerError('The answer could not be read before')
    try {
      this.#push(chunk)
    } catch (err) {
      this.#failed = true
      throw err
    }
  }

  #push(chunk: Chunk): void {
    if (chunk.byteLength === 0) return
    this.#seenBytes = true
    let at = 0
    while (at < chunk.byteLength) {
      switch (this.#phase) {
        case Phase.Head:
          at = this.#readHead(chunk, at)
          break
        case Phase.Length:
        case Phase.ChunkData: {
          const n = Math.min(this.#remaining, chunk.byteLength - at)
          this.#sink.body(chunk.subarray(at, at + n))
          at += n
          this.#remaining -= n
          if (this.#remaining === 0) {
            if (this.#phase === Phase.Length) this.#finish()
            else this.#phase = Phase.ChunkEnd
          }
          break
        }
        case Phase.UntilClose:
          this.#sink.body(at === 0 ? chunk : chunk.subarray(at))
          at = chunk.byteLength
          break
        case Phase.Chunked:
        case Phase.ChunkEnd:
        case Phase.Trailer:
          at = this.#readLine(chunk, at)
          break
        case Phase.Done:
          // Bytes after the answer: not a connection to send another request on.
          this.#extra = true
          return
      }
    }
  }

  /**
   * The connection ended (the peer's FIN, or closed): ends a body framed by
   * it; true when that completed the answer, false when the answer was cut
   * short (or never began).
   */
  eof(): boolean {
    if (this.#failed) return false
    if (this.#phase === Phase.UntilClose) {
      this.#finish()
      return true
    }
    return this.#phase === Phase.Done
  }

  #finish(): void {
    this.#phase = Phase.Done
    this.#sink.end()
  }

  #readHead(chunk: Chunk, at: number): number {
    const before = this.#text.length
    // At most what may still belong to the head (and 3 bytes more, to find its end).
    const upTo = Math.min(chunk.byteLength, at + this.#maxHeadBytes + 4 - before)
    this.#text += chunk.toString('latin1', at, upTo)
    const end = this.#text.indexOf('\r\n\r\n', before < 3 ? 0 : before - 3)
    if (end === -1) {
      // Up to 3 of the bytes read may begin the head's closing CRLF CRLF.
      if (this.#text.length - 3 > this.#maxHeadBytes) {
        throw new AnswerError(`The answer's head is longer than ${this.#maxHeadBytes} bytes`)
      }
      return upTo
    }
    // Found within what was read: at most maxHeadBytes in.
    const head = this.#text.slice(0, end)
    this.#text = ''
    this.#parseHead(head)
    return at + (end + 4 - before)
  }

  #parseHead(head: string): void {
    // A control character (HTAB aside) anywhere, or a CR or LF not paired as a line's end.
    const bad = HEAD_CONTROL.exec(head)
    if (bad !== null) {
      const line = head.slice(head.lastIndexOf('\n', bad.index - 1) + 1, bad.index)
      throw new AnswerError(
        `The answer's head has a control character or a bare CR or LF, after ${JSON.stringify(line.slice(-40))}`,
      )
    }
    let eol = head.indexOf('\r\n')
    if (eol === -1) eol = head.length
    const statusLine = head.slice(0, eol)
    const status = STATUS_LINE.exec(statusLine)
    if (status === null) {
      throw new AnswerError(
        `The answer does not begin with an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 40))}`,
      )
    }
    const code = Number(status[2])
    const raw: string[] = []
    let contentLength: string | undefined
    let lengths = 0
    let transferEncoding: string | undefined
    let connection: string | undefined
    for (let start = eol + 2; start < head.length; start = eol + 2) {
      eol = head.indexOf('\r\n', start)
      if (eol === -1) eol = head.length
      const colon = head.indexOf(':', start)
      const name = colon === -1 || colon > eol ? '' : head.slice(start, colon)
      if (!TOKEN.test(name)) {
        const line = head.slice(start, eol)
        throw new AnswerError(
          line[0] === ' ' || line[0] === '\t'
            ? 'The answer folds a header field over two lines'
            : `The answer has a malformed header line: ${JSON.stringify(line.slice(0, 40))}`,
        )
      }
      // The value without the spaces and tabs around it.
      let from = colon + 1
      let to = eol
      while (from < to && isBlank(head.charCodeAt(from))) from++
      while (to > from && isBlank(head.charCodeAt(to - 1))) to--
      const value = head.slice(from, to)
      raw.push(name, value)
      switch (
        name.length === 14 || name.length === 17 || name.length === 10 ? name.toLowerCase() : ''
      ) {
        case 'content-length':
          contentLength = value
          lengths++
          break
        case 'transfer-encoding':
          transferEncoding =
            transferEncoding === undefined ? value : `${transferEncoding}, ${value}`
          break
        case 'connection':
          connection = connection === undefined ? value : `${connection}, ${value}`
          break
      }
    }
    if (code < 200) {
      if (code === 101) {
        throw new AnswerError('The provider answered 101 Switching Protocols to a token request')
      }
      // An interim answer (100 Continue, 103 Early Hints): the final one follows.
      if (++this.#interim > MAX_INTERIM) {
        throw new AnswerError(
          `The answer began with more than ${MAX_INTERIM} interim (1xx) answers`,
        )
      }
      return
    }
    const http10 = status[1] === '0'
    // `close` wins over `keep-alive` (RFC 9112 §9.3); HTTP/1.0 keeps a connection only when asked.
    this.#keepAlive = !lists(connection, 'close') && (!http10 || lists(connection, 'keep-alive'))
    // The framing, checked before the head is given: an answer framed two ways is no answer.
    let next: Phase
    if (transferEncoding !== undefined && contentLength !== undefined) {
      throw new AnswerError('The answer has both Transfer-Encoding and Content-Length')
    }
    if (lengths > 1) throw new AnswerError('The answer has Content-Length twice')
    if (contentLength !== undefined && !/^\d{1,15}$/.test(contentLength)) {
      throw new AnswerError(
        `The answer's Content-Length is not a length: ${JSON.stringify(contentLength.slice(0, 40))}`,
      )
    }
    if (this.#bodiless || code === 204 || code === 304) {
      // No body, whatever its framing says (a 304's Content-Length is the 200's); a
      // connection whose answer names a body it did not send is not used again.
      if (
        transferEncoding !== undefined ||
        (contentLength !== undefined && Number(contentLength) !== 0)
      ) {
        this.#keepAlive = false
      }
      next = Phase.Done
    } else if (transferEncoding !== undefined) {
      const codings = transferEncoding.split(',').map((c) => c.trim().toLowerCase())
      const chunked = codings.indexOf('chunked')
      if (chunked !== -1 && chunked !== codings.length - 1) {
        throw new AnswerError('The answer applies chunked before another transfer coding')
      }
      if (chunked === -1 || http10) {
        // Not chunked last (or chunked in HTTP/1.0): the body runs to the connection's end (RFC 9112 §6.3).
        this.#keepAlive = false
        next = Phase.UntilClose
      } else next = Phase.Chunked
    } else if (contentLength !== undefined) {
      this.#remaining = Number(contentLength)
      next = this.#remaining === 0 ? Phase.Done : Phase.Length
    } else {
      this.#keepAlive = false
      next = Phase.UntilClose
    }
    this.#sink.head(code, raw)
    if (next === Phase.Done) this.#finish()
    else this.#phase = next
  }

  /** Reads a chunk-size line, the CRLF after a chunk's data, or a trailer line. */
  #readLine(chunk: Chunk, at: number): number {
    const lf = chunk.indexOf(10, at)
    const stop = lf === -1 ? chunk.byteLength : lf
    this.#text += chunk.toString('latin1', at, stop)
    if (this.#text.length > MAX_LINE + 1) {
      throw new AnswerError('The answer has a chunk line longer than 4096 bytes')
    }
    if (lf === -1) return chunk.byteLength
    const text = this.#text
    this.#text = ''
    if (text[text.length - 1] !== '\r' || text.indexOf('\r') !== text.length - 1) {
      throw new AnswerError('The answer has a bare CR or LF in its chunked body')
    }
    const line = text.slice(0, -1)
    if (this.#phase === Phase.ChunkEnd) {
      if (line !== '') throw new AnswerError("The answer's chunk is longer than its size")
      this.#phase = Phase.Chunked
    } else if (this.#phase === Phase.Chunked) {
      const size = CHUNK_SIZE.exec(line)
      if (size === null) {
        throw new AnswerError(
          `The answer has a malformed chunk size: ${JSON.stringify(line.slice(0, 40))}`,
        )
      }
      this.#remaining = Number.parseInt(size[1] as string, 16)
      this.#phase = this.#remaining === 0 ? Phase.Trailer : Phase.ChunkData
    } else if (line === '') {
      this.#finish()
    } else {
      // A trailer field: checked as a header line, then dropped (fetch does not give them either).
      this.#trailerBytes += line.length + 2
      const colon = line.indexOf(':')
      if (colon < 1 || !TOKEN.test(line.slice(0, colon)) || CONTROL.test(line)) {
        throw new AnswerError(
          `The answer has a malformed trailer line: ${JSON.stringify(line.slice(0, 40))}`,
        )
      }
      if (this.#trailerBytes > this.#maxHeadBytes) {
        throw new AnswerError(`The answer's trailer is longer than ${this.#maxHeadBytes} bytes`)
      }
    }
    return lf + 1
  }
}
