// Child lines: what is sent of a line (its id and the fields a user writes), and spreadsheet paste.
import { api } from './api.js'
import { entityDef } from './entities.js'
import { label } from './i18n.js'

const COMPUTED = new Set(['formula', 'rollup', 'lookup', 'auto_number'])
export const isWritten = (field) => field.writable !== false && !COMPUTED.has(field.type)

// A line as sent: `id` (an existing line) and the writable fields it has.
export function sentLine(columns, line) {
  const out = line.id ? { id: line.id } : {}
  for (const c of columns) if (isWritten(c) && c.name in line) out[c.name] = line[c.name]
  return out
}

// Tab-separated rows (what a spreadsheet copies); trailing empty line dropped.
export function parseRows(text) {
  const rows = String(text).replace(/\r\n?/g, '\n').split('\n')
  if (rows.length && rows[rows.length - 1] === '') rows.pop()
  return rows.map((row) => row.split('\t'))
}

function optionValue(column, text) {
  const found = (column.options || []).find((o) => String(o.value) === text || label(o.label, '') === text)
  return found ? found.value : text
}

// A pasted cell as the column's value: options by value or label, links by their title (server search).
export async function cellValue(column, text) {
  const value = text.trim()
  if (value === '') return null
  if (column.type === 'select') return optionValue(column, value)
  if (column.type === 'multi_select') return value.split(/[,，]\s*/).filter(Boolean).map((v) => optionValue(column, v))
  if (column.type === 'boolean') return /^(1|true|yes|y|是|x|✓)$/i.test(value)
  if (column.type === 'integer') return /^-?\d+$/.test(value) ? Number(value) : value
  if (column.type === 'link') {
    if (/^\d+$/.test(value)) return Number(value)
    const target = column.entity || column.target
    const definition = await entityDef(target)
    const rows = (await api.get(`/records/${target}`, { q: value, limit: 5, where: column.filter || undefined })).data
    const title = definition.title_field
    const exact = rows.find((r) => title && String(r[title] ?? '').toLowerCase() === value.toLowerCase())
    return (exact || rows[0] || { id: null }).id
  }
  if (['decimal', 'money', 'percent'].includes(column.type)) return value.replace(/[,\s¥$€]/g, '')
  return value
}
