"""A streaming standby of this process's test cluster (pgcluster.cluster()),
for the read-replica tests (issue 16 item 3).

The standby is a pg_basebackup -R of the primary, taken as user postgres
over the primary's unix socket (initdb's "local replication trust" line),
then run by deploy/pg.sh on its own free loopback port and socket, so it
leaves the primary and every other test alone. Its own settings go in
standby.conf, which its postgresql.conf includes after pg.sh's
huizong.conf; set_delay rewrites it and reloads (recovery_min_apply_delay
is a reload setting). LSNs come back as integers, comparable."""

import os
import shutil
import subprocess
import tempfile
import time

import pgcluster as pc

REPLAY_TIMEOUT = 60.0  # a standby on a loaded 2-core machine catching up


def lsn_int(text):
    """'16/B374D848' as an integer (pg_lsn's order)."""
    hi, lo = text.split("/")
    return (int(hi, 16) << 32) | int(lo, 16)


def _bindir():
    dirs = sorted(d for d in os.listdir("/usr/lib/postgresql") if d.isdigit())
    if not dirs:
        raise RuntimeError("no PostgreSQL under /usr/lib/postgresql")
    return "/usr/lib/postgresql/%s/bin" % dirs[-1]


def _as_postgres(args, timeout=120):
    cmd = list(args)
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd="/")
    if res.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s%s" % (" ".join(args), res.returncode,
                                                      res.stdout, res.stderr))
    return res.stdout


class Standby:
    """One standby of primary (a pgcluster.PgCluster that is running)."""

    def __init__(self, primary, delay="0"):
        self.primary = primary
        self.parent = tempfile.mkdtemp(prefix="hz-pgstandby-")
        os.chmod(self.parent, 0o755)
        self.dir = os.path.join(self.parent, "pg")
        self.data = os.path.join(self.dir, "data")
        self.port = None
        self.base_url = None
        self.delay = delay

    def create(self):
        os.makedirs(self.dir)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        os.chmod(self.dir, 0o700)
        sock = os.path.realpath(os.path.join(self.primary.dir, "sock"))
        _as_postgres([os.path.join(_bindir(), "pg_basebackup"), "-D", self.data, "-R",
                      "-X", "stream", "-c", "fast", "-h", sock, "-p", str(self.primary.port),
                      "-U", "postgres"], timeout=300)
        # pg.sh reads the password (TCP logins) and port from DIR.
        _as_postgres(["cp", os.path.join(self.primary.dir, "password"),
                      os.path.join(self.dir, "password")])
        conf = os.path.join(self.data, "postgresql.conf")
        _as_postgres(["sh", "-c", "echo \"include_if_exists = 'standby.conf'\" >> %s" % conf])
        self._write_settings()
        self.start()
        return self

    def _write_settings(self):
        text = ("# tests/integration/replica.py\n"
                "hot_standby = on\n"
                "hot_standby_feedback = on\n"
                "recovery_min_apply_delay = '%s'\n" % self.delay)
        path = os.path.join(self.data, "standby.conf")
        tmp = os.path.join(self.parent, "standby.conf")
        with open(tmp, "w") as f:
            f.write(text)
        _as_postgres(["cp", tmp, path])

    def start(self):
        """Starts (again) on the same port as before, if any."""
        args = ["bash", pc.PG_SH, "start", self.dir] + ([str(self.port)] if self.port else [])
        res = subprocess.run(args, capture_output=True, text=True, timeout=180)
        if res.returncode != 0:
            raise RuntimeError("pg.sh start (standby) failed:\n%s%s" % (res.stdout, res.stderr))
        for line in res.stdout.splitlines():
            if line.startswith("DATABASE_URL="):
                self.base_url = line[len("DATABASE_URL="):].strip()
        with open(os.path.join(self.dir, "port")) as f:
            self.port = int(f.read().strip())

    def stop(self):
        subprocess.run(["bash", pc.PG_SH, "stop", self.dir], capture_output=True, text=True,
                       timeout=120, check=True)

    def remove(self):
        try:
            if os.path.isdir(self.dir):
                subprocess.run(["bash", pc.PG_SH, "remove", self.dir], capture_output=True,
                               text=True, timeout=120)
        finally:
            shutil.rmtree(self.parent, ignore_errors=True)

    def url(self, dbname):
        return self.base_url.rsplit("/", 1)[0] + "/" + dbname

    def set_delay(self, delay):
        self.delay = delay
        self._write_settings()
        pc.run_psql(self.url("postgres"), "SELECT pg_reload_conf()")

    # -- positions -----------------------------------------------------------

    def replay_lsn(self):
        return lsn_int(pc.run_psql(self.url("postgres"), "SELECT pg_last_wal_replay_lsn()")[0][0])

    def wait_replayed(self, lsn, timeout=REPLAY_TIMEOUT):
        """Waits until this standby has replayed lsn (an integer)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.replay_lsn() >= lsn:
                return
            time.sleep(0.1)
        raise AssertionError("standby did not replay %x in %.0fs" % (lsn, timeout))


def primary_lsn(url):
    """The primary's WAL insert position now, as an integer."""
    return lsn_int(pc.run_psql(url, "SELECT pg_current_wal_insert_lsn()")[0][0])
