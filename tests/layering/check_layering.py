#!/usr/bin/python3
"""Holds the layering of src/ (src/README.md): fails, naming each offending include, when

  - a folder includes a folder it may not depend on (ALLOWED below: the layers, lowest
    first; a folder may include itself and what it lists);
  - a file outside a storage backend includes that backend's headers (only the backend and
    the commands that open a store may), or one backend includes the other;
  - a third-party header whose library one file or folder is meant to hold is included
    anywhere else (CONFINED below).

CMake links make most wrong includes fail to build; this catches the ones a link would
let through (a header-only use, or a library that happens to be linked for another reason).

Usage: check_layering.py [SRC_DIR]      (default: the src/ beside tests/)
       check_layering.py --self-test    (the checker finds planted violations)
"""

import os
import re
import sys
import tempfile

# Folder -> the folders its files may include, besides its own. Record types flow one way:
# the store keeps the domain's value types (profiles, events, segments); the domain's
# services (auth, campaigns, ratelimit, tracking) use the store, and auth counts sign-ins with
# ratelimit's Limiter; nothing below includes what is above.
ALLOWED = {
    "core": set(),
    "profiles": {"core"},
    "events": {"core", "profiles"},
    "segments": {"core", "profiles", "events"},
    "store": {"core", "profiles", "events", "segments"},
    "delivery": {"core"},
    "http": {"core"},
    "web": {"core", "http"},
    "ratelimit": {"core", "store"},
    "auth": {"core", "store", "ratelimit"},
    "campaigns": {"core", "profiles", "events", "segments", "store", "delivery"},
    "tracking": {"core", "profiles", "events", "store"},
    "api": {"core", "profiles", "events", "segments", "store", "delivery", "http", "auth",
            "ratelimit", "campaigns", "tracking", "web"},
    "cli": {"core", "profiles", "events", "segments", "store", "delivery", "http", "auth",
            "ratelimit", "campaigns", "tracking", "web", "api"},
    ".": {"core", "profiles", "events", "segments", "store", "delivery", "http", "auth",
          "ratelimit", "campaigns", "tracking", "web", "api", "cli"},  # main.cc
}

# A backend: who may include its headers besides the backend itself, and which ones (the
# factory that opens it and its migrations); its other headers are its own.
BACKENDS = {
    "store/sqlite/": (("cli/", "main.cc"),
                      ("store/sqlite/sqlite_store.h", "store/sqlite/migrations.h")),
    "store/postgres/": (("cli/", "main.cc"), ("store/postgres/postgres_store.h",)),
}

# Third-party header prefix -> the only paths (files or folders of src/) that include it.
CONFINED = {
    "sqlite3.h": ("store/sqlite/",),
    "libpq-fe.h": ("store/postgres/",),
    "hiredis/": ("ratelimit/redis_limiter.cc",),
    "curl/": ("delivery/http_post.cc", "main.cc"),
    "boost/beast": ("http/server.cc",),
    "boost/asio": ("http/server.cc", "http/server.h"),
    "phonenumbers/": ("profiles/phone.cc",),
    "zlib.h": ("http/gzip.cc",),
    "CLI/": ("cli/", "main.cc"),
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]', re.M)


def folder_of(rel):
    return rel.split("/", 1)[0] if "/" in rel else "."


def within(rel, places):
    return any(rel == p or (p.endswith("/") and rel.startswith(p)) for p in places)


def check(src):
    problems = []
    for root, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith((".h", ".cc")):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src).replace(os.sep, "/")
            folder = folder_of(rel)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for m in INCLUDE.finditer(text):
                kind, target = m.group(1), m.group(2)
                line = text.count("\n", 0, m.start()) + 1
                where = f"{rel}:{line}: #include {kind}{target}{'>' if kind == '<' else kind}"
                if kind == '"' and "/" in target:
                    to = folder_of(target)
                    if folder not in ALLOWED:
                        problems.append(f"{where}: folder '{folder}' has no place in the layers")
                    elif to != folder and to not in ALLOWED[folder]:
                        problems.append(f"{where}: {folder}/ may not depend on {to}/")
                    for backend, (users, public) in BACKENDS.items():
                        if not target.startswith(backend) or rel.startswith(backend):
                            continue
                        if not within(rel, users):
                            problems.append(f"{where}: only {backend} and {', '.join(users)} "
                                            f"include {backend} headers")
                        elif target not in public:
                            problems.append(f"{where}: {target} is internal to {backend}; "
                                            f"include {' or '.join(public)}")
                if kind == "<":
                    for header, owners in CONFINED.items():
                        if target.startswith(header) and not within(rel, owners):
                            problems.append(f"{where}: <{header}...> belongs to "
                                            f"{', '.join(owners)} only")
    return problems


def self_test():
    planted = {
        "core/bad.cc": '#include "store/store.h"\n',
        "api/bad.cc": '#include "store/sqlite/sqlite_store.h"\n',
        "store/bad.cc": '#include "store/postgres/pg_conn.h"\n',
        "delivery/bad.cc": '#include <sqlite3.h>\n',
        "tools/bad.cc": '#include "core/status.h"\n',
        "cli/ok.cc": '#include "store/sqlite/sqlite_store.h"\n#include <CLI/CLI.hpp>\n',
        "cli/bad.cc": '#include "store/sqlite/backend.h"\n',
        "delivery/email/bad.cc": '#include <curl/curl.h>\n',
        "store/sqlite/ok.cc": '#include <sqlite3.h>\n#include "store/sqlite/sqlite_db.h"\n',
    }
    with tempfile.TemporaryDirectory() as src:
        for rel, text in planted.items():
            os.makedirs(os.path.join(src, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(src, rel), "w", encoding="utf-8") as f:
                f.write(text)
        problems = check(src)
    found = {p.split(":", 1)[0] for p in problems}
    expected = {rel for rel in planted if "/bad." in rel}
    if found != expected or len(problems) != len(expected):
        print("self-test failed: expected one problem in each of", sorted(expected))
        print("\n".join(problems))
        return 1
    print(f"self-test: the {len(expected)} planted violations found, and nothing else")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    here = os.path.dirname(os.path.abspath(__file__))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "src")
    problems = check(src)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) break the layering (tests/layering/check_layering.py)")
        return 1
    print("layering holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
