"""huizongd migrate against real PostgreSQL: applies every embedded file in
order and records it, is a no-op when current, and on a failing file rolls
that file back and exits non-zero with the SQL error."""
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

    def test_no_database_url_is_a_usage_error(self):
        env = harness.server_env()
        env.pop("DATABASE_URL", None)
        res = subprocess.run([harness.huizongd_path(), "migrate"], capture_output=True, text=True,
                             timeout=30, env=env)
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("DATABASE_URL", res.stderr)


if __name__ == "__main__":
    unittest.main()
