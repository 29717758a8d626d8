// dist/manifest.json: the sha256 of every built file and of the sources it was built from.
// tests/web/ui/test_build.py recomputes both (the sources the same way) without Node, so a
// source edited without `make ui` fails the suite; .ci/run rebuilds and compares when Node is there.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const SOURCES = ['index.html', 'package.json', 'package-lock.json', 'vite.config.js', 'scripts', 'src']

const sha = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex')

function walk(rel) {
  const full = path.join(ROOT, rel)
  if (fs.statSync(full).isFile()) return [rel]
  return fs.readdirSync(full).sort().flatMap((name) => walk(`${rel}/${name}`))
}

function digest(files, base) {
  return Object.fromEntries(files.sort().map((rel) => [rel, sha(fs.readFileSync(path.join(base, rel)))]))
}

const sources = digest(SOURCES.flatMap(walk), ROOT)
const dist = path.join(ROOT, 'dist')
const built = digest(walk('dist').map((rel) => rel.slice('dist/'.length)).filter((rel) => rel !== 'manifest.json'), dist)
const combined = sha(Object.entries(sources).map(([rel, hash]) => `${rel} ${hash}\n`).join(''))
fs.writeFileSync(path.join(dist, 'manifest.json'), JSON.stringify({ sources: combined, files: built }, null, 1) + '\n')
