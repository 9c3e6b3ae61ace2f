// The release and CI workflows, read as GitHub Actions would read them
// (nothing here can run them): see workflows.mjs for why each fact matters.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  ciWorkflowProblems,
  readWorkflow,
  releaseWorkflowProblems,
  unpinnedActions,
  workflowSteps,
} from './workflows.mjs'
import { publishedPackages, ROOT, readJson } from './workspace.mjs'

const root = readJson(join(ROOT, 'package.json'))
const packages = publishedPackages()
const release = () => readWorkflow(ROOT, 'release.yml')
const ci = () => readWorkflow(ROOT, 'ci.yml')

/** The release workflow's changesets/action step, in a copy to change. */
function changesetsStep(workflow) {
  return workflowSteps(workflow).find(({ step }) => step.uses?.startsWith('changesets/action@'))
    .step
}

describe('.github/workflows/release.yml', () => {
  it('publishes as a release needs: nothing is wrong', () => {
    expect(releaseWorkflowProblems(release(), root, packages)).toEqual([])
  })

  it('installs the pnpm of packageManager, literally', () => {
    expect(root.packageManager).toMatch(/^pnpm@\d+\.\d+\.\d+$/)
    const runs = workflowSteps(release()).map(({ step }) => step.run)
    expect(runs).toContain(`npm install -g ${root.packageManager}`)
  })

  it('every published package asks for provenance, which the workflow can give', () => {
    expect(packages.length).toBeGreaterThan(0)
    for (const { manifest } of packages) expect(manifest.publishConfig?.provenance).toBe(true)
    expect(release().permissions['id-token']).toBe('write')
  })

  it('reports a missing id-token permission, naming the packages that need it', () => {
    const workflow = release()
    delete workflow.permissions['id-token']
    expect(releaseWorkflowProblems(workflow, root, packages)).toEqual([
      `no id-token: write permission, which npm provenance needs (${packages.map((p) => p.manifest.name).join(', ')})`,
    ])
  })

  it('reports a pnpm other than packageManager’s', () => {
    const workflow = release()
    const step = workflowSteps(workflow).find(({ step }) => /pnpm@/.test(step.run ?? '')).step
    step.run = 'npm install -g pnpm@9.0.0'
    expect(releaseWorkflowProblems(workflow, root, packages)).toEqual([
      `pnpm is not installed at packageManager's ${root.packageManager.slice(5)} (npm install -g pnpm@9.0.0)`,
    ])
  })

  it('reports a publish with no build before it (prepublishOnly only refuses)', () => {
    const workflow = release()
    const job = Object.values(workflow.jobs)[0]
    job.steps = job.steps.filter((step) => step.run !== 'pnpm build')
    expect(releaseWorkflowProblems(workflow, root, packages)).toEqual([
      'no `pnpm build` step before publishing',
    ])
    // and a build placed after the publish does not count
    job.steps.push({ run: 'pnpm build' })
    expect(releaseWorkflowProblems(workflow, root, packages)).toEqual([
      'no `pnpm build` step before publishing',
    ])
  })

  it('reports a package without the prepublishOnly guard', () => {
    const [first, ...rest] = packages
    const unguarded = { manifest: { ...first.manifest, scripts: {} } }
    expect(releaseWorkflowProblems(release(), root, [unguarded, ...rest])).toEqual([
      `${first.manifest.name} has no prepublishOnly guard (scripts/publish/built.mjs)`,
    ])
  })

  it('reports the wrong commands and missing secrets of changesets/action', () => {
    const workflow = release()
    const step = changesetsStep(workflow)
    step.with.publish = 'npm publish'
    delete step.env.NPM_TOKEN
    expect(releaseWorkflowProblems(workflow, root, packages)).toEqual([
      'changesets/action publishes with "npm publish"',
      'changesets/action has no NPM_TOKEN from secrets.NPM_TOKEN',
    ])
  })

  it('reports another Node and an action not pinned to a major tag', () => {
    const workflow = release()
    const setup = workflowSteps(workflow).find(({ step }) =>
      step.uses?.startsWith('actions/setup-node@'),
    ).step
    setup.with['node-version'] = 20
    changesetsStep(workflow).uses = 'changesets/action@main'
    expect(releaseWorkflowProblems(workflow, root, packages)).toEqual([
      'Node 20, not 24',
      'actions not pinned to a major tag: changesets/action@main',
    ])
  })

  it('runs on a push to main only', () => {
    expect(Object.keys(release().on)).toEqual(['push'])
    expect(release().on.push.branches).toEqual(['main'])
  })
})

describe('.github/workflows/ci.yml', () => {
  it('runs .ci/run, the one CI entry point, on pushes and pull requests', () => {
    expect(ciWorkflowProblems(ci())).toEqual([])
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/^#!\/usr\/bin\/env bash\n/)
    expect(ci().on).toHaveProperty('pull_request')
  })

  it('reports a CI that does not run .ci/run', () => {
    const workflow = ci()
    const job = Object.values(workflow.jobs)[0]
    job.steps = job.steps.map((step) => (step.run ? { run: 'pnpm test' } : step))
    expect(ciWorkflowProblems(workflow)).toEqual(['no `bash .ci/run` step'])
  })

  it('pins every action of both workflows to a major tag', () => {
    expect(unpinnedActions(ci())).toEqual([])
    expect(unpinnedActions(release())).toEqual([])
    expect(
      unpinnedActions({ jobs: { a: { steps: [{ uses: 'actions/checkout@main' }] } } }),
    ).toEqual(['actions/checkout@main'])
  })
})
