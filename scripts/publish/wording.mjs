// The wording of a changeset while nothing is published. A first release's
// CHANGELOG is read by someone installing it: "Before, …", "no longer …" or
// "now answers 400" describe code no user ever had (.changeset/README.md,
// CONTRIBUTING.md). changesets.test.mjs holds every changeset to this while
// the published packages are unreleased.

/**
 * Phrasings that compare with an earlier behaviour, each with why it can only
 * mean that. Matched against prose only: code spans and code blocks are
 * removed first (an option named `now` is not the word "now").
 */
export const COMPARING_PHRASES = [
  // "Before, the call went out unsigned": the state before the change.
  { pattern: /\bBefore,/g, why: 'describes the behaviour before the change' },
  // "Until now only @oauth1/redis threw that code".
  { pattern: /\buntil\s+now\b/gi, why: 'describes the behaviour before the change' },
  // "no longer carries its secrets": only meaningful to someone who had the old one.
  { pattern: /\bno\s+longer\b/gi, why: 'says what stopped happening' },
  // "it used to fall back": past habit; "the key used to sign" (a passive) is
  // not matched, as the subject before "used to" must be a pronoun.
  {
    pattern: /\b(?:it|they|this|that|which|what)\s+used\s+to\b/gi,
    why: 'describes the behaviour before the change',
  },
  // "is now refused", "can now be called", "now answers 400", "now reached":
  // "now" next to a verb marks a change of behaviour. ("Now" before a noun,
  // or "from now on", is not matched.)
  {
    pattern:
      /\b(?:is|are|can|may|does|do|will|has|have)\s+now\b|\bnow\s+(?!on\b)[a-z]+(?:s|ed)\b/gi,
    why: '"now" marks a change of behaviour',
  },
  // "Log in with X works again", "it works as before".
  { pattern: /\bworks?\s+again\b|\bas\s+before\b/gi, why: 'compares with an earlier behaviour' },
  // "as fetch_token_denied always did", "as request() already did".
  {
    pattern: /\b(?:already|always)\s+did\b|\b(?:was|were)\s+answered\b/gi,
    why: 'compares with an earlier behaviour',
  },
  // "CALLBACK_PROBLEMS moved to its own module", "the suite gains helpers".
  { pattern: /\bmoved\s+(?:to|into|from)\b|\bgains\b/gi, why: 'describes a change to the code' },
]

/** The prose of a changeset: no frontmatter, no code blocks, no code spans. */
export function changesetProse(text) {
  return text
    .replace(/^---\n[\s\S]*?\n---\n/, (frontmatter) =>
      '\n'.repeat(frontmatter.split('\n').length - 1),
    )
    .replace(/^```[\s\S]*?^```/gm, (block) => '\n'.repeat(block.split('\n').length - 1))
    .replace(/`[^`]*`/g, (span) => span.replace(/[^\n]/g, ' ')) // a code span may wrap
}

/**
 * Every comparing phrase in a changeset's text: `{ line, phrase, why }`, in
 * the order they appear (`line` is 1-based, counted in the whole file; a
 * phrase may wrap onto the next line).
 */
export function comparingPhrases(text) {
  const prose = changesetProse(text)
  const found = []
  for (const { pattern, why } of COMPARING_PHRASES) {
    for (const match of prose.matchAll(pattern)) {
      const line = prose.slice(0, match.index).split('\n').length
      found.push({ index: match.index, line, phrase: match[0].replace(/\s+/g, ' '), why })
    }
  }
  return found.sort((a, b) => a.index - b.index).map(({ index: _, ...rest }) => rest)
}
