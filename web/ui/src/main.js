import { createApp } from 'vue'
// Element Plus is imported component by component where templates use them (unplugin-vue-components in
// vite.config.js); the services called from scripts (ElMessage, ElMessageBox) bring no CSS of their own.
import 'element-plus/es/components/base/style/css'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import App from './App.vue'
import { router } from './router.js'
import './style.css'

createApp(App).use(router).mount('#app')
