// The period a dashboard opens on when the link names none: the latest
// period (by its end) among the region's recent submissions, so a county
// sees the quarter its townships are filing; else the last quarter ended.
import { reporting } from "../api/client";
import { currentPeriod, endsAfter, parsePeriod, previousPeriod } from "../format/period";

export async function latestReportedPeriod(regionCode: string): Promise<string> {
  let best = "";
  try {
    const resp = await reporting.listSubmissions({ regionCode, pageSize: 200 });
    for (const s of resp.submissions) {
      if (!parsePeriod(s.period)) continue;
      if (!best || endsAfter(s.period, best)) best = s.period;
    }
  } catch {
    // fall through to the calendar
  }
  return best || previousPeriod(currentPeriod("quarter", new Date())) || "";
}
