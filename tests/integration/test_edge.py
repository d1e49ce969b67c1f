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

if __name__ == "__main__":
    pc.main()
