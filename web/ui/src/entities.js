// Entity definitions (GET /entities/{key}, only the fields the caller may read) and how values show.
import { api } from './api.js'
import { label, t } from './i18n.js'

const cache = new Map() // per page load; a definition applied meanwhile shows after a reload

export function entityDef(key) {
  if (!cache.has(key)) cache.set(key, api.get(`/entities/${key}`).catch((e) => { cache.delete(key); throw e }))
  return cache.get(key)
}

// A field without a label shows its name made readable ("cancel_reason" → "Cancel reason"), not the raw key.
export function humanise(name) {
  const words = String(name || '').replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').trim()
  return words ? words.charAt(0).toUpperCase() + words.slice(1).toLowerCase() : ''
}

export const fieldLabel = (field) => label(field.label, humanise(field.name))

// The fields placed by the layout: [{key, label, sections: [{key, label, columns, fields: [field]}]}]
export function layoutTabs(definition) {
  const byName = new Map(definition.fields.map((f) => [f.name, f]))
  const layout = definition.layout || {}
  const section = (s, n) => ({
    key: s.key || `s${n}`, label: s.label, columns: s.columns || 1,
    fields: (s.fields || []).map((name) => byName.get(name)).filter(Boolean),
  })
  let tabs = (layout.tabs || []).map((tab) => ({ key: tab.key, label: tab.label, sections: (tab.sections || []).map(section) }))
  if (!tabs.length) tabs = [{ key: 'main', label: null, sections: (layout.sections || []).map(section) }]
  const placed = new Set(tabs.flatMap((tab) => tab.sections.flatMap((s) => s.fields.map((f) => f.name))))
  const rest = definition.fields.filter((f) => !placed.has(f.name))
  if (rest.length) tabs[0].sections.push({ key: 'other', label: null, columns: 2, fields: rest })
  return tabs
}

export function listColumns(definition) {
  const wanted = (definition.layout && definition.layout.list_columns) || []
  const byName = new Map(definition.fields.map((f) => [f.name, f]))
  const picked = wanted.map((n) => byName.get(n)).filter(Boolean)
  if (picked.length) return picked
  return definition.fields.filter((f) => f.type !== 'child_table').slice(0, 6)
}

function optionLabel(field, value) {
  const option = (field.options || []).find((o) => o.value === value)
  return option ? label(option.label, String(option.value)) : String(value)
}

// A value as plain text (rendered with {{ }}, never as HTML).
export function displayValue(field, value) {
  if (value === null || value === undefined || value === '') return ''
  switch (field.type) {
    case 'boolean': return value ? t('form.yes') : t('form.no')
    case 'select': return optionLabel(field, value)
    case 'multi_select': return (value || []).map((v) => optionLabel(field, v)).join(', ')
    case 'datetime': return new Date(value).toLocaleString()
    case 'child_table': return String((value || []).length)
    default:
      if (typeof value === 'object') return value.title ?? value.name ?? value.username ?? String(value.id ?? '')
      return String(value)
  }
}
