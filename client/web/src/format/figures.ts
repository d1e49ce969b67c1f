// How figures read (STATISTICS.md): a value with its unit, a growth in
// percent said as 增长/下降 with the number positive, a change of a rate in
// 百分点, shares (完成率, 报送率) as plain percentages. The server rounds
// (percentages to 2 places, half away from zero); the text shown here keeps
// its digits, only trimming the zeros a value's 6-place rounding may add.
import type { Lang } from "./period";

/** A value text without trailing fraction zeros ("49000.000000" -> "49000"). */
export function trimValue(v: string): string {
  if (!v.includes(".")) return v;
  return v.replace(/0+$/, "").replace(/\.$/, "");
}

/** "49000 万元": the value and its unit; "%" is attached ("31.44%"). */
export function withUnit(v: string | undefined, unit: string): string {
  if (v === undefined || v === "") return "—";
  const t = trimValue(v);
  if (unit === "%") return `${t}%`;
  return unit ? `${t} ${unit}` : t;
}

function split(pct: string): { neg: boolean; abs: string; zero: boolean } {
  const neg = pct.startsWith("-");
  const abs = neg ? pct.slice(1) : pct;
  return { neg, abs, zero: /^[0.]+$/.test(abs) };
}

/** A growth (同比/环比 on GROWTH indicators): 增长28.00% / 下降3.20% /
 *  持平; English +28.00% / −3.20%. */
export function growthText(pct: string | undefined, lang: Lang): string {
  if (pct === undefined || pct === "") return "—";
  const { neg, abs, zero } = split(pct);
  if (lang === "zh") return zero ? "持平" : `${neg ? "下降" : "增长"}${abs}%`;
  return zero ? "0.00%" : `${neg ? "−" : "+"}${abs}%`;
}

/** A change in percentage points (POINTS indicators): 提高23.58个百分点 /
 *  下降1.20个百分点; English +23.58 pp. */
export function pointsText(pp: string | undefined, lang: Lang): string {
  if (pp === undefined || pp === "") return "—";
  const { neg, abs, zero } = split(pp);
  if (lang === "zh") return zero ? "持平" : `${neg ? "下降" : "提高"}${abs}个百分点`;
  return zero ? "0.00 pp" : `${neg ? "−" : "+"}${abs} pp`;
}

/** A share in percent (完成率, 全年进度, 报送率): "54.71%". */
export function pctText(pct: string | undefined): string {
  if (pct === undefined || pct === "") return "—";
  return `${pct}%`;
}
