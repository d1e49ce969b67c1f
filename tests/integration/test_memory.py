"""Memory is bounded in bytes: a burst of large submissions waiting for
the database (one pool connection, so they queue) may hold no more than
--max-held-bytes; the rest are refused with RESOURCE_EXHAUSTED and store
nothing, none crashes the server, and after the burst the server's
resident memory comes back down."""

import sys
import threading
import time

import grpc

import harness
import pgcluster as pc
from pgcluster import TOWN_A
from test_limits import rss_bytes, rss_is_meaningful

MIB = 1024 * 1024


class SubmissionBurstTest(pc.PgServerTestCase):
    # 16 MiB for all calls together; the burst below carries 48 MiB.
    server_args = ("--max-held-bytes", str(16 * MIB), "--db-connections", "1")
    BURST = 48

    def test_burst_of_1mb_submissions(self):
        pid = self.server.proc.pid
        rep = self.rep()
        md = self.md("town_a")
        baseline = rss_bytes(pid)
        # Narratives of ~1 MB (the largest the contract allows is 1 MiB).
        reqs = [pc.submit_request(TOWN_A, pc.fresh_quarter(), [("tax", str(i))],
                                  narrative=("第%d份" % i) + "x" * (MIB - 100))
                for i in range(self.BURST)]
        peak = [baseline]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_bytes(pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            futures = [rep.submit.future(r, metadata=md, timeout=120) for r in reqs]
            outcomes = []
            for f in futures:
                try:
                    f.result()
                    outcomes.append(("ok", None))
                except grpc.RpcError as e:
                    outcomes.append((e.code(), e.details()))
        finally:
            done.set()
            sampler.join(5)
        codes = [o[0] for o in outcomes]
        refused = [o for o in outcomes if o[0] == grpc.StatusCode.RESOURCE_EXHAUSTED]
        time.sleep(1)
        sys.stderr.write("RSS baseline %d MiB, peak +%d MiB, 1 s after +%d MiB; %d of %d "
                         "refused\n" % (baseline // MIB, (peak[0] - baseline) // MIB,
                                         (rss_bytes(pid) - baseline) // MIB, len(refused),
                                         len(codes)))
        self.assertTrue(refused, "no submission was refused: %s" % codes)
        self.assertIn("ok", codes)
        self.assertEqual(codes.count("ok") + len(refused), len(codes), codes)
        self.assertIn("--max-held-bytes", refused[0][1])
        # A refused submission stored nothing; an accepted one is complete.
        for req, (code, _) in zip(reqs, outcomes):
            n = self.db.count("submissions WHERE id = %s"
                              % pc.sql_literal(req.submission_id))
            self.assertEqual(n, 1 if code == "ok" else 0, (req.period, code))
        harness.assert_serving(self, self.server.channel())
        if not rss_is_meaningful(pid):
            return
        # Bounded while it lasted: the budget and per-message slack, not 48+
        # MiB of requests held twice (receive buffer and decoded copy).
        self.assertLess(peak[0] - baseline, 64 * MIB,
                        "peak RSS %d MiB over baseline" % ((peak[0] - baseline) // MIB))
        # And given back afterwards (bounded wait).
        deadline = time.monotonic() + 10
        while rss_bytes(pid) - baseline >= 24 * MIB and time.monotonic() < deadline:
            time.sleep(0.2)
        after = rss_bytes(pid) - baseline
        self.assertLess(after, 24 * MIB, "RSS stays %d MiB over baseline" % (after // MIB))
        harness.assert_serving(self, self.server.channel())


if __name__ == "__main__":
    harness.main()
