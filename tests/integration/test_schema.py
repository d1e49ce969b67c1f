"""migrations/schema.sql is the schema a fresh `huizongd migrate` leaves.

It is checked in so that a reader finds one current definition of every
function (later migrations redefine earlier ones). This test migrates a
fresh database, dumps it, and fails with a diff when the file is stale.
HZ_SCHEMA_WRITE=1 rewrites the file instead of failing."""
import difflib
import os
import sys
import unittest

import pgcluster

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "migrations"))
import dump_schema  # noqa: E402

SCHEMA = os.path.join(ROOT, "migrations", "schema.sql")


class SchemaTest(unittest.TestCase):
    def test_schema_sql_is_current(self):
        cluster = pgcluster.cluster()  # its "huizong" database is freshly migrated
        fresh = dump_schema.HEADER + dump_schema.dump(cluster.base_url)
        if os.environ.get("HZ_SCHEMA_WRITE") == "1":
            with open(SCHEMA, "w", encoding="utf-8") as f:
                f.write(fresh)
            return
        with open(SCHEMA, encoding="utf-8") as f:
            kept = f.read()
        if kept != fresh:
            diff = "".join(list(difflib.unified_diff(
                kept.splitlines(True), fresh.splitlines(True),
                "migrations/schema.sql (checked in)", "fresh huizongd migrate"))[:200])
            self.fail("migrations/schema.sql is stale; regenerate with "
                      "HZ_SCHEMA_WRITE=1 meson test -C build test_schema\n" + diff)
        # The file must define every hz_ function the migrations create.
        names = pgcluster.run_psql(cluster.base_url,
                                   "SELECT DISTINCT proname FROM pg_proc WHERE proname LIKE 'hz\\_%'")
        for (name,) in names:
            self.assertIn("FUNCTION public.%s(" % name, kept, name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
