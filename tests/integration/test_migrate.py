"""huizongd migrate against real PostgreSQL: applies every embedded file in
order and records it, is a no-op when current, and on a failing file rolls
that file back and exits non-zero with the SQL error."""
import os
import subprocess
import sys
import unittest

import harness
import pgcluster


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

    def test_no_database_url_is_a_usage_error(self):
        env = harness.server_env()
        env.pop("DATABASE_URL", None)
        res = subprocess.run([harness.huizongd_path(), "migrate"], capture_output=True, text=True,
                             timeout=30, env=env)
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("DATABASE_URL", res.stderr)


if __name__ == "__main__":
    unittest.main()
