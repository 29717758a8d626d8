// What a board groups by and its columns: the layout's `board.field` (checked by the definition schema),
// else the process's state field, else a select field; columns in the order of the states or options.
import { label } from '../i18n.js'

export const NONE = '__none__' // the column of records with no value (a select field that is not required)

export function groupFields(definition) {
  const state = definition.process ? definition.process.state_field : null
  return definition.fields.filter((f) => f.name === state || f.type === 'select')
}

export function defaultGroup(definition, wanted) {
  const fields = groupFields(definition).map((f) => f.name)
  if (wanted && fields.includes(wanted)) return wanted
  const declared = definition.layout && definition.layout.board && definition.layout.board.field
  if (declared && fields.includes(declared)) return declared
  if (definition.process && fields.includes(definition.process.state_field)) return definition.process.state_field
  return fields[0] || null
}

export const isStateField = (definition, name) => !!definition.process && definition.process.state_field === name

export function boardColumns(definition, name) {
  const field = definition.fields.find((f) => f.name === name)
  if (!field) return []
  if (isStateField(definition, name)) {
    return definition.process.states.map((s) => ({ value: s.key, label: label(s.label, s.key), color: s.color || null }))
  }
  const columns = (field.options || []).map((o) => (typeof o === 'object'
    ? { value: o.value, label: label(o.label, String(o.value)), color: o.color || null }
    : { value: o, label: String(o), color: null }))
  if (!field.required) columns.push({ value: NONE, label: null, color: null })
  return columns
}

export function columnFilter(name, value) {
  return value === NONE ? { field: name, op: 'is_null' } : { field: name, op: 'eq', value }
}

// The fields a card shows under its title: the layout's `board.card_fields`, else the first list columns.
export function cardFields(definition, group, listColumns) {
  const byName = new Map(definition.fields.map((f) => [f.name, f]))
  const declared = (definition.layout && definition.layout.board && definition.layout.board.card_fields) || []
  const picked = declared.map((n) => byName.get(n)).filter(Boolean)
  if (picked.length) return picked
  return listColumns.filter((f) => f.name !== group && f.name !== definition.title_field).slice(0, 3)
}

// The transitions that take a record from where it is to `target` (from GET .../transitions).
export const transitionsTo = (listing, target) => (listing.transitions || []).filter((tr) => tr.to === target)
