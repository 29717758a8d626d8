// The admin console's calls (/api/v1/admin/...): every page of a list, and the entities an administrator
// sets permissions on (the installed apps' root entities, with their definitions).
import { api } from './api.js'
import { entityDef } from './entities.js'

export async function allPages(path, query = {}) {
  const rows = []
  let cursor = null
  do {
    const page = await api.get(path, { ...query, limit: 200, cursor })
    rows.push(...page.data)
    cursor = page.has_more ? page.next_cursor : null
  } while (cursor)
  return rows
}

export async function rootEntities() {
  const apps = (await api.get('/apps')).data
  const keys = [...new Set(apps.flatMap((a) => a.entities))]
  const defs = await Promise.all(keys.map((k) => entityDef(k)))
  return defs.filter((d) => !d.child)
}

export const ACTIONS = ['read', 'create', 'update', 'delete', 'import', 'export', 'design']
export const USER_SETS = ['current_user', 'my_department_members', 'my_subordinates']
