// Period names as people say them (STATISTICS.md) and period arithmetic.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  currentPeriod,
  endsAfter,
  parsePeriod,
  periodName,
  periodsOfYear,
  previousPeriod,
  previousYear,
  ytdName,
} from "../../src/format/period";

test("names in Chinese", () => {
  assert.equal(periodName("2022Q1"), "2022年第一季度");
  assert.equal(periodName("2022Q4"), "2022年第四季度");
  assert.equal(periodName("2022S1"), "2022年上半年");
  assert.equal(periodName("2013S2"), "2013年下半年");
  assert.equal(periodName("202203"), "2022年3月");
  assert.equal(periodName("202212"), "2022年12月");
  assert.equal(periodName("2022"), "2022年");
});

test("names in English", () => {
  assert.equal(periodName("2022Q1", "en"), "Q1 2022");
  assert.equal(periodName("2022S2", "en"), "H2 2022");
  assert.equal(periodName("202203", "en"), "March 2022");
  assert.equal(periodName("2022", "en"), "2022");
});

test("year-to-date windows are month ranges", () => {
  assert.equal(ytdName("2022Q1"), "2022年1–3月");
  assert.equal(ytdName("202203"), "2022年1–3月");
  assert.equal(ytdName("2022S1"), "2022年1–6月");
  assert.equal(ytdName("2022Q3"), "2022年1–9月");
  assert.equal(ytdName("202201"), "2022年1月");
  assert.equal(ytdName("202202"), "2022年1–2月");
  assert.equal(ytdName("2022"), "2022年");
  assert.equal(ytdName("2022Q2", "en"), "Jan–Jun 2022");
});

test("malformed codes are refused and shown as they are", () => {
  for (const bad of ["2022Q5", "2022Q0", "202213", "202200", "2022S3", "22Q1", "2022q1", "2022-03", "", "2022W1"]) {
    assert.equal(parsePeriod(bad), null, bad);
    assert.equal(periodName(bad), bad);
  }
});

test("previous year and previous period", () => {
  assert.equal(previousYear("2022Q1"), "2021Q1");
  assert.equal(previousYear("202203"), "202103");
  assert.equal(previousPeriod("2022Q1"), "2021Q4");
  assert.equal(previousPeriod("2022Q3"), "2022Q2");
  assert.equal(previousPeriod("202201"), "202112");
  assert.equal(previousPeriod("2022S1"), "2021S2");
  assert.equal(previousPeriod("2022"), "2021");
  assert.equal(previousPeriod("nonsense"), null);
});

test("periods of a year and the current period in China Standard Time", () => {
  assert.deepEqual(periodsOfYear(2022, "quarter"), ["2022Q1", "2022Q2", "2022Q3", "2022Q4"]);
  assert.equal(periodsOfYear(2022, "month").length, 12);
  // 2022-03-31T16:30Z is 2022-04-01 00:30 in Beijing: already Q2 there.
  assert.equal(currentPeriod("quarter", new Date("2022-03-31T16:30:00Z")), "2022Q2");
  assert.equal(currentPeriod("quarter", new Date("2022-03-31T15:59:00Z")), "2022Q1");
  assert.equal(currentPeriod("month", new Date("2022-12-31T16:00:00Z")), "202301");
});

test("later end", () => {
  assert.ok(endsAfter("2022Q1", "2013S1"));
  assert.ok(endsAfter("2022Q2", "202205"));
  assert.ok(!endsAfter("2022Q1", "202203"));
  assert.ok(!endsAfter("2021", "2022Q1"));
});
