#!/usr/bin/env python3
"""Fails when a service file includes a header of a layer above its own.

The layers, lowest first, are the folders of service/ (see
service/meson.build): a file may include its own layer and the ones below.
proto/ headers (generated messages, wire/) are below every layer."""
import os
import re
import sys

LAYERS = ["core", "domain", "db", "transport", "builtin", "api", "cmd"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(rel):
    top = rel.split("/", 1)[0]
    return LAYERS.index(top) if top in LAYERS else None


def main(root):
    service = os.path.join(root, "service")
    bad = []
    for dirpath, _dirs, files in os.walk(service):
        for name in files:
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, service)
            own = layer_of(rel)
            if own is None:  # main.c ties every layer together
                continue
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = layer_of(m.group(1))
                    if target is not None and target > own:
                        bad.append("service/%s:%d includes %s (%s is above %s)" % (
                            rel, n, m.group(1), LAYERS[target], LAYERS[own]))
    for b in bad:
        print(b)
    print("%d wrong-way includes" % len(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
