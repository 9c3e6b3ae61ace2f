// What the GitHub Actions workflows must do for a release to work, checked
// here because nothing in this repository can run GitHub Actions: npm refuses
// a provenance publish (publishConfig.provenance) outside a supported CI, so
// .github/workflows/release.yml is the only way these packages get published.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

/** A workflow file of the repository, parsed. */
export function readWorkflow(root, name) {
  return parse(readFileSync(join(root, '.github/workflows', name), 'utf8'))
}

/** Every step of every job of a workflow, in order: `{ job, index, step }`. */
export function workflowSteps(workflow) {
  return Object.entries(workflow?.jobs ?? {}).flatMap(([job, spec]) =>
    (spec?.steps ?? []).map((step, index) => ({ job, index, step })),
  )
}

const run = (step) => (typeof step.run === 'string' ? step.run.trim() : '')
// `${{ secrets.NAME }}`, the expression GitHub replaces with a repository secret.
const fromSecret = (value, name) =>
  typeof value === 'string' && new RegExp(`^\\$\\{\\{\\s*secrets\\.${name}\\s*\\}\\}$`).test(value)
const uses = (step, action) => typeof step.uses === 'string' && step.uses.split('@')[0] === action

/** `uses:` values not pinned to a major version tag (`owner/repo@v4`). */
export function unpinnedActions(workflow) {
  return workflowSteps(workflow)
    .map(({ step }) => step.uses)
    .filter((action) => typeof action === 'string' && !/^[\w.-]+\/[\w./-]+@v\d+$/.test(action))
}

// A permission granted to the job that publishes, or to the whole workflow.
function permission(workflow, job, name) {
  return workflow.jobs?.[job]?.permissions?.[name] ?? workflow.permissions?.[name]
}

/**
 * What is wrong with the release workflow, as sentences (none when it is
 * right): `rootManifest` is the root package.json (its packageManager),
 * `packages` the published ones (`{ manifest }`, as publishedPackages gives).
 */
export function releaseWorkflowProblems(workflow, rootManifest, packages) {
  const problems = []
  const branches = workflow?.on?.push?.branches ?? []
  if (!branches.includes('main')) problems.push('it does not run on a push to main')

  const steps = workflowSteps(workflow)
  const changesets = steps.find(({ step }) => uses(step, 'changesets/action'))
  if (changesets === undefined) return [...problems, 'no changesets/action step']
  const { job, index } = changesets
  const before = steps.filter((s) => s.job === job && s.index < index).map((s) => s.step)
  const { with: inputs = {}, env = {} } = changesets.step

  if (inputs.publish !== 'pnpm changeset publish')
    problems.push(`changesets/action publishes with ${JSON.stringify(inputs.publish)}`)
  if (inputs.version !== 'pnpm changeset version')
    problems.push(`changesets/action versions with ${JSON.stringify(inputs.version)}`)
  if (!fromSecret(env.NPM_TOKEN, 'NPM_TOKEN'))
    problems.push('changesets/action has no NPM_TOKEN from secrets.NPM_TOKEN')
  if (!fromSecret(env.GITHUB_TOKEN, 'GITHUB_TOKEN'))
    problems.push('changesets/action has no GITHUB_TOKEN from secrets.GITHUB_TOKEN')

  for (const name of ['contents', 'pull-requests']) {
    if (permission(workflow, job, name) !== 'write') problems.push(`no ${name}: write permission`)
  }
  if (permission(workflow, job, 'id-token') !== 'write') {
    const names = packages
      .filter((p) => p.manifest.publishConfig?.provenance === true)
      .map((p) => p.manifest.name)
    problems.push(
      `no id-token: write permission, which npm provenance needs${names.length > 0 ? ` (${names.join(', ')})` : ''}`,
    )
  }

  const setupNode = before.find((step) => uses(step, 'actions/setup-node'))
  if (setupNode === undefined) problems.push('no actions/setup-node before publishing')
  else {
    if (String(setupNode.with?.['node-version']).split('.')[0] !== '24')
      problems.push(`Node ${setupNode.with?.['node-version']}, not 24`)
    if (setupNode.with?.['registry-url'] !== 'https://registry.npmjs.org')
      problems.push('setup-node does not set registry-url https://registry.npmjs.org')
  }

  const pnpmVersion = rootManifest.packageManager?.replace(/^pnpm@/, '')
  const installs = before.map(run).filter((line) => /^npm install -g pnpm@/.test(line))
  if (!installs.includes(`npm install -g pnpm@${pnpmVersion}`))
    problems.push(
      `pnpm is not installed at packageManager's ${pnpmVersion} (${installs.join('; ') || 'no npm install -g pnpm@…'})`,
    )

  const order = ['pnpm install --frozen-lockfile', 'pnpm build']
  const at = order.map((command) => before.findIndex((step) => run(step) === command))
  order.forEach((command, i) => {
    if (at[i] === -1) problems.push(`no \`${command}\` step before publishing`)
  })
  if (at[0] !== -1 && at[1] !== -1 && at[1] < at[0])
    problems.push('`pnpm build` runs before `pnpm install --frozen-lockfile`')

  // prepublishOnly only refuses an unbuilt package; the build above is what builds it.
  for (const { manifest } of packages) {
    if (manifest.scripts?.prepublishOnly !== 'node ../../scripts/publish/built.mjs')
      problems.push(`${manifest.name} has no prepublishOnly guard (scripts/publish/built.mjs)`)
  }

  const unpinned = unpinnedActions(workflow)
  if (unpinned.length > 0)
    problems.push(`actions not pinned to a major tag: ${unpinned.join(', ')}`)
  return problems
}

/** What is wrong with the CI workflow: it must run `.ci/run`, the one CI entry point. */
export function ciWorkflowProblems(workflow) {
  const problems = []
  const steps = workflowSteps(workflow)
  if (!steps.some(({ step }) => run(step) === 'bash .ci/run'))
    problems.push('no `bash .ci/run` step')
  if (workflow?.on?.push === undefined && workflow?.on?.pull_request === undefined)
    problems.push('it runs neither on push nor on pull requests')
  const unpinned = unpinnedActions(workflow)
  if (unpinned.length > 0)
    problems.push(`actions not pinned to a major tag: ${unpinned.join(', ')}`)
  return problems
}
