// Figures as statisticians read them, and the export formats.
import { test } from "node:test";
import assert from "node:assert/strict";
import { growthText, pctText, pointsText, trimValue, withUnit } from "../../src/format/figures";
import { cstDayStartUtc, cstTime, nextDay } from "../../src/format/time";
import { toCsv } from "../../src/export/csv";
import { exactNumber } from "../../src/export/xlsx";

test("values with units", () => {
  assert.equal(withUnit("49000.000000", "万元"), "49000 万元");
  assert.equal(withUnit("2.550000", "亿元"), "2.55 亿元");
  assert.equal(withUnit("31.44", "%"), "31.44%");
  assert.equal(withUnit(undefined, "万元"), "—");
  assert.equal(trimValue("100"), "100");
  assert.equal(trimValue("100.0"), "100");
});

test("growth says 增长/下降 with the number positive; rates change in 百分点", () => {
  assert.equal(growthText("28.00", "zh"), "增长28.00%");
  assert.equal(growthText("-3.20", "zh"), "下降3.20%");
  assert.equal(growthText("0.00", "zh"), "持平");
  assert.equal(growthText("28.00", "en"), "+28.00%");
  assert.equal(growthText("-3.20", "en"), "−3.20%");
  assert.equal(pointsText("23.58", "zh"), "提高23.58个百分点");
  assert.equal(pointsText("-1.20", "zh"), "下降1.20个百分点");
  assert.equal(pointsText("23.58", "en"), "+23.58 pp");
  assert.equal(growthText(undefined, "zh"), "—");
  assert.equal(pctText("54.71"), "54.71%");
});

test("China Standard Time whatever the machine's zone", () => {
  assert.equal(cstTime("2022-04-10T16:00:00.000000Z"), "2022-04-11 00:00");
  assert.equal(cstTime("2022-04-05T08:30:15Z", true), "2022-04-05 16:30:15");
  assert.equal(cstTime(""), "");
  assert.equal(cstDayStartUtc("2022-04-11"), "2022-04-10T16:00:00Z");
  assert.equal(nextDay("2022-12-31"), "2023-01-01");
});

test("CSV for Excel: BOM, CRLF, quoting, no formula injection", () => {
  const csv = toCsv({
    name: "t",
    columns: [{ label: "乡镇" }, { label: "本期", numeric: true }, { label: "说明" }],
    rows: [["九集镇", "49000", 'a "quoted", text'], ["=cmd()", "-12.5", "-x"]],
  });
  assert.ok(csv.startsWith("\uFEFF乡镇,本期,说明\r\n"));
  assert.ok(csv.includes('九集镇,49000,"a ""quoted"", text"\r\n'));
  assert.ok(csv.includes("'=cmd(),-12.5,'-x\r\n"));
});

test("xlsx cells are numbers only when a double holds them exactly", () => {
  assert.equal(exactNumber("49000"), 49000);
  assert.equal(exactNumber("-2.55"), -2.55);
  assert.equal(exactNumber("12345678901234567890.5"), null);
  assert.equal(exactNumber("增长28%"), null);
});

test("a rate's change is in 百分点, never relative growth", async () => {
  const { create } = await import("@bufbuild/protobuf");
  const { RollupRowSchema } = await import("../../src/gen/huizong/v1/aggregation_pb");
  const { ChangeBasis } = await import("../../src/gen/huizong/v1/common_pb");
  const { viewRow } = await import("../../src/pages/rollupView");
  const rate = (basis: number, extra: object) =>
    viewRow(create(RollupRowSchema, {
      indicator: { code: "r", unit: "%", changeBasis: basis },
      value: { value: "31.44" }, yoyGrowthPct: { value: "300.00" }, ...extra,
    }), "zh");
  assert.equal(rate(ChangeBasis.POINTS, { yoyChangePp: { value: "23.58" } }).yoyText, "提高23.58个百分点");
  assert.equal(rate(ChangeBasis.UNSPECIFIED, {}).yoyText, "—");
  const flow = viewRow(create(RollupRowSchema, {
    indicator: { code: "fai", unit: "万元", changeBasis: ChangeBasis.GROWTH },
    value: { value: "49000.000000" }, yoyGrowthPct: { value: "28.00" },
    ytd: { value: { value: "49000" }, yoyGrowthPct: { value: "28.00" } },
  }), "zh");
  assert.equal(flow.valueText, "49000 万元");
  assert.equal(flow.yoyText, "增长28.00%");
  assert.equal(flow.ytdYoyText, "增长28.00%");
});
