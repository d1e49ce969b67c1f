"""The two commands README promises, as a newcomer and CI meet them.

deploy/quickstart.sh runs from a copy of this checkout (the files git
knows, tracked or not ignored) in a fresh 0700 directory under a root-only
parent, the way a clone under /root looks: it must reach SERVING with its
own huizongd on the port it was given, load the demo county, print its
figures and the admin token's file, and leave its private PostgreSQL where
user postgres can reach it. With the port taken (a socket that accepts, and
one that is bound without accepting) it must exit non-zero naming the port
and HUIZONG_LISTEN, never report a running server. A package it needs that
is not installed is named with the apt-get line to install it. The test
builds nothing: HZ_BUILD_DIR is the build directory of HUIZONGD, and
HZ_SKIP_APT=1 keeps apt-get out of the test (deploy/test.sh installs the
packages before the suite runs).

Tests cannot silently disappear. deploy/test.sh counts a skipped test as
a failure of the run unless HZ_ALLOW_SKIPS=1, and its last line stays "N
passed, N failed"; it runs here against stand-ins for meson and ninja that
report chosen results, so its accounting is checked without building
anything. A unit test whose dependency or source is missing fails `meson
setup` (checked on a copy of the checkout). test_admin's call helper
fails, not skips, on UNIMPLEMENTED (checked against a grpcio server with
no services, where every method is UNIMPLEMENTED)."""

import atexit
import hashlib
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import unittest
from concurrent import futures

import grpc

import harness
import pgcluster as pc

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
# The demo load (four dozen CLI calls) dominates a start; generous for a
# loaded 2-core machine, yet bounded.
START_TIMEOUT = 420
SHORT_TIMEOUT = 120
STOP_WAIT_S = 30


def build_dir():
    """The build directory holding HUIZONGD (<builddir>/service/huizongd)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(harness.huizongd_path())))


def copy_checkout(dest):
    """Copies the files git lists (tracked, and untracked but not ignored)."""
    out = subprocess.run(["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others",
                          "--exclude-standard"], stdout=subprocess.PIPE, check=True,
                         timeout=60).stdout
    copied = 0
    for rel in sorted(set(out.decode().split("\0")) - {""}):
        src = os.path.join(ROOT, rel)
        if not os.path.lexists(src):  # deleted in the work tree, still indexed
            continue
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(src, target, follow_symlinks=False)
        copied += 1
    return copied


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


class QuickstartTest(unittest.TestCase):
    running = None  # the quickstart.sh run in progress (a Popen), if any

    @classmethod
    def setUpClass(cls):
        # Root-only parent, 0700 checkout: postgres can enter neither.
        cls.parent = tempfile.mkdtemp(prefix="hz-quickstart-")
        os.chmod(cls.parent, 0o700)
        cls.checkout = os.path.join(cls.parent, "huizong")
        os.mkdir(cls.checkout, 0o700)
        if copy_checkout(cls.checkout) == 0:
            raise AssertionError("git ls-files listed nothing under %s" % ROOT)
        cls.script = os.path.join(cls.checkout, "deploy", "quickstart.sh")
        digest = hashlib.sha256(cls.checkout.encode()).hexdigest()[:12]
        cls.pg_parent = "/var/tmp/huizong-" + digest if os.geteuid() == 0 else None
        # meson stops a timed-out test with SIGTERM: the quick start's
        # huizongd (its own session) and PostgreSQL must not outlive it.
        atexit.register(cls.clean)
        signal.signal(signal.SIGTERM, cls.on_sigterm)

    @classmethod
    def clean(cls):
        """`quickstart.sh clean` and the copy removed; once. Returns the
        clean run, or None when already done."""
        if not os.path.isdir(cls.parent):
            return None
        try:
            return cls.run_qs("clean", timeout=SHORT_TIMEOUT)
        finally:
            shutil.rmtree(cls.parent, ignore_errors=True)

    @classmethod
    def on_sigterm(cls, signum, _frame):
        if cls.running is not None:
            try:
                os.killpg(cls.running.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        cls.clean()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    @classmethod
    def tearDownClass(cls):
        done = cls.clean()
        if done is not None and done.returncode != 0:
            raise AssertionError("quickstart.sh clean failed:\n" + done.stderr)
        if cls.pg_parent and os.path.exists(cls.pg_parent):
            raise AssertionError("quickstart.sh clean left " + cls.pg_parent)

    @classmethod
    def run_qs(cls, *args, env=None, timeout=SHORT_TIMEOUT):
        full = {k: v for k, v in os.environ.items()
                if k not in ("DATABASE_URL", "HUIZONG_LISTEN", "HZ_DEMO", "HZ_PACKAGES_FILE")}
        # HZ_SKIP_CONSOLE: the test builds nothing, the console included.
        full.update({"HZ_SKIP_APT": "1", "HZ_SKIP_CONSOLE": "1", "HZ_BUILD_DIR": build_dir()})
        full.update(env or {})
        # Its own process group, so that SIGTERM can stop a run midway.
        with subprocess.Popen([cls.script] + list(args), env=full, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              start_new_session=True) as proc:
            cls.running = proc
            try:
                out, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                raise
            finally:
                cls.running = None
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def stop(self):
        done = self.run_qs("stop")
        self.assertEqual(done.returncode, 0, done.stderr)

    def assert_not_running(self):
        status = self.run_qs("status")
        self.assertNotEqual(status.returncode, 0, "status says running:\n" + status.stderr)

    def assert_refused_port(self, port, done):
        both = done.stdout + done.stderr
        self.assertNotEqual(done.returncode, 0, both)
        self.assertIn("127.0.0.1:%d" % port, done.stderr)
        self.assertIn("HUIZONG_LISTEN", done.stderr)
        self.assertNotIn("huizongd is running", both)
        self.assertNotIn("loading the demo", both)
        self.assert_not_running()

    def test_serves_from_a_private_checkout(self):
        port = free_port()
        addr = "127.0.0.1:%d" % port
        self.addCleanup(self.stop)
        done = self.run_qs(env={"HUIZONG_LISTEN": addr}, timeout=START_TIMEOUT)
        both = done.stdout + "\n" + done.stderr
        self.assertEqual(done.returncode, 0, both)
        self.assertIn("huizongd is running", done.stdout)
        self.assertIn("on %s;" % addr, done.stdout)
        # The private cluster is where user postgres can reach it.
        if self.pg_parent:
            self.assertIn("private PostgreSQL cluster in %s/pg" % self.pg_parent, done.stderr)
            self.assertTrue(os.path.isfile(os.path.join(self.pg_parent, "pg", "data",
                                                        "PG_VERSION")))
        # The demo's rollups were printed and checked against the reports.
        self.assertIn("== 九集镇 2022Q1", done.stdout)
        self.assertIn("49,000", done.stdout)  # 固定资产投资4.9个亿, in 万元 (table: separators)
        self.assertIn("demo county loaded", done.stdout)
        # The rules at work: one submission refused with its message, one
        # warning accepted with its explanation (dry runs).
        self.assertIn("已化解村级债务 5000万元 超过锁定债务 4300万元", done.stdout)
        self.assertIn("新开工郑万高铁配套物流园项目", done.stdout)
        # The admin token's file is named when it is made and at the end.
        m = re.search(r"admin token: (\S+\.token)", done.stdout)
        self.assertIsNotNone(m, both)
        token_file = m.group(1)
        self.assertIn("stored in %s" % token_file, done.stderr)
        self.assertTrue(token_file.startswith(self.checkout + "/.hz/"), token_file)
        self.assertEqual(stat.S_IMODE(os.stat(token_file).st_mode), 0o600)
        with open(token_file, encoding="ascii") as f:
            self.assertRegex(f.read().strip(), r"^hz_[0-9]+_\S{16,}$")
        self.assertNotIn("grpcurl", done.stdout)
        self.assertIn("buf curl", done.stdout)
        # The server answering is the quick start's own.
        with open(os.path.join(self.checkout, ".hz", "huizongd.pid"), encoding="ascii") as f:
            pid = int(f.read())
        self.assertTrue(os.path.realpath("/proc/%d/exe" % pid).startswith(
            os.path.realpath(harness.huizongd_path())))
        with grpc.insecure_channel(addr) as ch:
            harness.assert_serving(self, ch)
        status = self.run_qs("status")
        self.assertEqual(status.returncode, 0, status.stderr)
        self.assertIn("(pid %d) on %s" % (pid, addr), status.stderr)
        self.stop()
        for _ in range(STOP_WAIT_S * 10):
            if not pid_alive(pid):
                break
            time.sleep(0.1)
        self.assertFalse(pid_alive(pid), "huizongd %d still running after stop" % pid)

    def test_port_taken_by_an_accepting_socket(self):
        with socket.socket() as other:
            other.bind(("127.0.0.1", 0))
            other.listen(8)
            port = other.getsockname()[1]
            done = self.run_qs(env={"HUIZONG_LISTEN": "127.0.0.1:%d" % port, "HZ_DEMO": "0"})
        self.assert_refused_port(port, done)

    def test_port_taken_by_another_huizongd(self):
        # The reported case: a server that answers SERVING, but not ours.
        other = harness.Server().start()
        try:
            done = self.run_qs(env={"HUIZONG_LISTEN": other.address, "HZ_DEMO": "0"})
        finally:
            other.stop()
        self.assert_refused_port(other.port, done)

    def test_port_bound_without_accepting(self):
        # Connecting is refused, so only huizongd's own bind can tell.
        with socket.socket() as other:
            other.bind(("127.0.0.1", 0))
            port = other.getsockname()[1]
            self.addCleanup(self.stop)
            done = self.run_qs(env={"HUIZONG_LISTEN": "127.0.0.1:%d" % port, "HZ_DEMO": "0"})
        self.assert_refused_port(port, done)
        self.assertIn("address already in use", done.stderr)

    def test_missing_package_is_named(self):
        with tempfile.NamedTemporaryFile("w", suffix=".packages") as plist:
            plist.write("# one package no machine has\nhz-test-no-such-package build\n")
            plist.flush()
            done = self.run_qs(env={"HZ_PACKAGES_FILE": plist.name,
                                    "HUIZONG_LISTEN": "127.0.0.1:%d" % free_port()})
        self.assertNotEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("apt-get install -y --no-install-recommends hz-test-no-such-package",
                      done.stderr)
        self.assertNotIn("huizongd is running", done.stdout)
        self.assert_not_running()


# Stand-ins for meson and ninja: `setup DIR` makes DIR look configured,
# `test -C DIR` writes one testlog.json line per word of HZ_STUB_RESULTS.
MESON_STUB = r"""#!/bin/sh
cmd=$1; shift
case $cmd in
  setup) for a in "$@"; do d=$a; done
         mkdir -p "$d/meson-private" && : > "$d/meson-private/coredata.dat" ;;
  test)  d=$2; mkdir -p "$d/meson-logs"; : > "$d/meson-logs/testlog.json"
         n=0
         for r in $HZ_STUB_RESULTS; do
           n=$((n + 1))
           printf '{"name": "t%d", "result": "%s"}\n' $n $r >> "$d/meson-logs/testlog.json"
         done ;;
esac
"""


class TestScriptTest(unittest.TestCase):

    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="hz-testsh-")
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        stubs = os.path.join(self.tmp, "bin")
        os.mkdir(stubs)
        for name, body in (("meson", MESON_STUB), ("ninja", "#!/bin/sh\nexit 0\n")):
            path = os.path.join(stubs, name)
            with open(path, "w", encoding="ascii") as f:
                f.write(body)
            os.chmod(path, 0o755)
        self.path = stubs + os.pathsep + os.environ["PATH"]

    def run_test_sh(self, results, allow_skips=None):
        env = {k: v for k, v in os.environ.items() if k != "HZ_ALLOW_SKIPS"}
        env.update({"PATH": self.path, "HZ_SKIP_APT": "1", "HZ_SKIP_ASAN": "1", "HZ_SKIP_CONSOLE": "1",
                    "HZ_BUILD_DIR": os.path.join(self.tmp, "build"),
                    "HZ_STUB_RESULTS": " ".join(results), "HZ_TEST_ARGS": ""})
        if allow_skips is not None:
            env["HZ_ALLOW_SKIPS"] = allow_skips
        done = subprocess.run([os.path.join(ROOT, "deploy", "test.sh")], env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=SHORT_TIMEOUT)
        lines = done.stdout.strip().splitlines()
        return done.returncode, lines[-1] if lines else "", done.stdout + done.stderr

    def test_all_passed(self):
        rc, last, out = self.run_test_sh(["OK", "OK"])
        self.assertEqual((rc, last), (0, "2 passed, 0 failed"), out)

    def test_a_failure_fails(self):
        rc, last, out = self.run_test_sh(["OK", "FAIL"])
        self.assertEqual((rc, last), (1, "1 passed, 1 failed"), out)

    def test_a_skip_fails_the_run(self):
        rc, last, out = self.run_test_sh(["OK", "SKIP"])
        self.assertEqual((rc, last), (1, "1 passed, 0 failed"), out)
        self.assertIn("HZ_ALLOW_SKIPS=1", out)

    def test_skips_allowed_by_name(self):
        rc, last, out = self.run_test_sh(["OK", "SKIP"], allow_skips="1")
        self.assertEqual((rc, last), (0, "1 passed, 0 failed"), out)
        rc, last, out = self.run_test_sh(["OK", "SKIP"], allow_skips="0")
        self.assertEqual(rc, 1, out)


class ConfigureTest(unittest.TestCase):
    """`meson setup` on a copy whose unit test list names something absent."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="hz-configure-")
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.src = os.path.join(self.tmp, "src")
        copy_checkout(self.src)

    def setup_with_entry(self, entry):
        path = os.path.join(self.src, "tests", "unit", "meson.build")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("unit_tests = [\n", text)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("unit_tests = [\n", "unit_tests = [\n  %s,\n" % entry, 1))
        return subprocess.run(["meson", "setup", os.path.join(self.tmp, "build"), self.src],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=SHORT_TIMEOUT)

    def test_missing_dependency_fails_configuration(self):
        done = self.setup_with_entry("['test_gone', ['test_ident.c'], ['hz_no_such_dep']]")
        self.assertNotEqual(done.returncode, 0, done.stdout)
        self.assertIn("hz_no_such_dep", done.stdout)

    def test_missing_source_fails_configuration(self):
        done = self.setup_with_entry("['test_gone', ['test_gone.c'], ['hzservice_dep']]")
        self.assertNotEqual(done.returncode, 0, done.stdout)
        self.assertIn("test_gone.c", done.stdout)


class UnimplementedFailsTest(unittest.TestCase):
    """test_admin's helper against a real gRPC server that serves nothing."""

    def test_unimplemented_admin_method_fails_not_skips(self):
        import test_admin
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        self.addCleanup(server.stop, None)
        case = test_admin.AdminTest("test_create_token_refusals")
        case.a, case.c = pc.admin_pb(), pc.common_pb()
        case.chan = grpc.insecure_channel("127.0.0.1:%d" % port)
        self.addCleanup(case.chan.close)
        case.md = lambda label: []
        try:
            case.admin("WhoAmI", case.a.WhoAmIRequest(), timeout=10)
        except unittest.SkipTest as e:
            self.fail("UNIMPLEMENTED was turned into a skip: %s" % e)
        except case.failureException as e:
            self.assertIn("UNIMPLEMENTED", str(e))
        else:
            self.fail("a server without Admin answered WhoAmI")


if __name__ == "__main__":
    pc.main()
