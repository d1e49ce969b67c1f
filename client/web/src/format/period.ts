// DHIS2 period codes (the wire's "2022", "2022S1", "2022Q1", "202203") and
// how people say them (STATISTICS.md): 2022年, 2022年上半年, 2022年第一季度,
// 2022年3月, and the year-to-date window 2022年1–3月. Pure: no Vue, no
// clock unless passed in, so node's test runner checks it directly.

export type PeriodKind = "year" | "half" | "quarter" | "month";
export type Lang = "zh" | "en";

/** A parsed period: `index` is 1-based within the year (1 for a year). */
export interface Period {
  year: number;
  kind: PeriodKind;
  index: number;
}

const PERIOD_RE = /^(\d{4})(?:S([12])|Q([1-4])|(0[1-9]|1[0-2]))?$/;

/** Parses a period code; null when it is not one of the four forms. */
export function parsePeriod(code: string): Period | null {
  const m = PERIOD_RE.exec(code);
  if (!m) return null;
  const year = Number(m[1]);
  if (m[2]) return { year, kind: "half", index: Number(m[2]) };
  if (m[3]) return { year, kind: "quarter", index: Number(m[3]) };
  if (m[4]) return { year, kind: "month", index: Number(m[4]) };
  return { year, kind: "year", index: 1 };
}

/** The code of a period. */
export function periodCode(p: Period): string {
  switch (p.kind) {
    case "year":
      return String(p.year);
    case "half":
      return `${p.year}S${p.index}`;
    case "quarter":
      return `${p.year}Q${p.index}`;
    case "month":
      return `${p.year}${String(p.index).padStart(2, "0")}`;
  }
}

/** Periods of this kind in one year. */
export function perYear(kind: PeriodKind): number {
  return { year: 1, half: 2, quarter: 4, month: 12 }[kind];
}

/** First and last month (1..12) a period covers. */
export function monthSpan(p: Period): [number, number] {
  const months = 12 / perYear(p.kind);
  return [(p.index - 1) * months + 1, p.index * months];
}

const ZH_ORDINAL = ["一", "二", "三", "四"];
const EN_MONTH = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const EN_MONTH_LONG = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];

/** The period as people say it: 2022年第一季度 / Q1 2022. Unknown codes are
 *  returned as they are, so a display never hides what the server sent. */
export function periodName(code: string, lang: Lang = "zh"): string {
  const p = parsePeriod(code);
  if (!p) return code;
  if (lang === "zh") {
    switch (p.kind) {
      case "year":
        return `${p.year}年`;
      case "half":
        return `${p.year}年${p.index === 1 ? "上" : "下"}半年`;
      case "quarter":
        return `${p.year}年第${ZH_ORDINAL[p.index - 1]}季度`;
      case "month":
        return `${p.year}年${p.index}月`;
    }
  }
  switch (p.kind) {
    case "year":
      return `${p.year}`;
    case "half":
      return `H${p.index} ${p.year}`;
    case "quarter":
      return `Q${p.index} ${p.year}`;
    case "month":
      return `${EN_MONTH_LONG[p.index - 1]} ${p.year}`;
  }
}

/** The year-to-date window ending with the period, as a month range:
 *  2022年1–3月 / Jan–Mar 2022 (1–N月累计). A January or a year has no
 *  range to speak of: 2022年1月, 2022年. */
export function ytdName(code: string, lang: Lang = "zh"): string {
  const p = parsePeriod(code);
  if (!p) return code;
  if (p.kind === "year") return periodName(code, lang);
  const last = monthSpan(p)[1];
  if (lang === "zh") return last === 1 ? `${p.year}年1月` : `${p.year}年1–${last}月`;
  return last === 1 ? `Jan ${p.year}` : `${EN_MONTH[0]}–${EN_MONTH[last - 1]} ${p.year}`;
}

/** The same period a year earlier (上年同期). */
export function previousYear(code: string): string | null {
  const p = parsePeriod(code);
  return p ? periodCode({ ...p, year: p.year - 1 }) : null;
}

/** The period before, of the same kind (环比's base). */
export function previousPeriod(code: string): string | null {
  const p = parsePeriod(code);
  if (!p) return null;
  if (p.index > 1) return periodCode({ ...p, index: p.index - 1 });
  return periodCode({ ...p, year: p.year - 1, index: perYear(p.kind) });
}

/** The periods of one kind in a year, in order. */
export function periodsOfYear(year: number, kind: PeriodKind): string[] {
  const out: string[] = [];
  for (let i = 1; i <= perYear(kind); i++) out.push(periodCode({ year, kind, index: i }));
  return out;
}

/** China Standard Time (UTC+08:00, no daylight saving) calendar date of an
 *  instant: offices work in it, whatever the browser's zone. */
export function cstDate(now: Date): { year: number; month: number; day: number } {
  const t = new Date(now.getTime() + 8 * 3600 * 1000);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** The period of this kind containing `now` (China Standard Time). */
export function currentPeriod(kind: PeriodKind, now: Date): string {
  const { year, month } = cstDate(now);
  const index = Math.ceil(month / (12 / perYear(kind)));
  return periodCode({ year, kind, index });
}

/** Whether period a ends after period b (later end; ties: false). */
export function endsAfter(a: string, b: string): boolean {
  const pa = parsePeriod(a);
  const pb = parsePeriod(b);
  if (!pa || !pb) return false;
  const ea = pa.year * 12 + monthSpan(pa)[1];
  const eb = pb.year * 12 + monthSpan(pb)[1];
  return ea > eb;
}

/** The wire's PeriodType number (huizong.v1.PeriodType) of a kind. */
export function kindToPeriodType(kind: PeriodKind): number {
  return { year: 1, half: 2, quarter: 3, month: 4 }[kind];
}

/** The kind of a wire PeriodType number; null for UNSPECIFIED. */
export function periodTypeToKind(t: number): PeriodKind | null {
  return ({ 1: "year", 2: "half", 3: "quarter", 4: "month" } as Record<number, PeriodKind>)[t] ?? null;
}
