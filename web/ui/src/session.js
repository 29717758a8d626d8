// The signed-in user (GET /auth/me), checked once per page load.
import { reactive } from 'vue'
import { api, setCsrf } from './api.js'

export const session = reactive({
  user: null,
  checked: false,
  async check() {
    if (!this.checked) {
      this.checked = true
      try {
        this.user = window.localStorage.getItem('jimu.csrf') ? await api.get('/auth/me') : null
      } catch {
        this.user = null
      }
    }
    return this.user !== null
  },
  async login(username, password) {
    const answer = await api.post('/auth/session', { username, password })
    setCsrf(answer.csrf_token)
    this.user = await api.get('/auth/me')
    this.checked = true
  },
  async logout() {
    try { await api.post('/auth/logout') } catch { /* the session may be gone already */ }
    setCsrf(null)
    this.user = null
  },
})
