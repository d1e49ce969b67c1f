// Who is signed in: the token's record from Admin.WhoAmI (role, scope
// region, name). The role and region always come from the server, never
// from what the user typed. Reactive, for the pages and the menu.
import { reactive } from "vue";
import type { TokenInfo } from "../gen/huizong/v1/admin_pb";
import { Role } from "../gen/huizong/v1/common_pb";
import { admin } from "../api/client";
import { callError, type CallError } from "../api/errors";
import { clearToken, currentToken, saveToken } from "./token";

export type RoleName = "township" | "county" | "admin";

interface AuthState {
  who: TokenInfo | null; // the signed-in token's record; null = signed out
  checked: boolean; // a stored token was tried once at start-up
}

export const auth = reactive<AuthState>({ who: null, checked: false });

export function roleName(): RoleName | null {
  switch (auth.who?.role) {
    case Role.TOWNSHIP:
      return "township";
    case Role.COUNTY:
      return "county";
    case Role.ADMIN:
      return "admin";
    default:
      return null;
  }
}

/** Tries a pasted token with WhoAmI; keeps it (sessionStorage) only when
 *  the server accepts it. Returns the refusal, or null. */
export async function signIn(token: string): Promise<CallError | null> {
  const trimmed = token.trim().replace(/^Bearer\s+/i, "");
  saveToken(trimmed);
  try {
    auth.who = await admin.whoAmI({});
    return null;
  } catch (e) {
    clearToken();
    auth.who = null;
    return callError(e);
  }
}

/** At start-up: a token kept by this tab signs in again silently. */
export async function restore(): Promise<void> {
  if (currentToken()) {
    try {
      auth.who = await admin.whoAmI({});
    } catch {
      clearToken();
      auth.who = null;
    }
  }
  auth.checked = true;
}

export function signOut(): void {
  clearToken();
  auth.who = null;
}
