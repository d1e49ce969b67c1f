#!/usr/bin/env python3
"""Prints the schema a fresh `huizongd migrate` leaves: tables, indexes,
functions, triggers, as pg_dump --schema-only writes them, without the
lines that vary between runs (comments with versions, SET lines, the
migration bookkeeping rows). migrations/schema.sql is this output, checked
in so a reader finds the one current definition of every function; the
test `test_schema` fails when it is stale.

Usage: dump_schema.py DATABASE_URL   (a database just migrated)
Regenerate: HZ_SCHEMA_WRITE=1 meson test -C build test_schema
"""
import re
import subprocess
import sys


def pg_dump_path():
    for cand in ("/usr/lib/postgresql/15/bin/pg_dump", "pg_dump"):
        try:
            subprocess.run([cand, "--version"], capture_output=True, check=True)
            return cand
        except (OSError, subprocess.CalledProcessError):
            continue
    raise SystemExit("pg_dump not found (package postgresql-client-15)")


def normalize(text):
    """Drops what changes from run to run and keeps the rest verbatim."""
    out = []
    for line in text.splitlines():
        if line.startswith("-- Dumped from") or line.startswith("-- Dumped by"):
            continue
        if re.match(r"^SET |^SELECT pg_catalog\.set_config", line):
            continue
        # pg_dump 15.14+ fences its output with a random key per run.
        if re.match(r"^\\(un)?restrict ", line):
            continue
        out.append(line.rstrip())
    joined = "\n".join(out)
    joined = re.sub(r"\n{3,}", "\n\n", joined)
    return joined.strip() + "\n"


def dump(url):
    res = subprocess.run([pg_dump_path(), "--schema-only", "--no-owner", "--no-privileges",
                          "--no-comments", "--no-tablespaces", "-d", url],
                         capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        raise SystemExit("pg_dump failed: %s" % res.stderr)
    return normalize(res.stdout)


HEADER = ("-- The schema and functions as a fresh `huizongd migrate` leaves them.\n"
          "-- GENERATED from migrations/0*.sql: do not edit. Change a migration, then\n"
          "-- run: HZ_SCHEMA_WRITE=1 meson test -C build test_schema\n\n")


if __name__ == "__main__":
    sys.stdout.write(HEADER + dump(sys.argv[1]))
