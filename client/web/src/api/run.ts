// Runs a call for a page: a refusal is shown once (an Element Plus
// message) and answered with null; a token the server no longer accepts
// (revoked, or the database was reset) signs the tab out.
import { ElMessage } from "element-plus";
import { signOut } from "../auth/store";
import { router } from "../router";
import { callError, isUnauthenticated, type CallError } from "./errors";
import { describeError } from "./describe";

export async function run<T>(fn: () => Promise<T>, onError?: (e: CallError) => boolean): Promise<T | null> {
  try {
    return await fn();
  } catch (raw) {
    const e = callError(raw);
    if (onError && onError(e)) return null;
    if (isUnauthenticated(e)) {
      signOut();
      router.push({ path: "/signin", query: { next: router.currentRoute.value.fullPath } });
    }
    ElMessage({ type: "error", message: describeError(e), showClose: true, duration: 8000 });
    return null;
  }
}
