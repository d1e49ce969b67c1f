// The console's entry: Vue 3 + Element Plus (its own stylesheet, no
// fonts), the router, and the stored sign-in tried once before the first
// page. Nothing here runs inline in index.html: huizongd's CSP forbids it.
import { createApp } from "vue";
import "element-plus/dist/index.css";
import "./styles.css";
import App from "./App.vue";
import { router } from "./router";
import { restore } from "./auth/store";
import { lang, setLang } from "./i18n";

setLang(lang.value);
restore().finally(() => {
  createApp(App).use(router).mount("#app");
});
