"""huizongd migrate against real PostgreSQL: applies every embedded file in
order and records it, is a no-op when current, and on a failing file rolls
that file back and exits non-zero with the SQL error."""
import os
import subprocess
import sys
import unittest

import harness
import pgcluster


# A province, a county and one township of it, with their paths: the
# smallest tree a token, a submission or an approval needs.
SMALL_TREE = """
    INSERT INTO regions (code, name, level, parent_code) VALUES
      ('42', 'p', 1, NULL), ('420624', 'x', 3, '42'), ('420624101', 't', 4, '420624');
    INSERT INTO region_paths (ancestor, descendant, depth) VALUES
      ('42','42',0), ('420624','420624',0), ('420624101','420624101',0),
      ('42','420624',1), ('420624','420624101',1), ('42','420624101',2);"""


def migrate(url):
    return subprocess.run([harness.huizongd_path(), "migrate", "--database-url", url],
                          capture_output=True, text=True, timeout=120, env=harness.server_env())


class MigrateTest(unittest.TestCase):
    def setUp(self):
        self.cluster = pgcluster.cluster()
        self.db_name = "hz_migrate_%d" % id(self)
        pgcluster.run_psql(self.cluster.url("postgres"), 'CREATE DATABASE "%s"' % self.db_name)
        self.url = self.cluster.url(self.db_name)
        self.addCleanup(pgcluster.run_psql, self.cluster.url("postgres"),
                        'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.db_name)

    def versions(self):
        return [int(r[0]) for r in pgcluster.run_psql(
            self.url, "SELECT version FROM schema_migrations ORDER BY version")]

    def test_applies_in_order_then_nothing_to_do(self):
        first = migrate(self.url)
        self.assertEqual(first.returncode, 0, first.stderr)
        applied = [l.split()[1] for l in first.stdout.splitlines() if l.startswith("applied ")]
        self.assertGreaterEqual(len(applied), 4, first.stdout)
        self.assertEqual(applied, sorted(applied), "files applied out of order")
        # Every file's number recorded (numbers may have gaps while branches
        # holding them are unmerged; see migrations/embed_sql.py).
        numbers = [int(a[:3]) for a in applied]
        self.assertEqual(self.versions(), numbers)
        second = migrate(self.url)
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertNotIn("applied ", second.stdout)
        self.assertIn("nothing to do", second.stdout)
        self.assertEqual(self.versions(), numbers)

    def test_failing_file_rolls_back_and_exits_non_zero(self):
        fresh = "hz_migrate_fail_%d" % id(self)
        pgcluster.run_psql(self.cluster.url("postgres"), 'CREATE DATABASE "%s"' % fresh)
        self.addCleanup(pgcluster.run_psql, self.cluster.url("postgres"),
                        'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % fresh)
        url = self.cluster.url(fresh)
        # 003 creates hz_rollup_groups: a clashing function makes it fail.
        pgcluster.run_psql(url, "CREATE FUNCTION hz_rollup_groups(p_region text, p_group integer,"
                                " p_level integer, p_total boolean) RETURNS integer"
                                " LANGUAGE sql AS 'SELECT 1'")
        res = migrate(url)
        self.assertNotEqual(res.returncode, 0, res.stdout)
        self.assertIn("003_aggregation", res.stderr)
        self.assertIn("already exists", res.stderr, res.stderr)
        self.assertIn("rolled back", res.stderr)
        rows = pgcluster.run_psql(url, "SELECT version FROM schema_migrations ORDER BY version")
        self.assertEqual([int(r[0]) for r in rows], [1, 2], "only the files before the failing one")
        # Nothing of 003 is left behind: its other function does not exist.
        n = pgcluster.run_psql(url, "SELECT count(*) FROM pg_proc WHERE proname = 'hz_rollup_values'")
        self.assertEqual(int(n[0][0]), 0, "a failed migration left part of itself")

    def test_007_applies_to_a_database_with_data(self):
        """Files up to 006 applied as an older huizongd would have, data
        written, then `huizongd migrate` applies the rest: the rows stay,
        code columns sort as bytes, foreign keys still hold."""
        mdir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "migrations")
        older = sorted(f for f in os.listdir(mdir) if f.endswith(".sql") and f[:3] < "007")
        self.assertEqual(len(older), 6, older)
        pgcluster.run_psql(self.url, "CREATE TABLE schema_migrations (version integer PRIMARY KEY,"
                                     " name text NOT NULL, applied_at timestamptz NOT NULL"
                                     " DEFAULT now())")
        for f in older:
            with open(os.path.join(mdir, f)) as fh:
                sql = fh.read()
            pgcluster.run_psql(self.url, "BEGIN;\n%s\n;INSERT INTO schema_migrations (version, name)"
                                         " VALUES (%d, '%s');COMMIT;" % (sql, int(f[:3]), f[:-4]))
        pgcluster.run_psql(self.url, """
            INSERT INTO regions (code, name, level, parent_code) VALUES
              ('42', 'p', 1, NULL), ('4206', 'c', 2, '42'), ('420624', 'x', 3, '4206'),
              ('420624101', 't', 4, '420624');
            INSERT INTO region_paths (ancestor, descendant, depth) VALUES
              ('42','42',0), ('4206','4206',0), ('420624','420624',0),
              ('420624101','420624101',0), ('42','4206',1), ('4206','420624',1),
              ('420624','420624101',1), ('42','420624',2), ('4206','420624101',2),
              ('42','420624101',3);
            INSERT INTO indicators (code, name, period_type, time_aggregation,
                                    region_aggregation) VALUES
              ('z1', 'a', 3, 1, 1), ('z_2', 'b', 3, 1, 1);
            SELECT count(*) FROM hz_submit('6f1c1a52-1d8e-4c55-9d3e-2d1f0c6a7b01', '420624101',
              '2022Q1', 3::smallint, '2022-01-01', ARRAY['z_2', 'z1'], ARRAY['1', '2'],
              ARRAY['', 'c'], 'n', false, '\\x00'::bytea, NULL, 'me', NULL, now());
            """)
        res = migrate(self.url)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("applied 007_submit_serial", res.stdout)
        rows = pgcluster.run_psql(self.url, "SELECT indicator_code, value::text, comment"
                                            " FROM data_values ORDER BY indicator_code")
        self.assertEqual(rows, [("z1", "2", "c"), ("z_2", "1", "")])
        self.assertEqual(pgcluster.run_psql(self.url, "SELECT count(*) FROM audit_log"
                                                      " WHERE action = 'value.set'"), [("2",)])
        not_c = pgcluster.run_psql(self.url, """
            SELECT table_name || '.' || column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND data_type = 'text'
              AND (column_name IN ('code', 'parent_code', 'ancestor', 'descendant', 'period',
                                   'region_code', 'indicator_code', 'ratio_numerator',
                                   'ratio_denominator'))
              AND table_name <> 'hz_rollup_groups'
              AND coalesce(collation_name, '') <> 'C' ORDER BY 1""")
        self.assertEqual(not_c, [], "code columns not in byte order")
        with self.assertRaises(RuntimeError):
            pgcluster.run_psql(self.url, "INSERT INTO data_values (region_code, indicator_code,"
                                         " period, period_type, period_start, value, submission_id)"
                                         " VALUES ('420624101', 'nope', '2022Q1', 3, '2022-01-01',"
                                         " 1, gen_random_uuid())")

    def apply_older(self, below):
        """Applies the files numbered below `below` as an older huizongd
        would have, recording each."""
        mdir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "migrations")
        older = sorted(f for f in os.listdir(mdir) if f.endswith(".sql") and f[:3] < below)
        pgcluster.run_psql(self.url, "CREATE TABLE schema_migrations (version integer PRIMARY KEY,"
                                     " name text NOT NULL, applied_at timestamptz NOT NULL"
                                     " DEFAULT now())")
        for f in older:
            with open(os.path.join(mdir, f)) as fh:
                sql = fh.read()
            pgcluster.run_psql(self.url, "BEGIN;\n%s\n;INSERT INTO schema_migrations (version, name)"
                                         " VALUES (%d, '%s');COMMIT;" % (sql, int(f[:3]), f[:-4]))
        return older

    def test_010_applies_to_a_database_with_data(self):
        """Files up to 009 applied, a submission stored and approved with
        the functions that answered gRPC codes; after `huizongd migrate` the
        same calls answer refusal reasons and the stored rows are intact."""
        self.assertEqual(len(self.apply_older("010")), 9)
        sub = ("SELECT %s FROM hz_submit('6f1c1a52-1d8e-4c55-9d3e-2d1f0c6a7b01', '420624101',"
               " '2022Q1', 3::smallint, '2022-01-01', ARRAY['z1'], ARRAY['%s'], ARRAY[''], '',"
               " false, '\\x0%s'::bytea, NULL, 'me', NULL, now())")
        pgcluster.run_psql(self.url, """
            INSERT INTO regions (code, name, level, parent_code) VALUES
              ('42', 'p', 1, NULL), ('4206', 'c', 2, '42'), ('420624', 'x', 3, '4206'),
              ('420624101', 't', 4, '420624');
            INSERT INTO region_paths (ancestor, descendant, depth) VALUES
              ('42','42',0), ('4206','4206',0), ('420624','420624',0),
              ('420624101','420624101',0), ('42','4206',1), ('4206','420624',1),
              ('420624','420624101',1), ('42','420624',2), ('4206','420624101',2),
              ('42','420624101',3);
            INSERT INTO indicators (code, name, period_type, time_aggregation,
                                    region_aggregation) VALUES ('z1', 'a', 3, 1, 1);""")
        pgcluster.run_psql(self.url, sub % ("count(*)", "2", "0"))
        pgcluster.run_psql(self.url, "SELECT * FROM hz_set_approval('420624101', '2022Q1', true,"
                                     " 'ok', 'me', NULL, NULL)")
        res = migrate(self.url)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("applied 010_domain_facts", res.stdout)
        self.assertEqual(pgcluster.run_psql(self.url, "SELECT value::text FROM data_values"),
                         [("2",)])
        # Replay: the stored answer, not refused.
        self.assertEqual(pgcluster.run_psql(self.url, sub % (
            "coalesce(refusal::text, '-'), imported, replayed", "2", "0")), [("-", "1", "t")])
        # Same id, other content: the reason, no longer ALREADY_EXISTS's 6.
        self.assertEqual(pgcluster.run_psql(self.url, sub % ("refusal::text", "3", "1")),
                         [("id_reused",)])
        rows = pgcluster.run_psql(self.url, """
            SELECT coalesce(refusal::text, '-'), state FROM hz_set_approval('420624101',
              '2022Q1', true, 'again', 'me', NULL, NULL)
            UNION ALL
            SELECT refusal::text, state FROM hz_set_approval('4206', '2022Q1', true, '', 'me',
              NULL, NULL)
            UNION ALL
            SELECT refusal::text, 0 FROM hz_approve_all('99', '2022Q1', '', 'me', NULL, NULL)""")
        self.assertEqual(rows, [("-", "3"), ("not_township", "0"), ("unknown_region", "0")])
        self.assertEqual(pgcluster.run_psql(self.url, "SELECT refusal::text FROM hz_submit_gate("
                                                      "'420624101', '2022Q1', 3::smallint,"
                                                      " '2022-01-01')"), [("approved",)])

    def test_011_applies_to_a_database_with_tokens(self):
        """Files up to 010 applied and a token made with the hz_create_token
        that answered gRPC codes; `huizongd migrate` then adds the new
        hz_refusal values and the token functions in its one transaction
        per file (ADD VALUE is allowed there because nothing in 011 uses a
        new value before COMMIT), and afterwards the functions answer
        reasons, the new values among them, and the old token is intact."""
        self.assertEqual(len(self.apply_older("011")), 10)
        pgcluster.run_psql(self.url, SMALL_TREE)
        create = ("SELECT %s FROM hz_create_token('%s', %d::smallint, '420624101',"
                  " sha256('%s'::bytea), NULL, 'me')")
        self.assertEqual(pgcluster.run_psql(self.url, create % ("code", "old", 1, "old")),
                         [("0",)])
        res = migrate(self.url)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("applied 011_token_facts", res.stdout)
        self.assertEqual(pgcluster.run_psql(self.url, create % (
            "refusal::text, message", "old", 1, "again")),
            [("name_taken", "an active token is already named old; revoke it or choose"
                            " another name")])
        self.assertEqual(pgcluster.run_psql(self.url, create % (
            "refusal::text", "c", 2, "c")), [("role_level_mismatch",)])
        self.assertEqual(pgcluster.run_psql(self.url, """
            SELECT coalesce(refusal::text, '-'), name, changed::text
            FROM hz_revoke_token(NULL, 'old', NULL, 'me')"""), [("-", "old", "true")])
        self.assertEqual(pgcluster.run_psql(self.url, "SELECT refusal::text FROM"
                                                      " hz_revoke_token(4242, NULL, NULL, 'me')"),
                         [("unknown_token",)])

    def test_022_keeps_the_audit_trail(self):
        """Files up to 020 applied and values submitted, changed and
        approved, each value change an audit_log row; after `huizongd
        migrate` audit_log (now a view over audit_events and the new
        per-submission audit_value_sets) lists the same entries with the
        same ids in the same order, a new submission's entries follow with
        higher ids from one set row, a replay writes nothing, and an
        action written into the view lands in audit_events."""
        self.assertEqual(len(self.apply_older("022")), 19)
        pgcluster.run_psql(self.url, SMALL_TREE + """
            INSERT INTO indicators (code, name, period_type, time_aggregation,
                                    region_aggregation) VALUES
              ('z1', 'a', 3, 1, 1), ('z2', 'b', 3, 1, 1);""")
        sub = ("SELECT %s FROM hz_submit('%s', '420624101', '2022Q1', 3::smallint,"
               " '2022-01-01', %s, %s, %s, '%s', false, '\\x0%s'::bytea, NULL, 'me', NULL,"
               " now()) WHERE kind = 0")
        ids = ["6f1c1a52-1d8e-4c55-9d3e-2d1f0c6a7b0%d" % i for i in range(1, 5)]
        pgcluster.run_psql(self.url, sub % ("count(*)", ids[0], "'{z2,z1}'", "'{3,2}'",
                                            "'{\"\",\"\"}'", "一季度", "1"))
        pgcluster.run_psql(self.url, sub % ("count(*)", ids[1], "'{z1,z2}'", "'{5,3}'",
                                            "'{更正,\"\"}'", "", "2"))
        trail = ("SELECT id::text, at::text, actor, coalesce(token_id::text, '-'), action,"
                 " coalesce(region_code, '-'), coalesce(indicator_code, '-'),"
                 " coalesce(period, '-'), coalesce(old_value::text, '-'),"
                 " coalesce(new_value::text, '-'), coalesce(submission_id::text, '-'), detail,"
                 " coalesce(old_comment, '-'), coalesce(new_comment, '-')"
                 " FROM audit_log ORDER BY at DESC, id DESC")
        before = pgcluster.run_psql(self.url, trail)
        self.assertEqual([(r[4], r[6]) for r in before],
                         [("value.set", "z1"), ("narrative.set", "-"), ("value.set", "z2"),
                          ("value.set", "z1")])
        res = migrate(self.url)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("applied 022_audit_sets", res.stdout)
        self.assertEqual(pgcluster.run_psql(self.url, "SELECT relkind::text FROM pg_class"
                                                      " WHERE relname = 'audit_log'"), [("v",)])
        self.assertEqual(pgcluster.run_psql(self.url, trail), before)
        # A new submission: its entries first, from one set row, higher ids.
        pgcluster.run_psql(self.url, sub % ("count(*)", ids[2], "'{z1,z2}'", "'{6,4}'",
                                            "'{\"\",\"\"}'", "", "3"))
        after = pgcluster.run_psql(self.url, trail)
        self.assertEqual(after[2:], before)
        self.assertEqual([(r[6], r[8], r[9], r[10]) for r in after[:2]],
                         [("z2", "3", "4", ids[2]), ("z1", "5", "6", ids[2])])
        self.assertGreater(int(after[1][0]), max(int(r[0]) for r in before))
        self.assertGreater(int(after[0][0]), int(after[1][0]))
        self.assertEqual(pgcluster.run_psql(self.url, "SELECT count(*) FROM audit_value_sets"),
                         [("1",)])
        # A replay of the first submission: stored answer, nothing written.
        self.assertEqual(pgcluster.run_psql(self.url, sub % (
            "imported, replayed", ids[0], "'{z2,z1}'", "'{3,2}'", "'{\"\",\"\"}'", "一季度",
            "1")), [("2", "t")])
        self.assertEqual(pgcluster.run_psql(self.url, trail), after)
        # Other actions are inserted into the view, stored in audit_events.
        pgcluster.run_psql(self.url, "SELECT * FROM hz_set_approval('420624101', '2022Q1',"
                                     " true, 'ok', 'me', NULL, NULL)")
        last = pgcluster.run_psql(self.url, trail)
        self.assertEqual(last[1:], after)
        self.assertEqual(last[0][4], "approve")
        self.assertGreater(int(last[0][0]), int(after[0][0]))
        self.assertEqual(pgcluster.run_psql(self.url, "SELECT action FROM audit_events"
                                                      " ORDER BY id DESC LIMIT 1"), [("approve",)])

    def test_no_database_url_is_a_usage_error(self):
        env = harness.server_env()
        env.pop("DATABASE_URL", None)
        res = subprocess.run([harness.huizongd_path(), "migrate"], capture_output=True, text=True,
                             timeout=30, env=env)
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("DATABASE_URL", res.stderr)


def domain_facts():
    """The C side of the facts (tests/integration/domain_facts.c) by kind."""
    exe = os.environ.get("HZ_DOMAIN_FACTS")
    if not exe or not os.access(exe, os.X_OK):
        raise AssertionError("HZ_DOMAIN_FACTS is not set")
    out = subprocess.run([exe], capture_output=True, text=True, timeout=30, check=True).stdout
    facts = {}
    for line in out.splitlines():
        kind, *rest = line.split()
        facts.setdefault(kind, []).append(tuple(rest))
    return facts


class DomainFactsTest(unittest.TestCase):
    """Roles, approval states and refusal reasons are defined in SQL and in
    C (domain/role.h, domain/approval.h, domain/refusal.h with
    api/refusal.c): a migrated database and the C tables must agree on
    every value, in both directions."""

    @classmethod
    def setUpClass(cls):
        cls.cluster = pgcluster.cluster()
        cls.db = cls.cluster.new_database("facts")
        cls.c = domain_facts()

    def sql(self, q):
        return pgcluster.run_psql(self.db.url, q)

    def test_role_names_match_hz_role_name(self):
        sql = self.sql("SELECT n::text, hz_role_name(n::smallint)"
                       " FROM generate_series(0, 4) AS n ORDER BY n")
        self.assertEqual(sql, self.c["role"])
        self.assertEqual([r[1] for r in sql[1:4]], ["township", "county", "admin"])

    def test_approval_state_matches_hz_approval_state(self):
        sql = self.sql("SELECT s::text, a::text, hz_approval_state("
                       " CASE WHEN s = 1 THEN now() END, CASE WHEN a = 1 THEN now() END)::text"
                       " FROM generate_series(0, 1) s, generate_series(0, 1) a ORDER BY s, a")
        self.assertEqual(sql, self.c["approval"])
        # And hz_approval_row, which every approval function returns, uses it.
        self.assertEqual(self.sql("SELECT state FROM hz_approval_row('0', '2022')"), [("1",)])

    def test_reporting_state_matches_hz_reporting_state(self):
        """A township's state over several expected reports (Completeness
        at a coarser period, migration 013) is one rule in SQL and in C."""
        sql = self.sql("SELECT e::text, r::text, a::text, hz_reporting_state(e, r, a)::text"
                       " FROM generate_series(0, 3) e, generate_series(0, 3) r,"
                       " generate_series(0, 3) a WHERE a <= r AND r <= e ORDER BY e, r, a")
        self.assertEqual(sql, self.c["reporting"])
        states = {row[3] for row in sql}
        self.assertEqual(states, {"1", "2", "3", "4"})

    def test_no_function_answers_a_grpc_status(self):
        """The database states facts (issue 10 item 4): no function returns
        a numeric `code` or `status` column for C to pass on as a gRPC
        status; a refusal is a `refusal` column of type hz_refusal."""
        rows = self.sql("""
            SELECT p.proname || '.' || a.name || ' ' || format_type(a.type, NULL)
            FROM pg_proc p
            CROSS JOIN LATERAL unnest(p.proargnames, p.proargmodes, p.proallargtypes)
              AS a(name, mode, type)
            WHERE p.pronamespace = 'public'::regnamespace AND a.mode IN ('o', 't', 'b')
              AND (a.name IN ('code', 'status')
                   AND a.type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype)
                OR a.name = 'refusal' AND a.type <> 'hz_refusal'::regtype)
            ORDER BY 1""")
        self.assertEqual(rows, [])

    def test_token_functions_answer_refusal_reasons(self):
        """hz_create_token and hz_revoke_token name each refusal with a
        reason, and api/refusal.c maps it to the status the functions
        returned as a number before 011 (behaviour unchanged on the wire)."""
        self.sql(SMALL_TREE + """
            INSERT INTO tokens (name, role, region_code, secret_hash)
              SELECT 'twin', 1, '420624101', sha256(n::text::bytea) FROM generate_series(1, 2) n;""")
        status = dict(self.c["refusal"])

        def create(name, role, region):
            return self.sql("SELECT coalesce(refusal::text, '-'), message, id IS NOT NULL"
                            " FROM hz_create_token(%s, %d::smallint, %s, sha256(%s::bytea),"
                            " NULL, 'me')" % (pgcluster.sql_literal(name), role,
                                              pgcluster.sql_literal(region) if region else "NULL",
                                              pgcluster.sql_literal(name)))[0]

        def revoke(id_, name):
            return self.sql("SELECT coalesce(refusal::text, '-'), message, coalesce(changed::text, '-')"
                            " FROM hz_revoke_token(%s, %s, NULL, 'me')"
                            % (id_ or "NULL", pgcluster.sql_literal(name) if name else "NULL"))[0]

        self.assertEqual(create("t1", 1, "420624101"), ("-", "", "t"))
        refused = [
            (create("t1", 1, "420624101"), "name_taken", 6, "already named t1"),
            (create("t2", 1, "420624"), "role_level_mismatch", 3,
             "a township token needs a reporting region; 420624 (x) is a county"),
            (create("t3", 2, "420624101"), "role_level_mismatch", 3,
             "a county token reads a subtree; 420624101 (t) is a township"),
            (create("t4", 1, "420624999"), "unknown_region", 5, "unknown region 420624999"),
            (revoke(None, "nobody"), "unknown_token", 5, "no token is named nobody"),
            (revoke("987654321", None), "unknown_token", 5, "unknown token id 987654321"),
            (revoke(None, "twin"), "name_ambiguous", 9, "2 active tokens are named twin"),
        ]
        for row, reason, old_code, said in refused:
            with self.subTest(reason=reason, said=said):
                self.assertEqual(row[0], reason)
                self.assertIn(said, row[1])
                self.assertEqual(int(status[reason]), old_code)
        # Revoking twice is no refusal: the token is revoked, as asked.
        self.assertEqual(revoke(None, "t1"), ("-", "", "true"))
        self.assertEqual(revoke(None, "t1"), ("-", "", "false"))

    def test_every_refusal_reason_has_a_status_and_no_other(self):
        sql = [r[0] for r in self.sql("SELECT unnest(enum_range(NULL::hz_refusal))::text")]
        c = [r[0] for r in self.c["refusal"]]
        self.assertEqual(sorted(set(sql) - set(c)), [], "reasons without a C mapping")
        self.assertEqual(sorted(set(c) - set(sql)), [], "C reasons the database cannot return")
        self.assertEqual(c, sql, "C order differs from the enum's")
        for name, status in self.c["refusal"]:
            # A refusal is never OK, UNKNOWN or INTERNAL: it is the request's.
            self.assertNotIn(int(status), (0, 2, 13), name)


if __name__ == "__main__":
    unittest.main()
