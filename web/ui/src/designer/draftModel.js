// Editing a draft definition in the browser: field helpers, and an undo/redo history of snapshots
// kept for the session. The server validates everything when the draft is previewed and published.

export function entityOf(definition, key) {
  return (definition.entities || []).find((e) => e.key === key) || null
}

// A field name not used yet in the entity: field_1, field_2, ...
export function freshName(entity, stem = 'field') {
  const used = new Set((entity.fields || []).map((f) => f.name))
  let n = (entity.fields || []).length + 1
  while (used.has(`${stem}_${n}`)) n += 1
  return `${stem}_${n}`
}

// Renaming a published field keeps its column: the first rename stores the old name as its `key`.
export function renameField(field, newName, publishedNames) {
  if (!field.key && publishedNames.has(field.name) && newName !== field.name) field.key = field.name
  field.name = newName
  if (field.key === newName) delete field.key
}

// The value a default input holds, as JSON of the field's type (numbers for whole numbers, booleans).
export function typedDefault(type, text) {
  if (text === '' || text === null || text === undefined) return undefined
  if (type === 'integer' && /^-?\d+$/.test(String(text).trim())) return Number(text)
  if (type === 'boolean') return text === true || text === 'true'
  return text
}

export class Snapshots {
  constructor(limit = 100) {
    this.limit = limit
    this.items = []
    this.at = -1
  }

  reset(value) {
    this.items = [JSON.stringify(value)]
    this.at = 0
  }

  // record a new state (drops what was undone)
  push(value) {
    const text = JSON.stringify(value)
    if (this.items[this.at] === text) return
    this.items = this.items.slice(0, this.at + 1)
    this.items.push(text)
    if (this.items.length > this.limit) this.items.shift()
    this.at = this.items.length - 1
  }

  get canUndo() { return this.at > 0 }
  get canRedo() { return this.at < this.items.length - 1 }
  undo() { return this.canUndo ? JSON.parse(this.items[--this.at]) : null }
  redo() { return this.canRedo ? JSON.parse(this.items[++this.at]) : null }
}

// Every place of the entity naming a field by its name: the layout's sections, the list columns, the title.
function layoutLists(entity) {
  const layout = entity.layout || {}
  const sections = [...(layout.sections || []), ...(layout.tabs || []).flatMap((tab) => tab.sections || [])]
  return [...sections.map((s) => s.fields || []), layout.list_columns || []]
}

export function renameInEntity(entity, oldName, newName) {
  for (const list of layoutLists(entity)) {
    const at = list.indexOf(oldName)
    if (at >= 0) list[at] = newName
  }
  if (entity.title_field === oldName) entity.title_field = newName
}

export function dropFromEntity(entity, name) {
  for (const list of layoutLists(entity)) {
    const at = list.indexOf(name)
    if (at >= 0) list.splice(at, 1)
  }
  if (entity.title_field === name) delete entity.title_field
}
