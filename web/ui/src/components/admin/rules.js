// A record rule as one line of text: its condition and/or "field is <user set>".
import { t } from '../../i18n.js'

export function ruleText(rule) {
  const body = rule.rule || rule
  const parts = []
  if (body.expression) parts.push(body.expression)
  if (body.field) parts.push(`${body.field} ∈ ${t(`userset.${body.is}`)}`)
  return parts.join(' · ')
}
