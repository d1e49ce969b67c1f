// Where the bearer token lives: this tab's sessionStorage only (gone when
// the tab closes; never localStorage, a cookie, a URL or a log). A
// separate module from the store so the API client can read it without
// importing Vue state.

const KEY = "huizong.token";

export function currentToken(): string {
  try {
    return window.sessionStorage.getItem(KEY) ?? "";
  } catch {
    return "";
  }
}

export function saveToken(token: string): void {
  window.sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  window.sessionStorage.removeItem(KEY);
}
