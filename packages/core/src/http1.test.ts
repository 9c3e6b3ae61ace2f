/**
 * AnswerReader (http1.ts): the HTTP/1.1 answers of the token requests'
 * transport on Node, read from bytes as a socket gives them (Buffers, in any
 * split). On a kept-alive connection a lenient or wrong reader could take one
 * answer's bytes for the next request's answer, so besides the framings these
 * tests pin down what is refused (always an AnswerError naming the problem,
 * never `end()` after it) and when the connection may be reused.
 *
 * The properties (fast-check) print `{ seed, path }` when they fail; replay
 * with FC_SEED / FC_PATH (see test/fast-check.ts).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AnswerError, AnswerReader, type AnswerSink } from './http1.js'

/** Node's default `http.maxHeaderSize`. */
const MAX = 16_384

type Event = ['head', number, string[]] | ['body', string] | ['end']

/**
 * A sink recording what the reader tells it, the body's pieces joined (as
 * Latin-1, a char per byte) so that any split of the same bytes records the
 * same. A call out of order (a second head, a body before the head or after
 * the end, an empty body, a second end) throws a plain Error, never an
 * AnswerError: the tests then see an exception of the wrong type.
 */
class Recorder implements AnswerSink {
  readonly events: Event[] = []
  #headed = false
  #ended = false

  head(status: number, rawHeaders: string[]): void {
    if (this.#headed) throw new Error('sink: head() twice')
    this.#headed = true
    this.events.push(['head', status, [...rawHeaders]])
  }

  body(bytes: Uint8Array): void {
    if (!this.#headed) throw new Error('sink: body() before head()')
    if (this.#ended) throw new Error('sink: body() after end()')
    if (bytes.byteLength === 0) throw new Error('sink: an empty body()')
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
    const last = this.events[this.events.length - 1]
    if (last?.[0] === 'body') last[1] += text
    else this.events.push(['body', text])
  }

  end(): void {
    if (!this.#headed) throw new Error('sink: end() before head()')
    if (this.#ended) throw new Error('sink: end() twice')
    this.#ended = true
    this.events.push(['end'])
  }
}

/** How the bytes are pushed: at once, a byte at a time, or cut at these offsets (modulo the length; empty pieces kept). */
type Split = 'whole' | 'bytes' | readonly number[]

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1')

/** `buf` in pieces, each a view of it (as a socket's chunks can be views of a pool). */
function pieces(buf: Buffer, split: Split): Buffer[] {
  if (split === 'whole') return [buf]
  if (split === 'bytes') return Array.from({ length: buf.length }, (_, i) => buf.subarray(i, i + 1))
  const cuts = split.map((c) => c % (buf.length + 1)).sort((a, b) => a - b)
  const out: Buffer[] = []
  let from = 0
  for (const cut of cuts) {
    out.push(buf.subarray(from, cut))
    from = cut
  }
  out.push(buf.subarray(from))
  return out
}

interface Options {
  split?: Split
  max?: number
  bodiless?: boolean
  /** Calls eof() after the bytes (the connection's end), after an error too. */
  eof?: boolean
}

interface Outcome {
  events: Event[]
  /** What push threw, if anything (the pushes stop there). */
  error: unknown
  /** `done` once the bytes are pushed, before any eof(). */
  doneBeforeEof: boolean
  /** eof()'s result, when called. */
  eof: boolean | undefined
  done: boolean
  reusable: boolean
  headRead: boolean
  untouched: boolean
}

function read(input: string | Uint8Array, options: Options = {}): Outcome {
  const { split = 'whole', max = MAX, bodiless = false, eof = false } = options
  const buf = typeof input === 'string' ? latin1(input) : Buffer.from(input)
  const sink = new Recorder()
  const reader = new AnswerReader(sink, max, bodiless)
  let error: unknown
  try {
    for (const piece of pieces(buf, split)) reader.push(piece)
  } catch (err) {
    error = err
  }
  const doneBeforeEof = reader.done
  const ended = eof ? reader.eof() : undefined
  return {
    events: sink.events,
    error,
    doneBeforeEof,
    eof: ended,
    done: reader.done,
    reusable: reader.reusable,
    headRead: reader.headRead,
    untouched: reader.untouched,
  }
}

/** The outcome of an answer read whole, byte by byte and in a few other splits: the same in each. */
function readAnyhow(input: string | Uint8Array, options: Omit<Options, 'split'> = {}): Outcome {
  const whole = read(input, { ...options, split: 'whole' })
  for (const split of ['bytes', [1], [7, 8, 30], [0, 0, 3]] as const) {
    expect(read(input, { ...options, split })).toEqual(whole)
  }
  return whole
}

/** The AnswerError the bytes end in, read whole and byte by byte: no end(), not done, not reusable, eof() false after. */
function refusal(input: string | Uint8Array, options: Omit<Options, 'split' | 'eof'> = {}) {
  const errors: AnswerError[] = []
  for (const split of ['whole', 'bytes'] as const) {
    const out = read(input, { ...options, split, eof: true })
    expect(out.error).toBeInstanceOf(AnswerError)
    expect((out.error as Error).name).toBe('AnswerError')
    expect(out.events.filter((e) => e[0] === 'end')).toEqual([])
    expect(out.done).toBe(false)
    expect(out.reusable).toBe(false)
    expect(out.eof).toBe(false)
    errors.push(out.error as AnswerError)
  }
  expect(errors[1]?.message).toBe(errors[0]?.message)
  return errors[0] as AnswerError
}

/** As {@link refusal}, the sink having had nothing at all: no head (the answer refused before it is told). */
function refusedBeforeHead(
  input: string | Uint8Array,
  options: Omit<Options, 'split' | 'eof'> = {},
) {
  const err = refusal(input, options)
  for (const split of ['whole', 'bytes'] as const) {
    const out = read(input, { ...options, split })
    expect(out.events).toEqual([])
    expect(out.headRead).toBe(false)
  }
  return err
}

const head = (status: number, ...raw: string[]): Event => ['head', status, raw]
const body = (text: string): Event => ['body', text]
const END: Event = ['end']

describe('AnswerReader: Content-Length', () => {
  it('reads a body of the stated length, then the answer is done and reusable', () => {
    const out = readAnyhow(
      'HTTP/1.1 200 OK\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n\r\noauth_token',
      { eof: true },
    )
    expect(out.events).toEqual([
      head(200, 'Content-Type', 'application/x-www-form-urlencoded', 'Content-Length', '11'),
      body('oauth_token'),
      END,
    ])
    expect(out).toMatchObject({ error: undefined, doneBeforeEof: true, eof: true, reusable: true })
  })

  it('Content-Length: 0 ends the answer with its head', () => {
    const out = readAnyhow('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n')
    expect(out.events).toEqual([head(401, 'Content-Length', '0'), END])
    expect(out.reusable).toBe(true)
  })

  it('takes the name in any case, leading zeros and whitespace around the value', () => {
    const out = readAnyhow('HTTP/1.1 200 OK\r\ncONTENT-lENGTH: \t0003 \r\n\r\nabc')
    expect(out.events).toEqual([head(200, 'cONTENT-lENGTH', '0003'), body('abc'), END])
    expect(out.reusable).toBe(true)
  })

  it('keeps every byte of the body, non-ASCII, CR, LF and NUL included', () => {
    const bytes = Buffer.from([...latin1('HTTP/1.1 200 OK\r\nContent-Length: 256\r\n\r\n')])
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i))
    const out = readAnyhow(Buffer.concat([bytes, all]))
    expect(out.events).toEqual([
      head(200, 'Content-Length', '256'),
      body(all.toString('latin1')),
      END,
    ])
  })

  it('a body that looks like an answer is a body', () => {
    const inner = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'
    const out = readAnyhow(`HTTP/1.1 200 OK\r\nContent-Length: ${inner.length}\r\n\r\n${inner}`)
    expect(out.events).toEqual([
      head(200, 'Content-Length', String(inner.length)),
      body(inner),
      END,
    ])
    expect(out.reusable).toBe(true)
  })

  it('waits for the rest of the body; the connection ending first cuts it short', () => {
    const out = readAnyhow('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', { eof: true })
    expect(out.events).toEqual([head(200, 'Content-Length', '10'), body('abc')])
    expect(out).toMatchObject({ error: undefined, done: false, eof: false, reusable: false })
    expect(out.headRead).toBe(true)
  })

  it('the 15-digit lengths are read, not rounded (the body is waited for)', () => {
    const out = read('HTTP/1.1 200 OK\r\nContent-Length: 999999999999999\r\n\r\nabc')
    expect(out.events).toEqual([head(200, 'Content-Length', '999999999999999'), body('abc')])
    expect(out.done).toBe(false)
  })
})

describe('AnswerReader: the head', () => {
  it('gives the raw headers in order: names as sent, values without the whitespace around them, duplicates kept', () => {
    const out = readAnyhow(
      'HTTP/1.1 200 OK\r\nX-One:a\r\nx-one:  b c \t\r\nEmpty:\r\nBlank: \t \r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n',
    )
    expect(out.events).toEqual([
      head(
        200,
        'X-One',
        'a',
        'x-one',
        'b c',
        'Empty',
        '',
        'Blank',
        '',
        'Set-Cookie',
        'a=1',
        'Set-Cookie',
        'b=2',
        'Content-Length',
        '0',
      ),
      END,
    ])
  })

  it('reads header bytes as Latin-1 (obs-text kept, a char per byte)', () => {
    const bytes = Buffer.concat([
      latin1('HTTP/1.1 200 Ça va\r\nX-Name: '),
      Buffer.from('Zoë 😀', 'utf8'),
      latin1('\r\nContent-Length: 0\r\n\r\n'),
    ])
    const out = readAnyhow(bytes)
    expect(out.events).toEqual([
      head(200, 'X-Name', Buffer.from('Zoë 😀', 'utf8').toString('latin1'), 'Content-Length', '0'),
      END,
    ])
  })

  it('takes any reason phrase, an empty one, or none', () => {
    for (const line of [
      'HTTP/1.1 200 OK',
      'HTTP/1.1 200 ',
      'HTTP/1.1 200',
      'HTTP/1.1 404 Not\tFound here',
    ]) {
      const out = readAnyhow(`${line}\r\nContent-Length: 0\r\n\r\n`)
      expect(out.events[0]?.[1]).toBe(Number(line.slice(9, 12)))
      expect(out.done).toBe(true)
    }
  })

  it('takes HTTP/1.0 answers', () => {
    const out = readAnyhow('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok')
    expect(out.events).toEqual([head(200, 'Content-Length', '2'), body('ok'), END])
  })

  it('untouched, headRead and done as the bytes come', () => {
    const sink = new Recorder()
    const reader = new AnswerReader(sink, MAX)
    expect([reader.untouched, reader.headRead, reader.done, reader.reusable]).toEqual([
      true,
      false,
      false,
      false,
    ])
    reader.push(Buffer.alloc(0))
    expect(reader.untouched).toBe(true)
    reader.push(latin1('HTTP/1.1 200 OK\r\nContent-Le'))
    expect([reader.untouched, reader.headRead, reader.done]).toEqual([false, false, false])
    reader.push(latin1('ngth: 2\r\n\r\n'))
    expect([reader.headRead, reader.done, reader.reusable]).toEqual([true, false, false])
    reader.push(latin1('o'))
    expect(reader.done).toBe(false)
    reader.push(latin1('k'))
    expect([reader.headRead, reader.done, reader.reusable]).toEqual([true, true, true])
    expect(reader.eof()).toBe(true)
    expect(sink.events).toEqual([head(200, 'Content-Length', '2'), body('ok'), END])
  })

  it('an empty connection, or a head cut short, is not an answer at its end', () => {
    expect(read('', { eof: true })).toMatchObject({ eof: false, untouched: true, events: [] })
    const out = read('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r', { eof: true, split: 'bytes' })
    expect(out).toMatchObject({ eof: false, untouched: false, headRead: false, events: [] })
  })

  it('a head ended by bare LFs is not taken as an answer (it waits, and the end cuts it short)', () => {
    const out = read('HTTP/1.1 200 OK\nContent-Length: 0\n\n', { eof: true })
    expect(out).toMatchObject({ error: undefined, eof: false, headRead: false, events: [] })
  })
})

describe('AnswerReader: chunked', () => {
  it('reads several chunks: hex in either case, leading zeros, extensions, trailers (dropped)', () => {
    const out = readAnyhow(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '5\r\nhello\r\n' +
        '1;name=value\r\n \r\n' +
        'A ; quoted="a;b\\"c" ;x\r\n0123456789\r\n' +
        'a\t;ext\r\nabcdefghij\r\n' +
        '0000F\r\n\r\n\r\n\r\n\r\n\r\n\r\nxyz\r\n' +
        '0;last=1\r\nExpires: never\r\nX-Sum:\t1234 \r\n\r\n',
      { eof: true },
    )
    expect(out.events).toEqual([
      head(200, 'Transfer-Encoding', 'chunked'),
      body('hello 0123456789abcdefghij\r\n\r\n\r\n\r\n\r\n\r\nxyz'),
      END,
    ])
    expect(out).toMatchObject({ doneBeforeEof: true, eof: true, reusable: true })
  })

  it('chunk data holding CRLFs, a last chunk or an answer is data', () => {
    const data = '0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n'
    const out = readAnyhow(
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${data.length.toString(16)}\r\n${data}\r\n0\r\n\r\n`,
    )
    expect(out.events).toEqual([head(200, 'Transfer-Encoding', 'chunked'), body(data), END])
    expect(out.reusable).toBe(true)
  })

  it('an empty chunked body', () => {
    const out = readAnyhow('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')
    expect(out.events).toEqual([head(200, 'Transfer-Encoding', 'chunked'), END])
    expect(out.reusable).toBe(true)
  })

  it('chunked last after other codings, in any case and over several fields; the body still coded', () => {
    for (const fields of [
      ['Transfer-Encoding: gzip, chunked'],
      ['Transfer-Encoding: CHUNKED'],
      ['Transfer-Encoding: gzip', 'transfer-encoding: Chunked'],
      ['Transfer-Encoding: gzip ,\tchunked'],
    ]) {
      const out = readAnyhow(
        `HTTP/1.1 200 OK\r\n${fields.join('\r\n')}\r\n\r\n3\r\n\x1f\x8b\x08\r\n0\r\n\r\n`,
      )
      expect(out.events[1]).toEqual(body('\x1f\x8b\x08'))
      expect(out.events[2]).toEqual(END)
      expect(out.reusable).toBe(true)
    }
  })

  it('is not done until the CRLF after the trailers; the connection ending first cuts it short', () => {
    for (const cut of [
      '5\r\nhel',
      '5\r\nhello',
      '5\r\nhello\r\n0\r\n',
      '5\r\nhello\r\n0\r\nX: y\r\n',
    ]) {
      const out = read(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${cut}`, { eof: true })
      expect(out).toMatchObject({ error: undefined, headRead: true, done: false, eof: false })
    }
  })

  it('a chunk size of any number of leading zeros, then up to 13 hex digits, is taken (the data is waited for)', () => {
    for (const size of [
      'fffffffffffff',
      'FFFFFFFFFFFFF',
      '0fffffffffffff',
      `${'0'.repeat(40)}1ffffffffffff`,
    ]) {
      const out = read(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\nabc`)
      expect(out.error, size).toBeUndefined()
      expect(out.events).toEqual([head(200, 'Transfer-Encoding', 'chunked'), body('abc')])
      expect(out.done).toBe(false)
    }
  })

  it('leading zeros do not count toward the 13 digits: 0000000000000005 is a chunk of 5', () => {
    for (const size of ['0000000000000005', `${'0'.repeat(100)}5`]) {
      const out = readAnyhow(
        `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\nhello\r\n${'0'.repeat(20)}\r\n\r\n`,
      )
      expect(out.error).toBeUndefined()
      expect(out.events).toEqual([head(200, 'Transfer-Encoding', 'chunked'), body('hello'), END])
      expect(out.reusable).toBe(true)
    }
  })

  it('chunk-size and trailer lines of 4096 bytes (the CR aside) are read', () => {
    const ext = `;x=${'e'.repeat(4096 - 4)}`
    const trailer = `X-Long: ${'t'.repeat(4096 - 8)}`
    expect(`1${ext}`).toHaveLength(4096)
    expect(trailer).toHaveLength(4096)
    const out = readAnyhow(
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1${ext}\r\na\r\n0\r\n${trailer}\r\n\r\n`,
    )
    expect(out.error).toBeUndefined()
    expect(out.events).toEqual([head(200, 'Transfer-Encoding', 'chunked'), body('a'), END])
    expect(out.reusable).toBe(true)
  })
})

describe('AnswerReader: a body running to the connection’s end', () => {
  it('no Content-Length nor Transfer-Encoding: the body runs to eof(), the connection not reusable', () => {
    const out = readAnyhow(
      'HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\noauth_token=t\r\n\r\nHTTP/1.1 200 OK',
      {
        eof: true,
      },
    )
    expect(out.events).toEqual([
      head(200, 'Connection', 'keep-alive'),
      body('oauth_token=t\r\n\r\nHTTP/1.1 200 OK'),
      END,
    ])
    expect(out).toMatchObject({ doneBeforeEof: false, done: true, eof: true, reusable: false })
  })

  it('an empty body ended by eof()', () => {
    const out = readAnyhow('HTTP/1.1 500 Internal Server Error\r\n\r\n', { eof: true })
    expect(out.events).toEqual([head(500), END])
    expect(out).toMatchObject({ doneBeforeEof: false, eof: true, reusable: false })
  })

  it('a transfer coding without chunked last runs to the end (RFC 9112 §6.3), the body as sent', () => {
    const out = readAnyhow(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      {
        eof: true,
      },
    )
    expect(out.events).toEqual([
      head(200, 'Transfer-Encoding', 'gzip'),
      body('5\r\nhello\r\n0\r\n\r\n'),
      END,
    ])
    expect(out).toMatchObject({ doneBeforeEof: false, eof: true, reusable: false })
  })

  it('chunked in an HTTP/1.0 answer is not read as chunked: the body runs to the end, not reusable', () => {
    const out = readAnyhow(
      'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      { eof: true },
    )
    expect(out.events).toEqual([
      head(200, 'Connection', 'keep-alive', 'Transfer-Encoding', 'chunked'),
      body('5\r\nhello\r\n0\r\n\r\n'),
      END,
    ])
    expect(out).toMatchObject({ doneBeforeEof: false, eof: true, reusable: false })
  })

  it('eof() a second time changes nothing', () => {
    const sink = new Recorder()
    const reader = new AnswerReader(sink, MAX)
    reader.push(latin1('HTTP/1.1 200 OK\r\n\r\nabc'))
    expect(reader.eof()).toBe(true)
    expect(reader.eof()).toBe(true)
    expect(sink.events).toEqual([head(200), body('abc'), END])
  })
})

describe('AnswerReader: answers without a body', () => {
  it.each([204, 304])(
    'a %d ends with its head, whatever Content-Length or Transfer-Encoding say',
    (status) => {
      for (const field of [
        '',
        'Content-Length: 0\r\n',
        'Content-Length: 000\r\n',
        'Content-Length: 120\r\n',
        'Transfer-Encoding: chunked\r\n',
        'Transfer-Encoding: chunked, gzip\r\n',
        'Transfer-Encoding: gzip\r\n',
      ]) {
        const out = readAnyhow(`HTTP/1.1 ${status} X\r\n${field}\r\n`, { eof: true })
        expect(out.events, field).toHaveLength(2)
        expect(out.events[1]).toEqual(END)
        expect(out).toMatchObject({ error: undefined, doneBeforeEof: true, eof: true })
      }
    },
  )

  it.each([204, 304])(
    'a %d is reusable without framing or with Content-Length: 0, not when it names a body (a length, a transfer coding)',
    (status) => {
      for (const [field, reusable] of [
        ['', true],
        ['Content-Length: 0\r\n', true],
        ['Content-Length: 000\r\n', true],
        ['Content-Length: 1\r\n', false],
        ['Content-Length: 120\r\n', false],
        ['Transfer-Encoding: chunked\r\n', false],
        ['Transfer-Encoding: gzip\r\n', false],
        ['Transfer-Encoding:\r\n', false],
      ] as const) {
        const out = readAnyhow(`HTTP/1.1 ${status} X\r\n${field}\r\n`)
        expect(out.done).toBe(true)
        expect(out.reusable, field).toBe(reusable)
      }
    },
  )

  it('the answer to a HEAD ends with its head, whatever its status and framing; reusable only when it names no body', () => {
    for (const [status, field, reusable] of [
      [200, 'Content-Length: 120\r\n', false],
      [200, 'Transfer-Encoding: chunked\r\n', false],
      [200, 'Transfer-Encoding: chunked, gzip\r\n', false],
      [200, '', true],
      [200, 'Content-Length: 0\r\n', true],
      [404, 'Content-Length: 9\r\n', false],
      [404, 'Content-Length: 0\r\n', true],
    ] as const) {
      const out = readAnyhow(`HTTP/1.1 ${status} X\r\n${field}\r\n`, { bodiless: true })
      expect(out.events).toHaveLength(2)
      expect(out.events[1]).toEqual(END)
      expect(out.done).toBe(true)
      expect(out.reusable, `${status} ${field}`).toBe(reusable)
    }
  })

  it('ambiguous or malformed framing is refused on them too, before any head', () => {
    for (const [status, bodiless] of [
      [204, false],
      [304, false],
      [200, true],
    ] as const) {
      for (const [field, message] of [
        [
          'Transfer-Encoding: chunked\r\nContent-Length: 0',
          /both Transfer-Encoding and Content-Length/,
        ],
        ['Content-Length: 0\r\nContent-Length: 0', /Content-Length twice/],
        ['Content-Length: 5\r\ncontent-length: 7', /Content-Length twice/],
        ['Content-Length: -1', /Content-Length is not a length: "-1"/],
        ['Content-Length: 0, 0', /Content-Length is not a length: "0, 0"/],
        ['Content-Length: 1234567890123456', /Content-Length is not a length/],
      ] as const) {
        const bytes = `HTTP/1.1 ${status} X\r\n${field}\r\n\r\n`
        expect(refusedBeforeHead(bytes, { bodiless }).message).toMatch(message)
      }
    }
  })

  it('body bytes sent anyway after such an answer make it not reusable', () => {
    // framed as no body (reusable without the bytes), the bytes alone make the difference
    const a = readAnyhow('HTTP/1.1 204 No Content\r\n\r\nhello')
    expect(a.events).toEqual([head(204), END])
    expect(a).toMatchObject({ done: true, reusable: false })
    const b = readAnyhow('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nhello', { bodiless: true })
    expect(b.events).toEqual([head(200, 'Content-Length', '0'), END])
    expect(b).toMatchObject({ done: true, reusable: false })
    // the body its Content-Length names, sent anyway
    const c = readAnyhow('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello')
    expect(c.events).toEqual([head(204, 'Content-Length', '5'), END])
    expect(c).toMatchObject({ done: true, reusable: false })
    const d = readAnyhow('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', { bodiless: true })
    expect(d.events).toEqual([head(200, 'Content-Length', '5'), END])
    expect(d).toMatchObject({ done: true, reusable: false })
  })
})

describe('AnswerReader: interim answers', () => {
  it('skips 100 Continue and 103 Early Hints, their headers and framing, before the final answer', () => {
    const out = readAnyhow(
      'HTTP/1.1 100 Continue\r\n\r\n' +
        'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nContent-Length: 99\r\n\r\n' +
        'HTTP/1.1 102 Processing\r\nTransfer-Encoding: chunked\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
      { eof: true },
    )
    expect(out.events).toEqual([head(200, 'Content-Length', '2'), body('ok'), END])
    expect(out.reusable).toBe(true)
  })

  it('an interim answer alone is not an answer: head not read, and cut short at the end', () => {
    const out = readAnyhow('HTTP/1.1 100 Continue\r\n\r\n', { eof: true })
    expect(out).toMatchObject({
      events: [],
      untouched: false,
      headRead: false,
      done: false,
      eof: false,
    })
  })

  it('skips interim answers before the answer to a HEAD too', () => {
    const out = readAnyhow(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
      { bodiless: true },
    )
    expect(out.events).toEqual([head(200, 'Content-Length', '0'), END])
    expect(out.reusable).toBe(true)
    // its Content-Length naming the body a GET would have had: no body, not reusable
    const named = readAnyhow(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n',
      { bodiless: true },
    )
    expect(named.events).toEqual([head(200, 'Content-Length', '7'), END])
    expect(named).toMatchObject({ done: true, reusable: false })
  })

  it('reads up to 16 interim answers before the final one; a 17th is refused, before any head', () => {
    const interim = (n: number) =>
      Array.from({ length: n }, (_, i) => `HTTP/1.1 ${i % 2 === 0 ? 100 : 103} X\r\n\r\n`).join('')
    const final = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
    const sixteen = readAnyhow(`${interim(16)}${final}`, { eof: true })
    expect(sixteen.events).toEqual([head(200, 'Content-Length', '2'), body('ok'), END])
    expect(sixteen).toMatchObject({ error: undefined, doneBeforeEof: true, reusable: true })
    for (const n of [17, 18, 100]) {
      const err = refusedBeforeHead(`${interim(n)}${final}`)
      expect(err.message).toMatch(/more than 16 interim \(1xx\) answers/)
    }
    // refused as the 17th comes, not waiting for the final answer
    expect(refusedBeforeHead(interim(17)).message).toMatch(/more than 16 interim/)
  })

  it('refuses 101 Switching Protocols, before telling any head', () => {
    const err = refusal(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    )
    expect(err.message).toMatch(/101 Switching Protocols/)
    const after = read('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 Switching Protocols\r\n\r\n')
    expect(after.error).toBeInstanceOf(AnswerError)
    expect(after.events).toEqual([])
  })

  it('each head, interim or final, has maxHeadBytes of its own', () => {
    const interim = `HTTP/1.1 103 Early Hints\r\nLink: ${'l'.repeat(30)}`
    const final = `HTTP/1.1 200 OK\r\nX: ${'x'.repeat(20)}\r\nContent-Length: 0`
    expect(interim.length).toBeLessThanOrEqual(64)
    expect(final.length).toBeLessThanOrEqual(64)
    const out = read(`${interim}\r\n\r\n${final}\r\n\r\n`, { max: 64 })
    expect(out.error).toBeUndefined()
    expect(out.done).toBe(true)
    const long = `HTTP/1.1 103 Early Hints\r\nLink: ${'l'.repeat(64)}\r\n\r\nHTTP/1.1 200 OK\r\n\r\n`
    expect(refusal(long, { max: 64 }).message).toMatch(/head is longer than 64 bytes/)
  })
})

describe('AnswerReader: keep-alive (reusable)', () => {
  const cases: [version: string, connection: string[], reusable: boolean][] = [
    ['1.1', [], true],
    ['1.1', ['keep-alive'], true],
    ['1.1', ['close'], false],
    ['1.1', ['Close'], false],
    ['1.1', ['Upgrade, close'], false],
    ['1.1', ['upgrade', 'CLOSE'], false],
    ['1.1', ['keep-alive, close'], false],
    ['1.1', ['close, keep-alive'], false],
    ['1.1', ['keep-alive', 'close'], false],
    ['1.1', [' ,close ,'], false],
    ['1.1', ['closed', 'x-close'], true],
    ['1.0', [], false],
    ['1.0', ['keep-alive'], true],
    ['1.0', ['Keep-Alive'], true],
    ['1.0', ['TE, keep-alive'], true],
    ['1.0', ['te', 'keep-alive'], true],
    ['1.0', ['close'], false],
    ['1.0', ['x-keep-alive'], false],
    // close wins over keep-alive (RFC 9112 §9.3), in one field or two, in any order
    ['1.0', ['keep-alive, close'], false],
    ['1.0', ['close, Keep-Alive'], false],
    ['1.0', ['keep-alive', 'close'], false],
    ['1.0', ['CLOSE', 'keep-alive'], false],
  ]
  const framings: [name: string, framing: string, rest: string, bodiless?: boolean][] = [
    ['Content-Length', 'Content-Length: 2\r\n', 'ok'],
    ['a 204', '', ''],
    ['a 204 with Content-Length: 0', 'Content-Length: 0\r\n', ''],
    ['a HEAD', 'Content-Length: 0\r\n', '', true],
    ['a HEAD without framing', '', '', true],
  ]

  it.each(cases)('HTTP/%s, Connection: %j → reusable %s', (version, connection, reusable) => {
    const fields = connection.map((c) => `Connection: ${c}\r\n`).join('')
    for (const [name, framing, rest, bodiless] of framings) {
      const status = name.startsWith('a 204') ? 204 : 200
      const out = readAnyhow(`HTTP/${version} ${status} X\r\n${fields}${framing}\r\n${rest}`, {
        bodiless: bodiless === true,
      })
      expect(out.done).toBe(true)
      expect(out.reusable, name).toBe(reusable)
    }
    if (version === '1.1') {
      const out = readAnyhow(
        `HTTP/1.1 200 OK\r\n${fields}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      )
      expect(out.reusable, 'chunked').toBe(reusable)
    }
    // a bodiless answer that names a body is never reusable, whatever Connection says
    for (const framing of ['Content-Length: 3\r\n', 'Transfer-Encoding: chunked\r\n']) {
      const out = readAnyhow(`HTTP/${version} 304 X\r\n${fields}${framing}\r\n`)
      expect(out.done).toBe(true)
      expect(out.reusable, `304 ${framing}`).toBe(false)
    }
  })
})

describe('AnswerReader: bytes after the answer', () => {
  const answers: [name: string, bytes: string][] = [
    ['Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
    ['chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'],
    ['Content-Length: 0', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
    ['a 304', 'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n'],
    ['a 204 with Content-Length: 0', 'HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n'],
  ]

  it.each(answers)(
    '%s: done, the answer intact, not reusable, whatever the bytes',
    (_name, answer) => {
      const whole = read(answer)
      expect(whole.reusable).toBe(true)
      for (const extra of ['\r\n', 'H', '\0', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n']) {
        const out = readAnyhow(answer + extra, { eof: true })
        expect(out.events).toEqual(whole.events)
        expect(out).toMatchObject({
          error: undefined,
          done: true,
          doneBeforeEof: true,
          eof: true,
          reusable: false,
        })
      }
    },
  )

  it('in a later push too', () => {
    const sink = new Recorder()
    const reader = new AnswerReader(sink, MAX)
    reader.push(latin1('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'))
    expect(reader.reusable).toBe(true)
    reader.push(Buffer.alloc(0))
    expect(reader.reusable).toBe(true)
    reader.push(latin1('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'))
    expect(reader.reusable).toBe(false)
    expect(sink.events).toEqual([head(200, 'Content-Length', '0'), END])
  })
})

describe('AnswerReader: malformed answers → AnswerError naming the problem, never end()', () => {
  const OK = 'HTTP/1.1 200 OK\r\n'
  const CHUNKED = `${OK}Transfer-Encoding: chunked\r\n\r\n`
  /** The message for a control character, a bare CR or a bare LF in the head, after the text before it on its line. */
  const control = (after: string) =>
    `The answer's head has a control character or a bare CR or LF, after ${JSON.stringify(after)}`
  /** The same, whatever text it is after. */
  const CONTROL_CHAR = /^The answer's head has a control character or a bare CR or LF, after "/

  /** Refused at the head: the sink never has it. An exact message, or a pattern. */
  const headCases: [name: string, bytes: string, message: RegExp | string, max?: number][] = [
    // The status line
    ['not HTTP', 'SSH-2.0-OpenSSH_9.6\r\n\r\n', /status line/],
    ['HTTP/2', 'HTTP/2 200\r\n\r\n', /status line/],
    ['HTTP/1.2', 'HTTP/1.2 200 OK\r\n\r\n', /status line/],
    ['HTTP/0.9', 'HTTP/0.9 200 OK\r\n\r\n', /status line/],
    ['lowercase http', 'http/1.1 200 OK\r\n\r\n', /status line/],
    ['ICY', 'ICY 200 OK\r\n\r\n', /status line/],
    ['two digits', 'HTTP/1.1 20 OK\r\n\r\n', /status line/],
    ['four digits', 'HTTP/1.1 2000 OK\r\n\r\n', /status line/],
    ['a status below 100', 'HTTP/1.1 099 Low\r\n\r\n', /status line/],
    ['no space before the reason', 'HTTP/1.1 200OK\r\n\r\n', /status line/],
    ['two spaces', 'HTTP/1.1  200 OK\r\n\r\n', /status line/],
    ['a space before', ' HTTP/1.1 200 OK\r\n\r\n', /status line/],
    ['an empty line before', '\r\nHTTP/1.1 200 OK\r\n\r\n', /status line/],
    ['an empty head', '\r\n\r\n', /status line/],
    // Control characters, bare CR and bare LF: one check over the whole head, before the lines are read
    ['a NUL in the reason', 'HTTP/1.1 200 O\0K\r\n\r\n', control('HTTP/1.1 200 O')],
    ['a bare CR in the reason', 'HTTP/1.1 200 O\rK\r\n\r\n', control('HTTP/1.1 200 O')],
    ['a bare LF after the status line', 'HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n', CONTROL_CHAR],
    ['a NUL in a value', `${OK}X-A: a\0b\r\n\r\n`, control('X-A: a')],
    ['DEL in a value', `${OK}X-A: a\x7fb\r\n\r\n`, control('X-A: a')],
    ['ESC in a value', `${OK}X-A: \x1b[31m\r\n\r\n`, control('X-A: ')],
    ['a vertical tab in a value', `${OK}X-A: a\x0bb\r\n\r\n`, control('X-A: a')],
    ['a form feed in a name', `${OK}X\x0cA: a\r\n\r\n`, control('X')],
    ['a bare CR in a value', `${OK}X-A: a\rb\r\n\r\n`, control('X-A: a')],
    ['a bare CR ending a value', `${OK}X-A: ab\r\r\n\r\n`, control('X-A: ab')],
    ['a bare LF in a value', `${OK}X-A: a\nContent-Length: 0\r\n\r\n`, CONTROL_CHAR],
    ['a bare LF ending the head', `${OK}X-A: a\n\r\n\r\n`, CONTROL_CHAR],
    [
      'a bare CR in the Content-Length',
      `${OK}Content-Length: 0\r\r\n\r\n`,
      control('Content-Length: 0'),
    ],
    [
      'a control character after a malformed line (the whole head checked first)',
      `${OK}NoColon\r\nX-A: \x01\r\n\r\n`,
      control('X-A: '),
    ],
    [
      'a control character after a malformed status line',
      `SSH-2.0-OpenSSH_9.6\r\nX: \0\r\n\r\n`,
      control('X: '),
    ],
    [
      'a control character after ambiguous framing',
      `${OK}Content-Length: 1\r\nContent-Length: 2\r\nX: \x7f\r\n\r\n`,
      control('X: '),
    ],
    [
      'a control character late in a long line (the last 40 bytes before it named)',
      `${OK}X-Long: ${'a'.repeat(30)}${'b'.repeat(40)}\0\r\n\r\n`,
      control('b'.repeat(40)),
    ],
    // Header lines
    ['a header without a colon', `${OK}NoColon\r\n\r\n`, /malformed header line: "NoColon"/],
    ['an empty name', `${OK}: value\r\n\r\n`, /malformed header line/],
    ['a space in the name', `${OK}X Y: value\r\n\r\n`, /malformed header line/],
    ['a space before the colon', `${OK}Content-Length : 0\r\n\r\n`, /malformed header line/],
    ['a non-token name', `${OK}X(y): value\r\n\r\n`, /malformed header line/],
    ['a Latin-1 name', `${OK}Clé: v\r\n\r\n`, /malformed header line/],
    [
      'obs-fold (space)',
      `${OK}X-A: one\r\n two\r\nContent-Length: 0\r\n\r\n`,
      /folds a header field/,
    ],
    ['obs-fold (tab)', `${OK}X-A: one\r\n\ttwo\r\n\r\n`, /folds a header field/],
    ['obs-fold of the first field', `${OK} X-A: one\r\n\r\n`, /folds a header field/],
    // Framing: checked before the head is told
    [
      'Transfer-Encoding and Content-Length',
      `${OK}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n`,
      'The answer has both Transfer-Encoding and Content-Length',
    ],
    [
      'Content-Length and Transfer-Encoding',
      `${OK}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n`,
      /both Transfer-Encoding and Content-Length/,
    ],
    [
      'Content-Length: 0 and Transfer-Encoding',
      `${OK}Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n`,
      /both Transfer-Encoding and Content-Length/,
    ],
    [
      'Content-Length and a non-chunked Transfer-Encoding',
      `${OK}Content-Length: 5\r\nTransfer-Encoding: identity\r\n\r\n`,
      /both Transfer-Encoding and Content-Length/,
    ],
    [
      'Content-Length and an empty Transfer-Encoding',
      `${OK}Content-Length: 5\r\nTransfer-Encoding:\r\n\r\n`,
      /both Transfer-Encoding and Content-Length/,
    ],
    [
      'Transfer-Encoding and Content-Length in HTTP/1.0',
      'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n',
      /both Transfer-Encoding and Content-Length/,
    ],
    [
      'two Content-Length',
      `${OK}Content-Length: 5\r\nContent-Length: 7\r\n\r\n`,
      'The answer has Content-Length twice',
    ],
    [
      'two equal Content-Length',
      `${OK}Content-Length: 5\r\ncontent-length: 5\r\n\r\n`,
      /Content-Length twice/,
    ],
    [
      'two Content-Length: 0',
      `${OK}Content-Length: 0\r\nContent-Length: 0\r\n\r\n`,
      /Content-Length twice/,
    ],
    [
      'two Content-Length, one malformed',
      `${OK}Content-Length: 5\r\nContent-Length: x\r\n\r\n`,
      /Content-Length twice/,
    ],
    [
      'a Content-Length list',
      `${OK}Content-Length: 5, 5\r\n\r\n`,
      `The answer's Content-Length is not a length: "5, 5"`,
    ],
    [
      'a non-numeric Content-Length',
      `${OK}Content-Length: abc\r\n\r\n`,
      /Content-Length is not a length: "abc"/,
    ],
    [
      'an empty Content-Length',
      `${OK}Content-Length:\r\n\r\n`,
      /Content-Length is not a length: ""/,
    ],
    [
      'a negative Content-Length',
      `${OK}Content-Length: -1\r\n\r\n`,
      /Content-Length is not a length: "-1"/,
    ],
    [
      'a signed Content-Length',
      `${OK}Content-Length: +5\r\n\r\n`,
      /Content-Length is not a length/,
    ],
    ['a hex Content-Length', `${OK}Content-Length: 0x10\r\n\r\n`, /Content-Length is not a length/],
    [
      'a decimal Content-Length',
      `${OK}Content-Length: 5.0\r\n\r\n`,
      /Content-Length is not a length/,
    ],
    [
      'an exponent Content-Length',
      `${OK}Content-Length: 1e3\r\n\r\n`,
      /Content-Length is not a length/,
    ],
    [
      'a Content-Length with inner space',
      `${OK}Content-Length: 1 0\r\n\r\n`,
      /Content-Length is not a length: "1 0"/,
    ],
    [
      'a 16-digit Content-Length',
      `${OK}Content-Length: 1234567890123456\r\n\r\n`,
      /Content-Length is not a length/,
    ],
    [
      'a Content-Length of 16 digits, leading zeros included',
      `${OK}Content-Length: 0000000000000005\r\n\r\n`,
      /Content-Length is not a length/,
    ],
    [
      'a Content-Length past 2^64',
      `${OK}Content-Length: 99999999999999999999999\r\n\r\n`,
      /Content-Length is not a length/,
    ],
    [
      'a Content-Length in superscript digits',
      `${OK}Content-Length: \xb2\r\n\r\n`,
      /Content-Length is not a length: "²"/,
    ],
    [
      'chunked, then gzip',
      `${OK}Transfer-Encoding: chunked, gzip\r\n\r\n`,
      'The answer applies chunked before another transfer coding',
    ],
    [
      'chunked twice',
      `${OK}Transfer-Encoding: chunked, chunked\r\n\r\n`,
      /chunked before another transfer coding/,
    ],
    [
      'chunked, then gzip over two fields',
      `${OK}Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n`,
      /chunked before another transfer coding/,
    ],
    [
      'chunked, then an empty element',
      `${OK}Transfer-Encoding: chunked,\r\n\r\n`,
      /chunked before another transfer coding/,
    ],
    [
      'chunked, then gzip in HTTP/1.0',
      'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n',
      /chunked before another transfer coding/,
    ],
    // The head's length
    [
      'a head over maxHeadBytes',
      `${OK}X-Long: ${'a'.repeat(64)}\r\n\r\n`,
      "The answer's head is longer than 64 bytes",
      64,
    ],
    [
      'a head one byte over maxHeadBytes',
      `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(64 - 19)}\r\n\r\n`,
      /head is longer than 64 bytes/,
      64,
    ],
    [
      'a head over maxHeadBytes, its end never coming',
      `${OK}X-Long: ${'a'.repeat(1000)}`,
      /head is longer than 64 bytes/,
      64,
    ],
    [
      'bytes that are no answer, over maxHeadBytes',
      'x'.repeat(100),
      /head is longer than 64 bytes/,
      64,
    ],
    [
      'a head over Node’s default',
      `${OK}X-Long: ${'a'.repeat(MAX)}\r\n\r\n`,
      /head is longer than 16384 bytes/,
    ],
  ]

  it.each(headCases)('%s (before any head)', (_name, bytes, message, max) => {
    const err = refusedBeforeHead(bytes, max === undefined ? {} : { max })
    if (typeof message === 'string') expect(err.message).toBe(message)
    else expect(err.message).toMatch(message)
  })

  /** Refused in the body or its framing lines: the head told first. */
  const bodyCases: [name: string, bytes: string, message: RegExp, max?: number][] = [
    // Chunks
    ['a non-hex chunk size', `${CHUNKED}zz\r\n`, /malformed chunk size: "zz"/],
    ['an empty chunk size', `${CHUNKED}\r\n`, /malformed chunk size: ""/],
    ['a space before the chunk size', `${CHUNKED} 5\r\nhello\r\n0\r\n\r\n`, /malformed chunk size/],
    ['a negative chunk size', `${CHUNKED}-1\r\n`, /malformed chunk size/],
    ['a 0x chunk size', `${CHUNKED}0x5\r\nhello\r\n0\r\n\r\n`, /malformed chunk size/],
    ['a signed chunk size', `${CHUNKED}+5\r\nhello\r\n0\r\n\r\n`, /malformed chunk size/],
    [
      'a chunk size of 14 significant hex digits',
      `${CHUNKED}10000000000000\r\nhello\r\n0\r\n\r\n`,
      /malformed chunk size: "10000000000000"/,
    ],
    [
      'a chunk size of 14 significant hex digits after zeros',
      `${CHUNKED}0000${'f'.repeat(14)}\r\nhello\r\n0\r\n\r\n`,
      /malformed chunk size/,
    ],
    ['a chunk size of 15 hex digits', `${CHUNKED}fffffffffffffff\r\nabc`, /malformed chunk size/],
    [
      'a chunk size past 2^64',
      `${CHUNKED}10000000000000005\r\nhello\r\n0\r\n\r\n`,
      /malformed chunk size/,
    ],
    ['a chunk size with junk', `${CHUNKED}5x\r\nhello\r\n0\r\n\r\n`, /malformed chunk size/],
    ['a NUL in a chunk extension', `${CHUNKED}5;a\0\r\nhello\r\n0\r\n\r\n`, /malformed chunk size/],
    [
      'an extension after whitespace without ;',
      `${CHUNKED}5 a\r\nhello\r\n0\r\n\r\n`,
      /malformed chunk size/,
    ],
    ['a bare LF after the chunk size', `${CHUNKED}5\nhello\r\n0\r\n\r\n`, /bare CR or LF/],
    ['a bare CR in the chunk size', `${CHUNKED}5\rX\r\nhello\r\n0\r\n\r\n`, /bare CR or LF/],
    [
      'chunk data longer than its size',
      `${CHUNKED}5\r\nhelloX\r\n0\r\n\r\n`,
      /chunk is longer than its size/,
    ],
    [
      'chunk data much longer than its size',
      `${CHUNKED}1\r\n${'a'.repeat(100)}\r\n0\r\n\r\n`,
      /chunk is longer than its size/,
    ],
    ['chunk data shorter than its size', `${CHUNKED}6\r\nhello\r\n0\r\n\r\n`, /bare CR or LF/],
    ['a bare LF after chunk data', `${CHUNKED}5\r\nhello\n0\r\n\r\n`, /bare CR or LF/],
    ['a bare CR after chunk data', `${CHUNKED}5\r\nhello\r0\r\n\r\n`, /bare CR or LF/],
    [
      'a chunk-size line of 4097 bytes (the CR aside)',
      `${CHUNKED}1;${'x'.repeat(4095)}\r\na\r\n0\r\n\r\n`,
      /chunk line longer than 4096 bytes/,
    ],
    [
      'a chunk-size line over 4096 bytes',
      `${CHUNKED}5;${'x'.repeat(5000)}\r\nhello\r\n0\r\n\r\n`,
      /chunk line longer than 4096 bytes/,
    ],
    [
      'an unending chunk-size line',
      `${CHUNKED}${'0'.repeat(4100)}`,
      /chunk line longer than 4096 bytes/,
    ],
    [
      'chunk data running on past its size',
      `${CHUNKED}1\r\na${'b'.repeat(5000)}`,
      /longer than 4096 bytes/,
    ],
    [
      'a trailer line of 4097 bytes (the CR aside)',
      `${CHUNKED}0\r\nX: ${'t'.repeat(4094)}\r\n\r\n`,
      /longer than 4096 bytes/,
    ],
    [
      'a trailer line over 4096 bytes',
      `${CHUNKED}0\r\nX: ${'t'.repeat(5000)}\r\n\r\n`,
      /longer than 4096 bytes/,
    ],
    // Trailers
    [
      'a trailer without a colon',
      `${CHUNKED}0\r\nNoColon\r\n\r\n`,
      /malformed trailer line: "NoColon"/,
    ],
    ['a trailer with an empty name', `${CHUNKED}0\r\n: v\r\n\r\n`, /malformed trailer line/],
    ['a folded trailer', `${CHUNKED}0\r\nX: a\r\n b\r\n\r\n`, /malformed trailer line/],
    ['a NUL in a trailer', `${CHUNKED}0\r\nX: a\0b\r\n\r\n`, /malformed trailer line/],
    ['a bare LF in the trailers', `${CHUNKED}0\r\nX: a\n\r\n`, /bare CR or LF/],
    ['a bare LF ending the trailers', `${CHUNKED}0\r\n\n`, /bare CR or LF/],
    [
      'a trailer over maxHeadBytes',
      `${CHUNKED}0\r\nX-A: ${'a'.repeat(30)}\r\nX-B: ${'b'.repeat(30)}\r\n\r\n`,
      /trailer is longer than 64 bytes/,
      64,
    ],
    [
      'many small trailers over maxHeadBytes',
      `${CHUNKED}0\r\n${'T: 1\r\n'.repeat(12)}\r\n`,
      /trailer is longer than 64 bytes/,
      64,
    ],
  ]

  it.each(bodyCases)('%s (after the head)', (_name, bytes, message, max) => {
    const err = refusal(bytes, max === undefined ? {} : { max })
    expect(err.message).toMatch(message)
    expect(read(bytes, max === undefined ? {} : { max }).events[0]).toEqual(
      head(200, 'Transfer-Encoding', 'chunked'),
    )
  })

  /** A head of `length` bytes (CR LF CR LF not counted). */
  const headOf = (length: number) => {
    const text = `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(length - 20)}`
    expect(text).toHaveLength(length)
    return text
  }
  /** Splits around a head of `length` bytes: inside its CR LF CR LF above all. */
  const splitsAround = (length: number): Split[] => [
    'whole',
    'bytes',
    [length - 1],
    [length],
    [length + 1],
    [length + 2],
    [length + 3],
    [length + 4],
    [length + 1, length + 3],
    [10, length + 2],
  ]

  it('a head of up to maxHeadBytes is read in any split (up to 3 bytes held may begin its end)', () => {
    for (const length of [20, 40, 61, 62, 63, 64]) {
      for (const split of splitsAround(length)) {
        const out = read(`${headOf(length)}\r\n\r\nok`, { max: 64, split, eof: true })
        const at = `${length} ${JSON.stringify(split)}`
        expect(out.error, at).toBeUndefined()
        expect(out.events, at).toEqual([head(200, 'X', 'a'.repeat(length - 20)), body('ok'), END])
        expect(out.done).toBe(true)
      }
    }
  })

  it('a head longer than maxHeadBytes is refused in any split, the same', () => {
    for (const length of [65, 66, 67, 68, 100]) {
      for (const split of splitsAround(length)) {
        const out = read(`${headOf(length)}\r\n\r\nok`, { max: 64, split, eof: true })
        const at = `${length} ${JSON.stringify(split)}`
        expect(out.error, at).toBeInstanceOf(AnswerError)
        expect((out.error as Error).message).toBe("The answer's head is longer than 64 bytes")
        expect(out.events).toEqual([])
      }
    }
  })

  it('a head of maxHeadBytes and the first bytes of its end waits; one byte more is refused', () => {
    for (const split of ['whole', 'bytes', [64], [65, 66]] as const) {
      const waits = read(`${headOf(64)}\r\n\r`, { max: 64, split, eof: true })
      expect(waits).toMatchObject({ error: undefined, headRead: false, eof: false, events: [] })
      const refused = read(`${headOf(64)}\r\n\rX`, { max: 64, split })
      expect(refused.error, JSON.stringify(split)).toBeInstanceOf(AnswerError)
      expect((refused.error as Error).message).toMatch(/head is longer than 64 bytes/)
    }
  })

  it('a head within maxHeadBytes but never ended waits (no error before the limit)', () => {
    const out = read(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(40)}`, {
      max: 64,
      split: 'bytes',
      eof: true,
    })
    expect(out).toMatchObject({ error: undefined, headRead: false, eof: false })
  })

  it('an answer to a HEAD with malformed header lines is refused all the same', () => {
    const err = refusedBeforeHead(`HTTP/1.1 200 OK\r\nX-A: a\0\r\n\r\n`, { bodiless: true })
    expect(err.message).toBe(control('X-A: a'))
  })

  it('an answer with ambiguous or malformed framing is refused before the sink has its head', () => {
    for (const field of [
      'Transfer-Encoding: chunked\r\nContent-Length: 5',
      'Content-Length: 5\r\nContent-Length: 6',
      'Content-Length: 5\r\nContent-Length: 5',
      'Content-Length: -1',
      'Content-Length: 0000000000000000',
      'Transfer-Encoding: chunked, gzip',
    ]) {
      for (const bytes of [
        `HTTP/1.1 200 OK\r\n${field}\r\n\r\n`,
        `HTTP/1.1 200 OK\r\n${field}\r\n\r\nbody`,
      ]) {
        const out = read(bytes, { eof: true })
        expect(out.error, field).toBeInstanceOf(AnswerError)
        expect(out.events, field).toEqual([])
        expect(out).toMatchObject({ headRead: false, done: false, eof: false, reusable: false })
      }
    }
  })

  it('the sink’s own AnswerError (an answer it refuses at its head) comes out of push, and sticks', () => {
    const reader = new AnswerReader(
      {
        head() {
          throw new AnswerError('too many content-encodings')
        },
        body() {},
        end() {
          throw new Error('end() after the refusal')
        },
      },
      MAX,
    )
    expect(() => reader.push(latin1('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'))).toThrow(
      /too many content-encodings/,
    )
    expect(reader.done).toBe(false)
    expect(reader.eof()).toBe(false)
    expect(() => reader.push(latin1('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'))).toThrow(
      /could not be read before/,
    )
    expect(reader.reusable).toBe(false)
  })

  it('after an AnswerError, every later push throws (even an empty one) and eof() is false', () => {
    for (const [first, headed] of [
      ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', false],
      ['HTTP/1.1 200 OK\r\nX: \0\r\n\r\n', false],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', true],
    ] as const) {
      // a sink that takes anything, so that only the reader's behaviour is seen
      const events: string[] = []
      const sink: AnswerSink = {
        head: (status) => events.push(`head ${status}`),
        body: () => events.push('body'),
        end: () => events.push('end'),
      }
      const reader = new AnswerReader(sink, MAX)
      expect(() => reader.push(latin1(first))).toThrow(AnswerError)
      for (const later of ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', '0\r\n\r\n', '', 'x']) {
        let thrown: unknown
        try {
          reader.push(latin1(later))
        } catch (err) {
          thrown = err
        }
        expect(thrown, JSON.stringify(later)).toBeInstanceOf(AnswerError)
        expect((thrown as Error).message).toBe('The answer could not be read before')
      }
      expect(reader.eof()).toBe(false)
      expect(reader.eof()).toBe(false)
      expect(events).toEqual(headed ? ['head 200'] : [])
      expect([reader.done, reader.reusable]).toEqual([false, false])
    }
  })

  it('after the sink’s own error in body(), later pushes throw too', () => {
    const reader = new AnswerReader(
      {
        head() {},
        body() {
          throw new AnswerError('the body is over the bound')
        },
        end() {},
      },
      MAX,
    )
    expect(() => reader.push(latin1('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab'))).toThrow(
      /over the bound/,
    )
    expect(() => reader.push(latin1('cd'))).toThrow(/could not be read before/)
    expect(reader.eof()).toBe(false)
    expect([reader.done, reader.reusable]).toEqual([false, false])
  })

  // A bare LF is named after the text before it on its line, as a NUL or a bare CR is.
  it('a bare LF in the head is named after the text before it on its line', () => {
    expect(refusal('HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n').message).toBe(
      control('HTTP/1.1 200 OK'),
    )
    expect(refusal(`${OK}X-A: a\nContent-Length: 0\r\n\r\n`).message).toBe(control('X-A: a'))
  })

  // A sink's own error in end() leaves the answer failed: not done, not reusable.
  it('after the sink’s end() throws, the connection is not reusable', () => {
    const reader = new AnswerReader(
      {
        head() {},
        body() {},
        end() {
          throw new AnswerError('the body does not decode')
        },
      },
      MAX,
    )
    expect(() => reader.push(latin1('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'))).toThrow(
      /does not decode/,
    )
    expect(reader.eof()).toBe(false)
    expect(reader.reusable).toBe(false)
  })
})

// ---------------------------------------------------------------------------
// Properties

const TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
const FRAMING_FIELDS = new Set(['content-length', 'transfer-encoding', 'connection'])
/** A field name (a token), none of the three the reader acts on. */
const fieldName = fc
  .string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 10 })
  .filter((n) => !FRAMING_FIELDS.has(n.toLowerCase()))
/** A visible byte, VCHAR or obs-text, as a Latin-1 char. */
const visible = fc
  .oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }))
  .map((c) => String.fromCharCode(c))
const inner = fc.oneof({ weight: 4, arbitrary: visible }, fc.constantFrom(' ', '\t'))
const ows = fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 2 })
/** A field value as read: empty, or visible bytes at both ends. */
const fieldValue = fc.oneof(
  fc.constant(''),
  visible,
  fc
    .tuple(visible, fc.string({ unit: inner, maxLength: 16 }), visible)
    .map(([a, m, b]) => a + m + b),
)
interface Field {
  name: string
  value: string
  /** As sent: whitespace around the value. */
  line: string
}
const field: fc.Arbitrary<Field> = fc
  .tuple(fieldName, fieldValue, ows, ows)
  .map(([name, value, l, r]) => ({ name, value, line: `${name}:${l}${value}${r}` }))
const reason = fc.option(fc.string({ unit: inner, maxLength: 12 }), { nil: undefined })
const version = fc.constantFrom('1.0', '1.1')

const statusLine = (v: string, status: number, why: string | undefined) =>
  `HTTP/${v} ${status}${why === undefined ? '' : ` ${why}`}\r\n`

const interim = fc.record({
  version,
  status: fc.constantFrom(100, 102, 103),
  reason,
  fields: fc.array(field, { maxLength: 3 }),
  // framing fields an interim answer may carry, and has no body for all that
  framing: fc.constantFrom([], ['Content-Length: 7'], ['Transfer-Encoding: chunked']),
})

/** How a chunk-size line is written. */
const sizeStyle = fc.record({
  upper: fc.boolean(),
  /** Leading zeros: any number, not counted in the 13 hex digits. */
  zeros: fc.oneof(fc.nat(2), fc.integer({ min: 10, max: 30 })),
  ext: fc.constantFrom('', ';a=1', ' ;name="v;x"', '\t;q', ';é', ';a;b=c'),
})

/** A well-formed answer: interim answers, then the final one. */
const wellFormed = fc.record({
  interim: fc.array(interim, { maxLength: 2 }),
  version,
  status: fc.oneof(fc.integer({ min: 200, max: 599 }), fc.constantFrom(200, 204, 304)),
  reason,
  fields: fc.array(field, { maxLength: 5 }),
  /** Connection fields, each a list of tokens (close wins over keep-alive). */
  connection: fc.array(
    fc.constantFrom(
      'close',
      'Close',
      'keep-alive',
      'Keep-Alive',
      'Upgrade',
      'TE, close',
      'x-keep-alive',
      'keep-alive, close',
      'close ,keep-alive',
      'closed',
    ),
    { maxLength: 2 },
  ),
  /** How the body is framed; 'zero' is Content-Length: 0 whatever the body (for answers without one). */
  framing: fc.constantFrom('length', 'chunked', 'close', 'zero'),
  lengthName: fc.constantFrom('Content-Length', 'content-length', 'CONTENT-LENGTH'),
  zeros: fc.nat(3),
  coding: fc.constantFrom('chunked', 'Chunked', 'gzip, chunked', 'gzip,chunked'),
  body: fc.uint8Array({ maxLength: 300 }),
  chunkCuts: fc.array(fc.nat(), { maxLength: 6 }),
  sizeStyles: fc.array(sizeStyle, { minLength: 8, maxLength: 8 }),
  trailers: fc.array(field, { maxLength: 2 }),
  /** Where the framing and Connection fields go among the others. */
  at: fc.tuple(fc.nat(), fc.nat()),
  /** A HEAD request. */
  bodiless: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, fc.constant(true)),
  /** Bytes after the answer. */
  extra: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    fc.uint8Array({ minLength: 1, maxLength: 20 }),
  ),
})
type WellFormed = typeof wellFormed extends fc.Arbitrary<infer T> ? T : never

/** The answer's bytes, and what the reader should tell of them. */
function build(a: WellFormed): {
  bytes: Buffer
  events: Event[]
  reusable: boolean
  untilClose: boolean
} {
  let text = ''
  for (const i of a.interim) {
    text += statusLine(i.version, i.status, i.reason)
    for (const line of [...i.fields.map((f) => f.line), ...i.framing]) text += `${line}\r\n`
    text += '\r\n'
  }
  const fields: [line: string, name: string, value: string][] = a.fields.map((f) => [
    f.line,
    f.name,
    f.value,
  ])
  const chunked = a.framing === 'chunked'
  // Content-Length: 0 frames an empty body
  const content = a.framing === 'zero' ? new Uint8Array(0) : a.body
  if (a.framing === 'length' || a.framing === 'zero') {
    const value = `${'0'.repeat(a.zeros)}${content.length}`
    fields.splice(a.at[0] % (fields.length + 1), 0, [
      `${a.lengthName}: ${value} `,
      a.lengthName,
      value,
    ])
  } else if (chunked) {
    fields.splice(a.at[0] % (fields.length + 1), 0, [
      `Transfer-Encoding:${a.coding}`,
      'Transfer-Encoding',
      a.coding,
    ])
  }
  a.connection.forEach((connection, i) => {
    fields.splice((a.at[1] + i) % (fields.length + 1), 0, [
      `Connection: ${connection}`,
      'Connection',
      connection,
    ])
  })
  text += statusLine(a.version, a.status, a.reason)
  for (const [line] of fields) text += `${line}\r\n`
  text += '\r\n'
  const noBody = a.bodiless || a.status === 204 || a.status === 304
  let sent = Buffer.alloc(0)
  if (!noBody) {
    if (chunked) {
      const cuts = [...new Set(a.chunkCuts.map((c) => c % (content.length + 1)))].sort(
        (x, y) => x - y,
      )
      const parts: Buffer[] = []
      let from = 0
      let n = 0
      const size = (length: number) => {
        const style = a.sizeStyles[n++ % a.sizeStyles.length]!
        const hex = length.toString(16)
        return `${'0'.repeat(style.zeros)}${style.upper ? hex.toUpperCase() : hex}${style.ext}\r\n`
      }
      for (const cut of [...cuts, content.length]) {
        if (cut === from) continue
        parts.push(
          latin1(size(cut - from)),
          Buffer.from(content.subarray(from, cut)),
          latin1('\r\n'),
        )
        from = cut
      }
      parts.push(latin1(size(0)))
      for (const t of a.trailers) parts.push(latin1(`${t.line}\r\n`))
      parts.push(latin1('\r\n'))
      sent = Buffer.concat(parts)
    } else {
      sent = Buffer.from(content)
    }
  }
  const extra = a.extra === undefined ? Buffer.alloc(0) : Buffer.from(a.extra)
  const untilClose = !noBody && (a.framing === 'close' || (chunked && a.version === '1.0'))
  // Connection's tokens over all its fields: close wins; HTTP/1.0 keeps the connection only with keep-alive.
  const tokens = a.connection.flatMap((c) => c.split(',').map((t) => t.trim().toLowerCase()))
  const keepAlive =
    !tokens.includes('close') && (a.version === '1.1' || tokens.includes('keep-alive'))
  // An answer without a body that names one (a transfer coding, a non-zero length) is not reused.
  const namesBody = chunked || (a.framing === 'length' && a.body.length !== 0)
  // Read to the end, the body is all that came after the head, chunk lines and extra bytes included.
  const bodyText = (
    untilClose ? Buffer.concat([sent, extra]) : noBody ? Buffer.alloc(0) : Buffer.from(content)
  ).toString('latin1')
  const events: Event[] = [['head', a.status, fields.flatMap(([, name, value]) => [name, value])]]
  if (bodyText !== '') events.push(['body', bodyText])
  events.push(END)
  return {
    bytes: Buffer.concat([latin1(text), sent, extra]),
    events,
    reusable: !untilClose && keepAlive && !(noBody && namesBody) && a.extra === undefined,
    untilClose,
  }
}

const cuts = fc.array(fc.nat(), { maxLength: 24 })

describe('AnswerReader: properties', () => {
  it('a well-formed answer reads the same whole, in random pieces and byte by byte (property)', () => {
    fc.assert(
      fc.property(wellFormed, cuts, (a, split) => {
        const expected = build(a)
        for (const s of ['whole', 'bytes', split] as const) {
          const out = read(expected.bytes, { split: s, bodiless: a.bodiless, eof: true })
          expect(out.error).toBeUndefined()
          expect(out.events).toEqual(expected.events)
          expect(out.doneBeforeEof).toBe(!expected.untilClose)
          expect(out.eof).toBe(true)
          expect(out.done).toBe(true)
          expect(out.reusable).toBe(expected.reusable)
        }
      }),
    )
  })

  /** Bytes to throw at the reader: random, HTTP-ish tokens, or a well-formed answer with a few bytes changed. */
  const noise = fc.oneof(
    fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
    fc
      .array(
        fc.constantFrom(
          'HTTP/1.1 ',
          'HTTP/1.0 ',
          '100 ',
          '101 ',
          '200 ',
          '204 ',
          '304 ',
          'OK',
          '\r\n',
          '\r\n\r\n',
          '\r',
          '\n',
          ':',
          ' ',
          '\t',
          ',',
          ';',
          'Content-Length: ',
          'Transfer-Encoding: ',
          'Connection: ',
          'chunked',
          'close',
          'keep-alive',
          '0',
          '5',
          'a',
          'F',
          '-1',
          'fffffffffffffff',
          'hello',
          'é',
          '\0',
          '\x7f',
        ),
        { maxLength: 80 },
      )
      .map((tokens) => latin1(tokens.join(''))),
    fc
      .tuple(
        wellFormed,
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.constantFrom(0, 10, 13, 32, 48, 58, 59, 97, 0xe9),
            fc.constantFrom('set', 'insert', 'delete'),
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
      )
      .map(([a, edits]) => {
        const bytes = [...build(a).bytes]
        for (const [at, byte, op] of edits) {
          const i = at % (bytes.length + 1)
          if (op === 'insert') bytes.splice(i, 0, byte)
          else if (op === 'delete') bytes.splice(i, 1)
          else if (i < bytes.length) bytes[i] = byte
        }
        return Buffer.from(bytes)
      }),
  )

  // Never hangs: each push ends (the test would time out otherwise).
  it('random bytes in random pieces: nothing thrown but AnswerError, never end() after it (property)', () => {
    fc.assert(
      fc.property(
        noise,
        cuts,
        fc.oneof(fc.integer({ min: 0, max: 80 }), fc.constant(MAX)),
        fc.boolean(),
        (bytes, split, max, bodiless) => {
          for (const s of ['whole', 'bytes', split] as const) {
            // the Recorder throws a plain Error on a call out of order
            const out = read(bytes, { split: s, max, bodiless, eof: true })
            if (out.error !== undefined) {
              expect(out.error).toBeInstanceOf(AnswerError)
              expect((out.error as Error).message).not.toBe('')
              expect(out.events.some((e) => e[0] === 'end')).toBe(false)
              expect(out.eof).toBe(false)
            }
            expect(out.done).toBe(out.events.some((e) => e[0] === 'end'))
            if (out.reusable) expect(out.doneBeforeEof).toBe(true)
          }
        },
      ),
    )
  })

  it('random bytes give the same outcome (events, error, reusable) in any split (property)', () => {
    fc.assert(
      fc.property(noise, cuts, fc.boolean(), (bytes, split, bodiless) => {
        const whole = read(bytes, { bodiless, eof: true })
        const message = (o: Outcome) => (o.error instanceof Error ? o.error.message : o.error)
        for (const s of ['bytes', split] as const) {
          const out = read(bytes, { split: s, bodiless, eof: true })
          expect({ ...out, error: message(out) }).toEqual({ ...whole, error: message(whole) })
        }
      }),
    )
  })
})
