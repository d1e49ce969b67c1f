// A submission_id: an RFC 4122 version-4 UUID chosen by the client, the
// idempotency key of Submit. crypto.randomUUID exists only in secure
// contexts (https, localhost); on plain http from another host the same
// UUID is made from crypto.getRandomValues, which exists everywhere.
export function newSubmissionId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
