// A RollupRow as a table row, in the statisticians' reading: 本期 with its
// unit, 同比/环比 as growth in percent or, for rates (change_basis POINTS,
// or the *_change_pp fields when a server fills those), in 百分点; 完成率,
// 全年进度, and 1–N月累计 with 累计同比 when the server fills `ytd`.
// Unset figures stay "—"; a column no row fills is hidden by the table.
import { ChangeBasis } from "../gen/huizong/v1/common_pb";
import type { RollupRow } from "../gen/huizong/v1/aggregation_pb";
import { growthText, pctText, pointsText, trimValue, withUnit } from "../format/figures";
import type { Lang } from "../format/period";
import { compareDecimal } from "../format/decimal";

export interface ViewRow {
  code: string; // region code
  name: string; // region name
  level: number;
  unit: string;
  value: string; // raw exact text ("" = undefined), for sorting and export
  valueText: string;
  prevYear: string;
  yoy: string; // raw percent or points
  yoyText: string;
  pop: string;
  popText: string;
  completion: string;
  annual: string;
  ytdValue: string;
  ytdText: string;
  ytdYoy: string;
  ytdYoyText: string;
  reporting: string; // "9/10"
  coverage: string; // "1/4" when partial
  raw: RollupRow;
}

/** Whether the row's changes are in 百分点. A server that predates
 *  change_basis leaves it UNSPECIFIED: then the *_change_pp fields, or a
 *  "%" unit, say so (its relative growth of a rate is not shown: rates
 *  never compare by relative growth). */
function points(r: RollupRow): boolean {
  const basis = r.indicator?.changeBasis;
  if (basis === ChangeBasis.POINTS) return true;
  if (basis === ChangeBasis.GROWTH) return false;
  return !!(r.yoyChangePp || r.popChangePp) || r.indicator?.unit === "%";
}

export function viewRow(r: RollupRow, lang: Lang): ViewRow {
  const unit = r.indicator?.unit ?? "";
  const pts = points(r);
  const change = (growth?: string, pp?: string) => (pts ? pp ?? "" : growth ?? "");
  const changeText = (v: string) => (v === "" ? "—" : pts ? pointsText(v, lang) : growthText(v, lang));
  const yoy = change(r.yoyGrowthPct?.value, r.yoyChangePp?.value);
  const pop = change(r.popChangePct?.value, r.popChangePp?.value);
  const ytd = r.ytd;
  const ytdYoy = ytd ? change(ytd.yoyGrowthPct?.value, ytd.yoyChangePp?.value) : "";
  return {
    code: r.region?.code ?? "",
    name: r.region?.name ?? "",
    level: r.region?.level ?? 0,
    unit,
    value: r.value?.value ?? "",
    valueText: withUnit(r.value?.value, unit),
    prevYear: r.previousYearValue?.value ?? "",
    yoy,
    yoyText: changeText(yoy),
    pop,
    popText: changeText(pop),
    completion: r.completionPct?.value ?? "",
    annual: r.annualProgressPct?.value ?? "",
    ytdValue: ytd?.value?.value ?? "",
    ytdText: ytd ? withUnit(ytd.value?.value, unit) : "—",
    ytdYoy,
    ytdYoyText: changeText(ytdYoy),
    reporting: `${r.reportingUnits}/${r.expectedUnits}`,
    coverage: r.coverage && !r.coverage.complete ? `${r.coverage.covered}/${r.coverage.total}` : "",
    raw: r,
  };
}

/** Sorting of decimal text, exact; undefined figures last. */
export function byDecimal(key: keyof ViewRow) {
  return (a: ViewRow, b: ViewRow): number => {
    const x = a[key] as string;
    const y = b[key] as string;
    if (x === "" || y === "") return x === y ? 0 : x === "" ? 1 : -1;
    return compareDecimal(x, y);
  };
}

export { pctText, trimValue };
