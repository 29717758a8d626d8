import { createRouter, createWebHistory } from 'vue-router'
import { session } from './session.js'

// Each view is its own chunk, fetched when its route is first opened (the shell's first load stays small).
const LoginView = () => import('./views/LoginView.vue')
const LauncherView = () => import('./views/LauncherView.vue')
const AppView = () => import('./views/AppView.vue')
const RecordList = () => import('./views/RecordList.vue')
const RecordForm = () => import('./views/RecordForm.vue')

// The server answers index.html at /, /login, /apps/... and /design/... (web/api/ui_page.py CLIENT_ROUTES).
export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', redirect: '/apps' },
    { path: '/login', component: LoginView, meta: { public: true } },
    { path: '/f/:token', component: () => import('./views/PublicFormView.vue'), props: true, meta: { public: true } },
    { path: '/apps', component: LauncherView },
    // the designers: lazy-loaded, so the runtime shell stays small
    { path: '/design', component: () => import('./views/DesignHome.vue') },
    { path: '/design/:app', component: () => import('./views/DesignApp.vue'), props: true },
    { path: '/inbox/approvals', component: () => import('./views/ApprovalInbox.vue') },
    { path: '/inbox/notifications', component: () => import('./views/NotificationInbox.vue') },
    {
      path: '/apps/:app', component: AppView, props: true,
      children: [
        { path: 'dashboards/:dashboard', component: () => import('./views/DashboardView.vue'), props: true },
        { path: 'reports/:report', component: () => import('./views/ReportView.vue'), props: true },
        { path: ':entity', component: RecordList, props: true },
        { path: ':entity/board', component: () => import('./views/BoardView.vue'), props: true },
        { path: ':entity/calendar', component: () => import('./views/CalendarView.vue'), props: true },
        { path: ':entity/new', component: RecordForm, props: true },
        { path: ':entity/:id(\\d+)', component: RecordForm, props: true },
      ],
    },
    {
      path: '/admin', component: () => import('./views/admin/AdminView.vue'), meta: { admin: true },
      children: [
        { path: '', redirect: '/admin/users' },
        { path: 'users', component: () => import('./views/admin/AdminUsers.vue') },
        { path: 'roles', component: () => import('./views/admin/AdminRoles.vue') },
        { path: 'departments', component: () => import('./views/admin/AdminDepartments.vue') },
        { path: 'forms', component: () => import('./views/admin/AdminPublicForms.vue') },
      ],
    },
  ],
})

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  if (!(await session.check())) return { path: '/login', query: { next: to.fullPath } }
  if (to.matched.some((r) => r.meta.admin) && !session.user.is_superuser) return { path: '/apps' }
  return true
})
