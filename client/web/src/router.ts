// Pages by path. The token never appears in a URL; region, period and
// indicator do (a dashboard link can be shared with a colleague, who signs
// in with their own token). Each page says which roles see it; the server
// decides what they may read anyway.
import { createRouter, createWebHistory, type RouteLocationRaw } from "vue-router";
import { auth, roleName, type RoleName } from "./auth/store";
import SignInPage from "./pages/SignInPage.vue";

declare module "vue-router" {
  interface RouteMeta {
    roles?: RoleName[]; // who may open it; absent = signed-out page
  }
}

const everyone: RoleName[] = ["township", "county", "admin"];

export const router = createRouter({
  history: createWebHistory("/"),
  routes: [
    { path: "/signin", component: SignInPage },
    { path: "/entry", component: () => import("./pages/EntryPage.vue"), meta: { roles: ["township", "admin"] } },
    { path: "/dashboard", component: () => import("./pages/DashboardPage.vue"), meta: { roles: everyone } },
    { path: "/report", component: () => import("./pages/ReportPage.vue"), meta: { roles: everyone } },
    { path: "/audit", component: () => import("./pages/AuditPage.vue"), meta: { roles: ["county", "admin"] } },
    { path: "/tokens", component: () => import("./pages/TokensPage.vue"), meta: { roles: ["admin"] } },
    { path: "/:rest(.*)*", redirect: () => home() },
  ],
});

/** A role's first page: the township fills in, others read the dashboard. */
export function home(): RouteLocationRaw {
  const r = roleName();
  if (!r) return "/signin";
  return r === "township" ? "/entry" : "/dashboard";
}

router.beforeEach((to) => {
  const roles = to.meta.roles;
  if (!roles) return auth.who && to.path === "/signin" ? home() : true;
  const r = roleName();
  if (!r) return { path: "/signin", query: { next: to.fullPath } };
  return roles.includes(r) ? true : home();
});
