"""What the edge lets through and what it says back, against real
PostgreSQL with a stock grpcio client:

- database errors reach the client as a fixed sentence and the SQLSTATE,
  never PostgreSQL's own text (ERROR:, CONTEXT, $n, quoted values); that
  text is logged once by the server;
- every string field of every request is UTF-8 without NUL, checked on the
  raw request bytes before anything else: INVALID_ARGUMENT naming the field
  path, nothing stored, nothing logged as an error.

Invalid UTF-8 cannot be put in a str field of a grpcio message, so those
requests are serialized with valid placeholder text and the placeholder's
bytes are then replaced in the serialized form (same length, so every
length prefix stays right) and sent through a raw-bytes callable."""

import uuid

import grpc

import harness
import pgcluster as pc
from pgcluster import TOWN_A, COUNTY

SC = grpc.StatusCode

# PostgreSQL's raw error text starts lines with these, and quotes parameters.
RAW_PG_MARKS = ("ERROR:", "CONTEXT", "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8",
                "portal", "LINE ")


class DbErrorTextTest(pc.PgServerTestCase):
    """No raw PostgreSQL error text in client messages (issue 9, item 16)."""

    def assert_clean(self, err, code, mark=None):
        self.assert_code(err, code)
        msg = err.details()
        for m in RAW_PG_MARKS:
            self.assertNotIn(m, msg, "raw PostgreSQL text in the message: %r" % msg)
        self.assertIn("SQLSTATE", msg)
        if mark:
            self.assertNotIn(mark, msg)

    def test_filter_the_database_refuses(self):
        """A timestamp that passes the C layer's shape check but that
        PostgreSQL refuses (February 30th) reaches SQL as a filter."""
        a = pc.admin_pb()
        audit = harness.unary(self.server.channel(), "/huizong.v1.Admin/GetAudit",
                              a.GetAuditRequest, a.GetAuditResponse)
        err = harness.rpc_error(self, audit, a.GetAuditRequest(since="2022-02-30T00:00:00Z"),
                                metadata=self.md("admin"), timeout=10)
        self.assert_clean(err, SC.INVALID_ARGUMENT, "2022-02-30")
        self.assertIn("malformed filter", err.details())
        err = harness.rpc_error(self, self.rep().list,
                                pc.reporting_pb().ListSubmissionsRequest(
                                    received_after="2022-13-01T00:00:00Z"),
                                metadata=self.md("admin"), timeout=10)
        self.assert_clean(err, SC.INVALID_ARGUMENT, "2022-13-01")

    def test_trigger_errors_are_not_forwarded(self):
        """A test-installed trigger raises with a marker in its message and
        detail: the client sees neither, the log holds it exactly once."""
        try:
            for errcode, code in (("P0001", SC.INTERNAL), ("22023", SC.INVALID_ARGUMENT)):
                mark = "marker-" + uuid.uuid4().hex[:12]
                # Replaced functions are recompiled by every session's next call.
                self.db.execute(
                    "CREATE OR REPLACE FUNCTION edge_fail() RETURNS trigger LANGUAGE plpgsql AS $$"
                    " BEGIN RAISE EXCEPTION 'refused % by test', '" + mark + "'"
                    " USING DETAIL = '" + mark + " detail', ERRCODE = '" + errcode + "';"
                    " END $$;"
                    "CREATE OR REPLACE TRIGGER edge_fail BEFORE INSERT ON submissions"
                    " FOR EACH ROW EXECUTE FUNCTION edge_fail();")
                before = self.db.counts()
                err = harness.rpc_error(
                    self, self.rep().submit,
                    pc.submit_request(TOWN_A, pc.fresh_quarter(), [("fai", "1")]),
                    metadata=self.md("admin"), timeout=15)
                self.assert_clean(err, code, mark)
                self.assertIn(errcode, err.details())
                self.assertEqual(self.db.counts(), before)
                self.assertEqual(self.server.log_text().count("refused %s by test" % mark), 1,
                                 "the raw error is logged once:\n" + self.server.log_text())
        finally:
            self.db.execute("DROP TRIGGER IF EXISTS edge_fail ON submissions;"
                            "DROP FUNCTION IF EXISTS edge_fail();")

def patched(msg, replacements):
    """msg serialized, then each placeholder's bytes (found exactly once)
    overwritten by raw bytes of the same length."""
    data = msg.SerializeToString()
    for placeholder, raw in replacements:
        ph = placeholder.encode()
        assert len(ph) == len(raw), (placeholder, raw)
        assert data.count(ph) == 1, placeholder
        data = data.replace(ph, raw)
    return data


BAD_UTF8 = b"\xe5\x8d\xff\xc0\x80"   # a cut-short 3-byte lead, 0xFF, an overlong NUL
NUL_TEXT = b"abc\x00def"


class TextFieldTest(pc.PgServerTestCase):
    """Every string field UTF-8 without NUL at the edge (issue 9, item 15)."""

    def raw_call(self, path, data, label="admin"):
        """Sends data as the request of path; returns the grpc.RpcError."""
        call = harness.unary(self.server.channel(), path)
        try:
            call(data, metadata=self.md(label), timeout=15)
        except grpc.RpcError as e:
            return e
        self.fail("%s answered OK to bad text" % path)

    def refused_text(self, path, data, field, why, label="admin"):
        before = self.db.counts()
        tokens = self.db.scalar("SELECT count(*) FROM tokens")
        exceptions = self.db.scalar("SELECT count(*) FROM period_exceptions")
        log_before = self.server.log_text()
        err = self.raw_call(path, data, label)
        self.assert_code(err, SC.INVALID_ARGUMENT, path)
        self.assertTrue(err.details().startswith(field + ": "), err.details())
        self.assertIn(why, err.details())
        self.assertIn("UTF-8", err.details())  # says what to send instead
        self.assertEqual(self.db.counts(), before)
        self.assertEqual(self.db.scalar("SELECT count(*) FROM tokens"), tokens)
        self.assertEqual(self.db.scalar("SELECT count(*) FROM period_exceptions"), exceptions)
        new_log = self.server.log_text()[len(log_before):]
        self.assertNotIn(": error:", new_log)
        self.assertNotIn("22021", new_log)

    def submit_bytes(self, narrative="", codes=("fai", "tax", "pigs"), comment2="",
                     replacements=()):
        rpb = pc.reporting_pb()
        req = rpb.SubmitRequest(submission_id=str(uuid.uuid4()), region_code=TOWN_A,
                                period=pc.fresh_quarter(), narrative=narrative)
        for i, code in enumerate(codes):
            req.values.add(indicator_code=code, value="1", comment=comment2 if i == 2 else "")
        return patched(req, replacements)

    def test_submit_narrative(self):
        for raw, why in ((NUL_TEXT, "NUL"), (BAD_UTF8, "not valid UTF-8")):
            data = self.submit_bytes(narrative="N" * len(raw), replacements=[("N" * len(raw), raw)])
            self.refused_text("/huizong.v1.Reporting/Submit", data, "narrative", why, "town_a")

    def test_submit_value_comment_and_code(self):
        data = self.submit_bytes(comment2="CMT01", replacements=[("CMT01", BAD_UTF8)])
        self.refused_text("/huizong.v1.Reporting/Submit", data, "values[2].comment",
                          "not valid UTF-8")
        data = self.submit_bytes(codes=("aXb", "tax", "pigs"), replacements=[("aXb", b"a\x00b")])
        self.refused_text("/huizong.v1.Reporting/Submit", data, "values[0].indicator_code", "NUL")

    def test_admin_names_and_reasons(self):
        a = pc.admin_pb()
        for raw, why in ((b"tok\x00xx", "NUL"), (b"t\xffo\xfexx", "not valid UTF-8")):
            data = patched(a.CreateTokenRequest(name="tokNNx", role=1, region_code=TOWN_A),
                           [("tokNNx", raw)])
            self.refused_text("/huizong.v1.Admin/CreateToken", data, "name", why)
        data = patched(a.ImportRegionsRequest(rows=[
            a.RegionRow(line=2, code="420624901", name="甲镇", level=4, parent_code="420624"),
            a.RegionRow(line=3, code="420624902", name="RGNAME", level=4, parent_code="420624")]),
            [("RGNAME", b"\xe4\xb9\x99\x00\xe9\x95")])
        self.refused_text("/huizong.v1.Admin/ImportRegions", data, "rows[1].name", "NUL")
        data = patched(a.ReopenPeriodRequest(region_code=TOWN_A, period=pc.fresh_quarter(),
                                             reason="WHYWHY"), [("WHYWHY", b"\xed\xa0\x80abc")])
        self.refused_text("/huizong.v1.Admin/ReopenPeriod", data, "reason", "not valid UTF-8")
        data = patched(a.ApproveRequest(region_code=TOWN_A, period=pc.fresh_quarter(),
                                        comment="COMMENT"), [("COMMENT", b"ok\x00ok\x00x")])
        self.refused_text("/huizong.v1.Admin/Approve", data, "comment", "NUL")

    def test_valid_text_still_stored_whole(self):
        """The check lets real text through, and it is stored in full."""
        narrative = "南漳县 一季度工作总结\n固定资产投资4.9亿元 \U0001F600"
        req = pc.submit_request(TOWN_A, pc.fresh_quarter(), [("fai", "1")], narrative=narrative)
        self.rep().submit(req, metadata=self.md("town_a"), timeout=15)
        self.assertEqual(self.db.scalar(
            "SELECT narrative FROM submissions WHERE id = %s" % pc.sql_literal(req.submission_id)), narrative)


if __name__ == "__main__":
    pc.main()
