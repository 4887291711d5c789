#!/bin/sh
# Seeds the corpus with every compose.yaml (and .env) of the conformance cases.
set -eu
cd "$(dirname "$0")"
mkdir -p corpus/load
python3 - <<'PY'
import glob, hashlib, re
for path in glob.glob("../crates/berth-compose/tests/conformance/*.txt"):
    for case in open(path).read().split("\n=== ")[1:]:
        sections = dict(re.findall(r"-- (\S+) --\n(.*?)(?=\n-- \S+ --\n|\Z)", case, re.S))
        yaml = sections.get("compose.yaml")
        if yaml is None:
            continue
        data = yaml + ("\n---env---\n" + sections[".env"] if ".env" in sections else "")
        name = hashlib.sha1(data.encode()).hexdigest()
        open(f"corpus/load/{name}", "w").write(data)
PY
ls corpus/load | wc -l
