#!/usr/bin/env python3
"""Fails when service/ spells a fact outside its one home (issue 10,
"domain rules in one place"):

  - SQL text: a C string literal that begins with an SQL command, outside
    the statement table (service/db/sql/*.def, read by db/statements.h).
    A statement written elsewhere escapes test_db_pool's check of its
    parameters and columns against a migrated database, and drifts.
  - Role names: a string literal that is exactly a role's name, outside
    service/domain/role.c (hz_role_name / hz_role_parse, which
    test_migrate compares with SQL's hz_role_name).

Prose that mentions a role ("township, county or admin") is fine; only a
literal that *is* a name or *is* a statement counts."""
import os
import re
import sys

# Why db/migrate.c is exempt: the migration runner creates the schema the
# statement table describes; its bookkeeping (schema_migrations, the
# advisory lock, BEGIN/COMMIT around each file) runs on a plain connection
# before any table row could be prepared, so it cannot live in the table.
SQL_EXEMPT = {"db/migrate.c"}
ROLE_HOME = {"domain/role.c"}

SQL_START = re.compile(r'"\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|SET|'
                       r'BEGIN|COMMIT|ROLLBACK|LISTEN|NOTIFY|COPY|CALL|PREPARE|EXECUTE)\b')
ROLE_LITERAL = re.compile(r'"(township|county|admin)"')
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def strip_comments(text):
    """Comments may quote statements and names; keep line numbers."""
    return COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def check_file(rel, text):
    bad = []
    for n, line in enumerate(strip_comments(text).splitlines(), 1):
        if rel not in SQL_EXEMPT and SQL_START.search(line):
            bad.append("service/%s:%d: SQL text outside db/sql/*.def" % (rel, n))
        if rel not in ROLE_HOME and ROLE_LITERAL.search(line):
            bad.append("service/%s:%d: a role name outside domain/role.c (use hz_role_name)"
                       % (rel, n))
    return bad


def main(root):
    service = os.path.join(root, "service")
    bad = []
    for dirpath, _dirs, files in os.walk(service):
        for name in sorted(files):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, service)
            with open(path, encoding="utf-8") as f:
                bad += check_file(rel, f.read())
    for b in bad:
        print(b)
    print("%d facts outside their home" % len(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
