// The form's live preview: the draft goes to POST /records/{entity}[/{id}]/preview (debounced) and the
// server answers what a save would compute (formulas, rollups, lookups), each field's visible /
// required / read-only state and the errors a save would report — the server's own rules, never
// re-implemented here. Answers to older drafts are dropped.
import { ref } from 'vue'
import { api } from './api.js'

export const DEBOUNCE_MS = 250

export function useLivePreview(entity, recordId, draft) {
  const live = ref(null)
  const pending = ref(false)
  let timer = null
  let sent = 0

  async function run() {
    const mine = ++sent
    const path = recordId() ? `/records/${entity()}/${recordId()}/preview` : `/records/${entity()}/preview`
    try {
      const answer = await api.post(path, draft())
      if (mine === sent) live.value = answer
    } catch {
      if (mine === sent) live.value = null // no right to write, record gone, ...: the form works without it
    } finally {
      if (mine === sent) pending.value = false
    }
  }

  function schedule() {
    pending.value = true
    clearTimeout(timer)
    timer = setTimeout(run, DEBOUNCE_MS)
  }

  function cancel() {
    clearTimeout(timer)
    sent += 1
    pending.value = false
  }

  return { live, pending, schedule, cancel, now: run }
}
