// A refusal as one sentence: the problem's detail and each field-level message under it.
import { label } from '../i18n.js'

export function problemText(error) {
  const parts = [error.message]
  for (const e of (error.body && error.body.errors) || []) if (e.message) parts.push(e.message)
  return [...new Set(parts.filter(Boolean))].join(' ')
}

export const effectText = (e) => (typeof e === 'string' ? e
  : [e.type || e.kind, label(e.message, '') || e.summary || e.field || e.entity || ''].filter(Boolean).join(': '))
