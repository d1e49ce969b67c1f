// Chinese by default, English on request: one message table per language
// (zh.ts, en.ts, same keys, checked by the type), the choice kept in
// localStorage (not a secret). t("key", {n: 3}) fills {n}.
import { ref } from "vue";
import type { Lang } from "../format/period";
import { zh, type Messages } from "./zh";
import { en } from "./en";

const tables: Record<Lang, Messages> = { zh, en };
const KEY = "huizong.lang";

function initial(): Lang {
  try {
    return window.localStorage.getItem(KEY) === "en" ? "en" : "zh";
  } catch {
    return "zh";
  }
}

export const lang = ref<Lang>(initial());

export function setLang(l: Lang): void {
  lang.value = l;
  document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
  try {
    window.localStorage.setItem(KEY, l);
  } catch {
    // private mode: the choice lasts this page only
  }
}

export type MessageKey = keyof Messages;

export function t(key: MessageKey | (string & {}), params?: Record<string, string | number>): string {
  let s: string = (tables[lang.value] as Record<string, string>)[key] ?? key;
  if (params) for (const [k, v] of Object.entries(params)) s = s.split(`{${k}}`).join(String(v));
  return s;
}
