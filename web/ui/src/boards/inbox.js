// The unread count the header's badge shows (GET /notifications?limit=1 gives `unread`), refreshed on a
// timer while signed in and whenever the inbox changes it.
import { reactive } from 'vue'
import { api } from '../api.js'

export const inbox = reactive({ unread: 0 })

export async function refreshUnread() {
  try {
    inbox.unread = (await api.get('/notifications', { limit: 1 })).unread
  } catch { /* signed out or the server away: keep the last count */ }
}
