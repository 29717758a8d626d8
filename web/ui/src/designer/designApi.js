// The designer's calls: an app's draft (saved with the version it was edited from: a 409 is a conflict,
// never an overwrite), the publish preview, publish, history, restore and the expression editor's checks.
import { request } from '../api.js'

const app = (key) => `/apps/${encodeURIComponent(key)}`

export const designApi = {
  apps: () => request('GET', '/apps'),
  installed: (key) => request('GET', app(key)),
  drafts: () => request('GET', '/design/drafts'),
  fieldTypes: () => request('GET', '/design/field-types'),
  draft: (key) => request('GET', `${app(key)}/draft`),
  save: (key, definition, version) => request('PUT', `${app(key)}/draft`, { body: { definition, version } }),
  discard: (key, version) => request('DELETE', `${app(key)}/draft`, { headers: { 'If-Match': `"${version}"` } }),
  preview: (key) => request('POST', `${app(key)}/draft/preview`),
  publish: (key, version, confirm) => request('POST', `${app(key)}/draft/publish`, { body: { version, confirm } }),
  history: (key) => request('GET', `${app(key)}/history`),
  restore: (key, revision, version) => request('POST', `${app(key)}/versions/${revision}/restore`, { body: { version } }),
  check: (key, entity, expression, expected) =>
    request('POST', `${app(key)}/draft/expressions/check`, { body: { entity, expression, expected } }),
  context: (key, entity) => request('GET', `${app(key)}/draft/expressions/context`, { query: { entity } }),
}
