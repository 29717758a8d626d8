// Calls to /api/v1 with the browser session cookie; unsafe requests carry the CSRF token that the
// login returned (kept in localStorage so other tabs of the same session can write too).
import { locale } from './i18n.js'

const BASE = '/api/v1'
const CSRF_KEY = 'jimu.csrf'
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`)
    this.status = status
    this.body = body || {}
    this.code = this.body.code
  }

  // field name -> message, from problem+json `errors[].field` (or the first step of `path`)
  fieldErrors() {
    const out = {}
    for (const e of this.body.errors || []) {
      const field = e.field || String(e.path || '').replace(/^\//, '').split('/')[0]
      if (field && !(field in out)) out[field] = e.message || e.code
    }
    return out
  }
}

export function setCsrf(token) {
  if (token) window.localStorage.setItem(CSRF_KEY, token)
  else window.localStorage.removeItem(CSRF_KEY)
}

export async function request(method, path, { body, query, headers = {} } = {}) {
  const url = new URL(BASE + path, window.location.origin)
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v)
  }
  // the server's messages and labels in the language the user reads the UI in
  const options = { method, credentials: 'same-origin', headers: { Accept: 'application/json', 'Accept-Language': locale.value, ...headers } }
  if (UNSAFE.has(method)) options.headers['X-CSRF-Token'] = window.localStorage.getItem(CSRF_KEY) || ''
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json'
    options.body = JSON.stringify(body)
  }
  const response = await fetch(url, options)
  const text = await response.text()
  const data = text ? JSON.parse(text) : null
  if (response.status === 401 && !path.startsWith('/auth/')) {
    // the session ended (expired, revoked, signed out elsewhere): sign in again, then come back here
    const next = window.location.pathname + window.location.search
    window.location.assign(`/login?next=${encodeURIComponent(next)}`)
  }
  if (!response.ok) throw new ApiError(response.status, data)
  return data
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, body, query) => request('POST', path, { body, query }),
  patch: (path, body, headers) => request('PATCH', path, { body, headers }),
  put: (path, body, query) => request('PUT', path, { body, query }),
  delete: (path, query) => request('DELETE', path, { query }),
}

// A URL of the API with its query (for downloads the browser fetches itself, e.g. an export).
export function apiUrl(path, query = {}) {
  const url = new URL(BASE + path, window.location.origin)
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v)
  }
  return url.pathname + url.search
}

// A multipart upload with its progress: onProgress(fraction 0..1, optional) while the file is sent.
export function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', BASE + path)
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.setRequestHeader('X-CSRF-Token', window.localStorage.getItem(CSRF_KEY) || '')
    xhr.upload.onprogress = (e) => { if (onProgress && e.lengthComputable) onProgress(e.loaded / e.total) }
    xhr.onerror = () => reject(new ApiError(0, null))
    xhr.onload = () => {
      let data = null
      try { data = xhr.responseText ? JSON.parse(xhr.responseText) : null } catch { data = null }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data)
      else reject(new ApiError(xhr.status, data))
    }
    xhr.send(form)
  })
}

// The bytes at a same-origin URL (a stored file), as a Blob.
export async function fetchBlob(url) {
  const response = await fetch(url, { credentials: 'same-origin' })
  if (!response.ok) throw new ApiError(response.status, null)
  return response.blob()
}
