// The UI's own strings in zh-CN and en; a reactive locale that follows the browser by default and
// is remembered once the user switches. No runtime message compiler (CSP forbids eval): `{name}`
// placeholders are replaced as plain text.
import { ref } from 'vue'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import en from 'element-plus/es/locale/lang/en'
import { messages } from './messages.js'

export const LOCALES = ['zh-CN', 'en']
const STORAGE_KEY = 'jimu.locale'

function browserLocale() {
  const saved = window.localStorage.getItem(STORAGE_KEY)
  if (LOCALES.includes(saved)) return saved
  const wanted = navigator.languages || [navigator.language || 'en']
  return wanted.some((l) => String(l).toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en'
}

export const locale = ref(browserLocale())
document.documentElement.lang = locale.value

export function setLocale(value) {
  locale.value = value
  window.localStorage.setItem(STORAGE_KEY, value)
  document.documentElement.lang = value
}

export function elementLocale() {
  return locale.value === 'zh-CN' ? zhCn : en
}

export function t(key, params = {}) {
  const text = messages[locale.value][key] ?? messages.en[key] ?? key
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole))
}

// A definition's label: a string, or {"en": ..., "zh-CN": ...}; falls back to `fallback`.
export function label(value, fallback = '') {
  if (value == null) return fallback
  if (typeof value === 'string') return value
  return value[locale.value] ?? value.en ?? Object.values(value)[0] ?? fallback
}
