#!/usr/bin/env python3
"""Fails when a C file of the tree is longer than 600 lines or holds a
function longer than 80 (issue 10: small files and functions so that a
reader finds one concern per place).

A function is measured by matching its braces with string and character
literals, comments and preprocessor lines skipped, so a '{' inside a string
("{[\\"tfn-") neither opens nor closes anything, and a signature wrapped
over several lines counts from its first line: a body at file scope whose
'{' follows a ')' is a function; its length runs from the first line of
its declaration to its closing '}'."""
import os
import subprocess
import sys

FILE_MAX = 600
FUNCTION_MAX = 80


def c_files(root):
    """The tracked C files, or every .c below the source folders when the
    tree is not a git checkout (a release tarball)."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "*.c"], capture_output=True,
                             text=True, check=True).stdout.split()
        if out:
            return out
    except (OSError, subprocess.CalledProcessError):
        pass
    found = []
    for top in ("service", "client", "proto", "tests"):
        for dirpath, _dirs, files in os.walk(os.path.join(root, top)):
            found += [os.path.relpath(os.path.join(dirpath, f), root)
                      for f in files if f.endswith(".c")]
    return found


def skip_literal(src, i):
    """Index after the string or character literal starting at src[i]."""
    quote, j = src[i], i + 1
    while j < len(src) and src[j] != quote:
        j += 2 if src[j] == "\\" else 1
    return j + 1


def functions(src):
    """(first line, length in lines) of each function defined in src."""
    i, n, line, depth, paren = 0, len(src), 1, 0, 0
    decl, start, is_function, at_line_start = None, None, False, True
    while i < n:
        c = src[i]
        if c == "\n":
            line, i, at_line_start = line + 1, i + 1, True
            continue
        if at_line_start and c == "#":  # a directive, continuation lines too
            while i < n and src[i] != "\n":
                if src.startswith("\\\n", i):
                    line += 1
                    i += 1
                i += 1
            continue
        if not c.isspace():
            at_line_start = False
        if src.startswith("//", i):
            i = src.find("\n", i)
            i = n if i < 0 else i
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += src.count("\n", i, j)
            i = j
            continue
        if c in "\"'":
            j = skip_literal(src, i)
            line += src.count("\n", i, j)
            i = j
            continue
        if depth == 0 and decl is None and not c.isspace():
            decl = line
        if c == "(":
            paren += 1
        elif c == ")":
            paren -= 1
        elif c == "{":
            if depth == 0:
                is_function = paren == 0 and src[:i].rstrip().endswith(")")
                start = decl
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                if is_function:
                    yield start, line - start + 1
                decl = None
        elif c == ";" and depth == 0:
            decl = None
        i += 1


def main(root):
    bad = []
    files = c_files(root)
    for rel in files:
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            src = f.read()
        lines = src.count("\n")
        if lines > FILE_MAX:
            bad.append("%s: %d lines (limit %d)" % (rel, lines, FILE_MAX))
        for first, length in functions(src):
            if length > FUNCTION_MAX:
                bad.append("%s:%d: function of %d lines (limit %d)" %
                           (rel, first, length, FUNCTION_MAX))
    for b in bad:
        print(b)
    print("%d C files checked, %d over a limit" % (len(files), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
