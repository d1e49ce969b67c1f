"""service/transport/embed_web.py, the generator of the console table
built into huizongd: the C it writes is compiled here with the project's
web_assets.h and read back by a small C program, so paths (sorted, as the
server's binary search needs), content types, ETags and every byte (NUL,
high bytes, quotes, trigraph-looking "??=") come out exactly as on disk;
symbolic links and names needing URL escapes are refused."""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
GEN = os.path.join(ROOT, "service", "transport", "embed_web.py")

DUMP = r'''
#include <stdio.h>
#include "transport/web_assets.h"
int main(void) {
  for (size_t i = 0; i < hz_web_assets_count; i++) {
    const hz_web_asset_t *a = &hz_web_assets[i];
    printf("%s\t%s\t%s\t%zu\t", a->path, a->content_type, a->etag, a->len);
    for (size_t j = 0; j < a->len; j++)
      printf("%02x", a->data[j]);
    printf("\n");
  }
  return 0;
}
'''


class EmbedWebTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="hz-embed-")
        self.dist = os.path.join(self.dir, "dist")
        os.makedirs(os.path.join(self.dist, "assets"))
        self.files = {
            "/index.html": b"<!doctype html><title>\xe6\xb1\x87\xe6\x80\xbb</title>\n",
            "/assets/index-4f3a.js": b'const s = "a\\"b??=c\\\\"; // ??/\n',
            "/assets/index-9c1d.css": b"body{color:#123}\n",
            "/favicon.ico": bytes(range(256)) * 3,
            "/robots.txt": b"",
        }
        for path, data in self.files.items():
            with open(self.dist + path, "wb") as f:
                f.write(data)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def generate(self, dist):
        out = os.path.join(self.dir, "web_assets.c")
        return subprocess.run([sys.executable, GEN, out] + ([dist] if dist else []),
                              capture_output=True, text=True), out

    def dump(self, c_file):
        exe = os.path.join(self.dir, "dump")
        main_c = os.path.join(self.dir, "dump.c")
        with open(main_c, "w") as f:
            f.write(DUMP)
        cc = os.environ.get("CC", "cc")
        subprocess.run([cc, "-std=gnu11", "-Wall", "-Werror", "-I", os.path.join(ROOT, "service"),
                        main_c, c_file, "-o", exe], check=True)
        return subprocess.run([exe], capture_output=True, text=True, check=True).stdout

    def test_table_round_trips_every_byte(self):
        res, out = self.generate(self.dist)
        self.assertEqual(res.returncode, 0, res.stderr)
        rows = [line.split("\t") for line in self.dump(out).splitlines()]
        self.assertEqual([r[0] for r in rows], sorted(self.files))
        types = {"/index.html": "text/html; charset=utf-8",
                 "/assets/index-4f3a.js": "text/javascript; charset=utf-8",
                 "/assets/index-9c1d.css": "text/css; charset=utf-8",
                 "/favicon.ico": "image/x-icon", "/robots.txt": "text/plain; charset=utf-8"}
        for path, ctype, etag, length, hexdata in rows:
            data = self.files[path]
            self.assertEqual(ctype, types[path])
            self.assertEqual(etag, '"%s"' % hashlib.sha256(data).hexdigest()[:20])
            self.assertEqual((int(length), bytes.fromhex(hexdata)), (len(data), data), path)

    def test_no_console_is_an_empty_table(self):
        res, out = self.generate(None)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.dump(out), "")

    def test_optional_dist(self):
        # A dist built after configuring is picked up; none yet is empty.
        out = os.path.join(self.dir, "web_assets.c")
        run = [sys.executable, GEN, out, "--optional", self.dist]
        subprocess.run(run, check=True)
        self.assertEqual([line.split("\t")[0] for line in self.dump(out).splitlines()],
                         sorted(self.files))
        os.remove(self.dist + "/index.html")
        subprocess.run(run, check=True)
        self.assertEqual(self.dump(out), "")

    def test_refusals(self):
        os.remove(self.dist + "/index.html")
        res, _ = self.generate(self.dist)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("index.html", res.stderr)
        with open(self.dist + "/index.html", "wb") as f:
            f.write(b"x")
        os.symlink("/etc/passwd", self.dist + "/passwd")
        res, _ = self.generate(self.dist)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("symbolic link", res.stderr)
        os.remove(self.dist + "/passwd")
        with open(self.dist + "/a b.js", "wb") as f:
            f.write(b"x")
        res, _ = self.generate(self.dist)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("escaping", res.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
