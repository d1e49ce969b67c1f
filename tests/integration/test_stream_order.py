"""huizong.v1.Reporting/SubmitStream against real PostgreSQL, driven by
grpcio: the requests of one stream behave exactly as the same requests sent
one after another with unary Submit (which value is stored, the
imported/updated/unchanged counts, no deadlock, a dry run then the real
submission under one id), and a database error of one request is that
request's result (code 14 UNAVAILABLE for a transient one, retryable with
the same submission id) while the stream goes on with the next.

Group commit: requests that wait behind the stream's job go to the
database together, one transaction per batch (xmin of their submissions
rows tells), and a batch whose job fails is sent again one request per
transaction, so one request's error is still that request's alone.

The reference for "one after another" is the server itself: the same plan
of requests is sent once as one stream and once as sequential Submits on
periods of their own, and the two runs must agree result by result and in
what they stored."""

import random

import grpc

import pgcluster as pc
from pgcluster import TOWN_A, TOWN_B, TOWN_A3

SC = grpc.StatusCode
QUARTERLY = ("fai", "tax", "pigs", "balance")


def status():
    return pc.reporting_pb().SubmissionStatus


class StreamOrderTest(pc.PgServerTestCase):

    def setUp(self):
        self.r = self.rep()

    def stream(self, requests, label="town_a", timeout=120):
        return self.r.stream(iter(requests), metadata=self.md(label), timeout=timeout)

    def stored(self, regions, periods):
        """{(region, period, indicator): value text} of the given regions and periods."""
        rows = self.db.query(
            "SELECT region_code, period, indicator_code, value::text FROM data_values"
            " WHERE region_code IN (%s) AND period IN (%s)"
            % (",".join(pc.sql_literal(r) for r in regions),
               ",".join(pc.sql_literal(p) for p in periods)))
        return {(r[0], r[1], r[2]): r[3] for r in rows}

    @staticmethod
    def build(plan, periods, dry_runs=()):
        """Requests of a plan [(region, period slot, [(code, value)])] on
        the given periods, each with a new submission id."""
        return [pc.submit_request(region, periods[slot], values, dry_run=i in dry_runs)
                for i, (region, slot, values) in enumerate(plan)]

    @staticmethod
    def summary(res):
        return (res.code, res.status, res.imported, res.updated, res.unchanged,
                res.narrative_updated, res.replayed)

    def sequential(self, requests, label="admin"):
        """Sends each request as its own Submit, waiting for each answer:
        the behaviour a stream must have. Every request must be accepted."""
        out = []
        for req in requests:
            out.append(self.r.submit(req, metadata=self.md(label), timeout=30))
        return out

    def assert_same_as_sequential(self, plan, regions, slots, label="admin"):
        """Runs the plan as one stream and as sequential Submits, on fresh
        periods each, and compares every result and the stored values."""
        stream_periods = [pc.fresh_quarter() for _ in range(slots)]
        seq_periods = [pc.fresh_quarter() for _ in range(slots)]
        stream_reqs = self.build(plan, stream_periods)
        resp = self.stream(stream_reqs, label=label)
        seq = self.sequential(self.build(plan, seq_periods), label=label)
        self.assertEqual(len(resp.results), len(plan))
        for i, (got, want) in enumerate(zip(resp.results, seq)):
            with self.subTest(request=i):
                self.assertEqual(got.submission_id, stream_reqs[i].submission_id)
                self.assertEqual(got.code, 0, got.message)
                self.assertEqual(self.summary(got), self.summary(want))
        self.assertEqual((resp.accepted, resp.rejected), (len(plan), 0))
        in_stream = self.stored(regions, stream_periods)
        in_seq = self.stored(regions, seq_periods)
        slot_of = {p: i for i, p in enumerate(stream_periods)}
        seq_slot = {p: i for i, p in enumerate(seq_periods)}
        self.assertEqual({(r, slot_of[p], c): v for (r, p, c), v in in_stream.items()},
                         {(r, seq_slot[p], c): v for (r, p, c), v in in_seq.items()})
        return resp, stream_periods

    # -- arrival order ------------------------------------------------------

    def test_three_versions_of_one_value_last_stored_counts_as_sequential(self):
        # Several townships and periods, each getting three versions of one
        # value (and a value that stays the same) one right after another.
        plan = []
        groups = [(region, slot) for slot in range(3) for region in (TOWN_A, TOWN_B, TOWN_A3)]
        for region, slot in groups:
            for version in ("1.5", "2.25", "3.125"):
                plan.append((region, slot, [("fai", version), ("tax", "7")]))
        resp, periods = self.assert_same_as_sequential(plan, (TOWN_A, TOWN_B, TOWN_A3), 3)
        stored = self.stored((TOWN_A, TOWN_B, TOWN_A3), periods)
        for region, slot in groups:
            self.assertEqual(stored[(region, periods[slot], "fai")], "3.125")
        for k, res in enumerate(resp.results):
            # first version: both values new; later ones: one update, one unchanged
            self.assertEqual((res.imported, res.updated, res.unchanged),
                             (2, 0, 0) if k % 3 == 0 else (0, 1, 1))

    def test_same_townships_in_different_orders_never_deadlock(self):
        # Many requests on three townships, each listing indicators in its
        # own order: run in parallel they lock the same rows in opposite
        # orders; one after another they cannot deadlock.
        rng = random.Random(9)
        plan = []
        for i in range(60):
            codes = list(QUARTERLY)
            rng.shuffle(codes)
            codes = codes[:rng.randint(2, 4)]
            region = (TOWN_A, TOWN_B, TOWN_A3)[rng.randrange(3)]
            plan.append((region, rng.randrange(2),
                         [(c, "%d.%d" % (rng.randrange(5), rng.randrange(10))) for c in codes]))
        self.assert_same_as_sequential(plan, (TOWN_A, TOWN_B, TOWN_A3), 2)

    def test_dry_run_then_real_submission_under_one_id(self):
        # A clerk checks a draft with dry_run, then submits under the same
        # id: the dry run reserves nothing, so the submission is stored,
        # whether it carries the draft unchanged or corrected.
        S = status()
        reqs, periods = [], []
        for i in range(24):
            region = (TOWN_A, TOWN_B, TOWN_A3)[i % 3]
            period = pc.fresh_quarter()
            periods.append(period)
            dry = pc.submit_request(region, period, [("fai", "4.9"), ("tax", "848")],
                                    dry_run=True)
            fixed = "848" if i % 2 else "849"
            real = pc.submit_request(region, period, [("fai", "4.9"), ("tax", fixed)],
                                     submission_id=dry.submission_id)
            reqs += [dry, real]
        resp = self.stream(reqs, label="admin")
        self.assertEqual(len(resp.results), len(reqs))
        for i in range(0, len(reqs), 2):
            dry, real = resp.results[i], resp.results[i + 1]
            with self.subTest(pair=i // 2):
                self.assertEqual((dry.code, dry.status, dry.imported, dry.replayed),
                                 (0, S.SUBMISSION_STATUS_VALIDATED, 2, False), dry.message)
                self.assertEqual((real.code, real.status, real.imported, real.replayed),
                                 (0, S.SUBMISSION_STATUS_ACCEPTED, 2, False), real.message)
                self.assertEqual(self.db.count("submissions WHERE id = %s"
                                               % pc.sql_literal(reqs[i].submission_id)), 1)
        self.assertEqual((resp.accepted, resp.rejected), (24, 0))
        stored = self.stored((TOWN_A, TOWN_B, TOWN_A3), periods)
        self.assertEqual(stored, {(r.region_code, r.period, v.indicator_code): v.value
                                  for r in reqs[1::2] for v in r.values})

    # -- group commit ---------------------------------------------------------

    def hold_submission(self, submission_id, seconds):
        """Holds the advisory lock hz_submit takes first for submission_id,
        for `seconds`: that request's job waits, and every request behind
        it queues up."""
        holder = pc.LockHolder(self.db, "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"
                               % pc.sql_literal(submission_id), seconds)
        self.addCleanup(holder.kill)
        holder.wait_until("l.locktype = 'advisory'", "advisory lock")
        return holder

    def transactions(self, requests):
        """The transaction (xmin) that stored each request's submission,
        None where nothing was stored."""
        ids = [r.submission_id for r in requests]
        rows = dict(self.db.query("SELECT id::text, xmin::text FROM submissions WHERE id IN (%s)"
                                  % ",".join(pc.sql_literal(i) for i in ids)))
        return [rows.get(i) for i in ids]

    def test_waiting_requests_commit_together_as_sequential_submits(self):
        # The first request's job is held; the eleven behind it wait and then
        # go as one batch, one transaction, with the results and the stored
        # values sequential Submits give (versions of one value included).
        S = status()
        period = pc.fresh_quarter()
        reqs = [pc.submit_request(TOWN_A, period, [("fai", "1")])]
        for i in range(11):
            region = (TOWN_A, TOWN_B, TOWN_A3)[i % 3]
            reqs.append(pc.submit_request(region, period, [("fai", "%d.5" % i), ("tax", "7")]))
        holder = self.hold_submission(reqs[0].submission_id, 1.5)
        resp = self.stream(reqs, label="admin")
        holder.finish()
        self.assertEqual([(r.code, r.status) for r in resp.results],
                         [(0, S.SUBMISSION_STATUS_ACCEPTED)] * 12,
                         [r.message for r in resp.results])
        # TOWN_A: request 0 stored fai 1, request 1 changed it and added tax.
        self.assertEqual((resp.results[1].imported, resp.results[1].updated), (1, 1))
        self.assertEqual((resp.results[4].imported, resp.results[4].updated,
                          resp.results[4].unchanged), (0, 1, 1))
        xmins = self.transactions(reqs)
        self.assertNotIn(None, xmins)
        self.assertNotEqual(xmins[0], xmins[1], "the held request committed with later ones")
        self.assertEqual(len(set(xmins[1:])), 1,
                         "the waiting requests were not committed as one batch: %s" % xmins)
        self.assertEqual(self.stored((TOWN_A, TOWN_B, TOWN_A3), (period,)),
                         {(TOWN_A, period, "fai"): "9.5", (TOWN_A, period, "tax"): "7",
                          (TOWN_B, period, "fai"): "10.5", (TOWN_B, period, "tax"): "7",
                          (TOWN_A3, period, "fai"): "8.5", (TOWN_A3, period, "tax"): "7"})

    def test_failed_batch_is_sent_again_one_request_per_transaction(self):
        # Request 6 of the waiting batch fails in the database: the batch
        # stores nothing, then each of its requests runs alone, so only
        # request 6 is rejected and the others are stored, in order.
        S = status()
        period = pc.fresh_quarter()
        reqs = [pc.submit_request(TOWN_B, period, [("pigs", "1")])]
        for i in range(1, 12):
            comment = "fault" if i == 6 else ""
            reqs.append(pc.submit_request(TOWN_B, period, [("fai", str(i), comment)]))
        self.install_fault("XX000")
        holder = self.hold_submission(reqs[0].submission_id, 1.5)
        resp = self.stream(reqs, label="admin")
        holder.finish()
        want = [(0, S.SUBMISSION_STATUS_ACCEPTED)] * 12
        want[6] = (SC.INTERNAL.value[0], S.SUBMISSION_STATUS_REJECTED)
        self.assertEqual([(r.code, r.status) for r in resp.results], want,
                         [r.message for r in resp.results])
        self.assertEqual((resp.accepted, resp.rejected), (11, 1))
        xmins = self.transactions(reqs)
        self.assertIsNone(xmins[6])
        stored = [x for i, x in enumerate(xmins) if i != 6]
        self.assertEqual(len(set(stored)), 11,
                         "requests of the failed batch were not stored one per transaction: %s"
                         % xmins)
        # Each request's counts are the ones it had alone: 7 follows 5.
        self.assertEqual([(r.imported, r.updated) for r in resp.results[1:3]], [(1, 0), (0, 1)])
        self.assertEqual(resp.results[7].updated, 1)
        self.assertEqual(self.stored((TOWN_B,), (period,)),
                         {(TOWN_B, period, "pigs"): "1", (TOWN_B, period, "fai"): "11"})

    # -- one request's database error -----------------------------------------

    def install_fault(self, sqlstate):
        """data_values refuses a value whose comment is 'fault' with sqlstate."""
        self.db.execute(
            "CREATE OR REPLACE FUNCTION test_fault() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN IF NEW.comment = 'fault' THEN"
            "   RAISE EXCEPTION 'injected fault' USING ERRCODE = '%s'; END IF;"
            " RETURN NEW; END $$;"
            " CREATE TRIGGER test_fault BEFORE INSERT OR UPDATE ON data_values"
            " FOR EACH ROW EXECUTE FUNCTION test_fault()" % sqlstate)
        self.addCleanup(self.db.execute, "DROP TRIGGER IF EXISTS test_fault ON data_values")

    def test_transient_error_is_that_requests_result_and_retry_succeeds(self):
        S = status()
        period = pc.fresh_quarter()
        good1 = pc.submit_request(TOWN_A, period, [("fai", "1")])
        faulty = pc.submit_request(TOWN_A, period, [("tax", "2", "fault")])
        good2 = pc.submit_request(TOWN_A, period, [("pigs", "3")])
        self.install_fault("40001")  # serialization_failure
        resp = self.stream([good1, faulty, good2])
        codes = [(r.code, r.status) for r in resp.results]
        self.assertEqual(codes, [(0, S.SUBMISSION_STATUS_ACCEPTED),
                                 (SC.UNAVAILABLE.value[0], S.SUBMISSION_STATUS_REJECTED),
                                 (0, S.SUBMISSION_STATUS_ACCEPTED)],
                         [r.message for r in resp.results])
        self.assertTrue(resp.results[1].message)
        self.assertEqual((resp.accepted, resp.rejected), (2, 1))
        self.assertEqual(self.stored((TOWN_A,), (period,)),
                         {(TOWN_A, period, "fai"): "1", (TOWN_A, period, "pigs"): "3"})
        self.assertEqual(self.db.count("submissions WHERE id = %s"
                                       % pc.sql_literal(faulty.submission_id)), 0)
        # Unary Submit keeps its contract: the same failure is the call's status.
        err = None
        try:
            self.r.submit(faulty, metadata=self.md("town_a"), timeout=15)
        except grpc.RpcError as e:
            err = e
        self.assertIsNotNone(err, "the faulty submission was accepted")
        self.assert_code(err, SC.UNAVAILABLE)
        # The fault passes; the same id now goes through.
        self.db.execute("DROP TRIGGER test_fault ON data_values")
        again = self.stream([faulty])
        self.assertEqual((again.results[0].code, again.results[0].status,
                          again.results[0].imported, again.results[0].replayed),
                         (0, S.SUBMISSION_STATUS_ACCEPTED, 1, False), again.results[0].message)
        self.assertEqual(self.stored((TOWN_A,), (period,))[(TOWN_A, period, "tax")], "2")

    def test_unexpected_sql_error_of_one_request_does_not_end_the_stream(self):
        S = status()
        period = pc.fresh_quarter()
        reqs = [pc.submit_request(TOWN_B, period, [("fai", "1")]),
                pc.submit_request(TOWN_B, period, [("tax", "2", "fault")]),
                pc.submit_request(TOWN_B, period, [("pigs", "3")])]
        self.install_fault("XX000")  # internal_error: not the client's, not transient
        resp = self.stream(reqs, label="admin")
        self.assertEqual([(r.code, r.status) for r in resp.results],
                         [(0, S.SUBMISSION_STATUS_ACCEPTED),
                          (SC.INTERNAL.value[0], S.SUBMISSION_STATUS_REJECTED),
                          (0, S.SUBMISSION_STATUS_ACCEPTED)],
                         [r.message for r in resp.results])
        self.assertNotIn("injected", resp.results[1].message)
        self.assertEqual(self.stored((TOWN_B,), (period,)),
                         {(TOWN_B, period, "fai"): "1", (TOWN_B, period, "pigs"): "3"})


if __name__ == "__main__":
    pc.main()
