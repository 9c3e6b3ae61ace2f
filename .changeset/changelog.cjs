// The changelog lines `changeset version` writes: each changeset's summary as
// @changesets/cli's default writes it, and one "Updated dependencies" entry per
// release listing the new versions (the default repeats the line once per
// changeset of the dependency: fifteen identical lines for a first release).
const { default: defaults } = require('@changesets/cli/changelog')

module.exports = {
  getReleaseLine: defaults.getReleaseLine,
  async getDependencyReleaseLine(_changesets, dependenciesUpdated) {
    if (dependenciesUpdated.length === 0) return ''
    const updated = dependenciesUpdated.map((dep) => `  - ${dep.name}@${dep.newVersion}`)
    return ['- Updated dependencies', ...updated].join('\n')
  },
}
