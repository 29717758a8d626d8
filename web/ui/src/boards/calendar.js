// A calendar of one entity by a date or datetime field (the layout's `calendar.field`, else the first one);
// date-times are placed on the day they fall on in the user's time zone (the browser's).
export const calendarFields = (definition) => definition.fields.filter((f) => f.type === 'date' || f.type === 'datetime')

export function defaultDateField(definition, wanted) {
  const names = calendarFields(definition).map((f) => f.name)
  if (wanted && names.includes(wanted)) return wanted
  const declared = definition.layout && definition.layout.calendar && definition.layout.calendar.field
  return declared && names.includes(declared) ? declared : names[0] || null
}

const pad = (n) => String(n).padStart(2, '0')
export const dayKey = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`

// The days the month view shows (whole weeks around the month), as [first, after-last) local dates.
export function visibleSpan(month) {
  const first = new Date(month.getFullYear(), month.getMonth(), 1)
  const start = new Date(first)
  start.setDate(first.getDate() - 7)
  const end = new Date(month.getFullYear(), month.getMonth() + 1, 1)
  end.setDate(end.getDate() + 14)
  return [start, end]
}

// The records-list condition for the span: dates compared as YYYY-MM-DD, date-times as UTC instants.
export function spanFilter(field, [start, end]) {
  const value = (d) => (field.type === 'date' ? dayKey(d) : d.toISOString())
  return { and: [{ field: field.name, op: 'gte', value: value(start) }, { field: field.name, op: 'lt', value: value(end) }] }
}

// The local day a value falls on.
export function dayOf(field, value) {
  if (!value) return null
  return field.type === 'date' ? String(value).slice(0, 10) : dayKey(new Date(value))
}
