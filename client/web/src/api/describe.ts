// A refused call in words for a person: the status in the current
// language, then the server's own message (which names the field and
// what to do).
import { t, type MessageKey } from "../i18n";
import type { CallError } from "./errors";

export function describeError(e: CallError): string {
  const key = `status.${e.codeName}` as MessageKey;
  const status = t(key) === key ? e.codeName : t(key);
  return e.message ? `${status}: ${e.message}` : status;
}
