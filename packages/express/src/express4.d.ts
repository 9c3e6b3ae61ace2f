// Express 4.21 (the lower bound of the peer range), installed for the tests as the
// `express4` alias. Typed with Express 5's types: the calls the tests make are the same.
declare module 'express4' {
  import type express from 'express'

  const express4: typeof express
  export default express4
}
