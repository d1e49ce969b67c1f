// Times shown to people are China Standard Time (UTC+08:00, no daylight
// saving), whatever the browser's zone; the wire keeps RFC 3339 UTC.
// Computed by offset, not by the browser's zone data, so a machine with
// an odd TZ shows the same.

const pad = (n: number) => String(n).padStart(2, "0");

/** "2022-04-05 16:30" (CST) for an RFC 3339 instant; "" for ""/invalid. */
export function cstTime(rfc3339: string, seconds = false): string {
  if (!rfc3339) return "";
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) return rfc3339;
  const t = new Date(ms + 8 * 3600 * 1000);
  const date = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  const time = `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}${seconds ? ":" + pad(t.getUTCSeconds()) : ""}`;
  return `${date} ${time}`;
}

/** RFC 3339 UTC of the start of a CST calendar day "YYYY-MM-DD"
 *  (00:00 Beijing time), for filters. */
export function cstDayStartUtc(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return "";
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - 8 * 3600 * 1000;
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/** The CST day after `day`, for an exclusive upper bound. */
export function nextDay(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return "";
  const t = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}
