// A Vite plugin writing THIRD_PARTY_LICENSES (beside package.json): every npm package whose code
// is in the bundle, with its version, licence and licence text. Deterministic (sorted by name).
import fs from 'node:fs'
import path from 'node:path'

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')

function packageOf(id) {
  const at = id.lastIndexOf('/node_modules/')
  if (at < 0) return null
  const rest = id.slice(at + '/node_modules/'.length).split('/')
  const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  return path.join(id.slice(0, at), 'node_modules', name)
}

function licenceText(dir) {
  const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f))
  return file ? fs.readFileSync(path.join(dir, file), 'utf8').trim() : '(no licence file in the package)'
}

export function licences() {
  return {
    name: 'jimu-licences',
    generateBundle(_options, bundle) {
      const dirs = new Set()
      for (const chunk of Object.values(bundle)) {
        for (const id of Object.keys(chunk.modules || {})) {
          const dir = packageOf(id.replace(/\\/g, '/').replace(/^\0/, ''))
          if (dir) dirs.add(dir)
        }
      }
      const entries = [...dirs].map((dir) => {
        const meta = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
        return { name: meta.name, version: meta.version, licence: meta.license || 'UNKNOWN', text: licenceText(dir) }
      }).sort((a, b) => a.name.localeCompare(b.name))
      const header = 'Third-party packages bundled in web/ui/dist (written by the build).\n\n'
      const list = entries.map((e) => `${e.name} ${e.version}: ${e.licence}`).join('\n')
      const texts = entries.map((e) => `\n\n===== ${e.name} ${e.version} (${e.licence}) =====\n\n${e.text}`).join('')
      fs.writeFileSync(path.join(ROOT, 'THIRD_PARTY_LICENSES'), header + list + texts + '\n')
    },
  }
}
