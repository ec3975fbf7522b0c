#!/usr/bin/env bash
# skp against an earlier skp, on the same hosts in one session: W1 (`true` on 50 hosts, new
# connections), W2 (5 commands in a row on 50 hosts) and the 1,000-host x 100-volume plan.
# For a change to the hot path when the peers need not be rerun (bench/run.sh runs them all).
#
#   bench/compare.sh OLD_BINARY NEW_BINARY     (root; a 50-host sshd-only lab; hyperfine)
#   OLD_TASKS=DIR bench/compare.sh …            the old binary's own tasks/ (when the language changed)
#
# Each case runs the old binary's runs, then the new one's (RUNS timed runs each, default 10; 30
# for the plan), after warm-up runs, so both meet the same warm hosts.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD="$(realpath "$1")${OLD_TASKS:+ --tasks $(realpath "$OLD_TASKS")}" NEW=$(realpath "$2")
RUNS=${RUNS:-10}
OUT=bench/out
mkdir -p "$OUT"
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null
$NEW lab.up --size 50 >/dev/null
python3 - ".skp/lab-50" "$OUT/inv-50" <<'PY'
import json, os, sys
source, target = sys.argv[1], sys.argv[2]
hosts = dict(sorted(json.load(open(f"{source}/hosts.json")).items())[:50])
os.makedirs(target, exist_ok=True)
json.dump(hosts, open(f"{target}/hosts.json", "w"), indent=1)
for name in ("volumes", "networks"):
    json.dump({}, open(f"{target}/{name}.json", "w"))
PY
bash bench/plan.sh >/dev/null 2>&1 || true   # makes bench/out/plan-1000x100
w1() { echo "$1 --inventory $OUT/inv-50 --color never ssh.cmd -c=true"; }
w2() { echo "$1 --inventory $OUT/inv-50 --color never ssh.cmd -c=true ssh.cmd -c=: ssh.cmd -c='true ' ssh.cmd -c=': ' ssh.cmd -c='true  '"; }
plan() { echo "$1 --inventory $OUT/plan-1000x100 --dry-run docker.volume-create"; }
for case in w1 w2 plan; do
    runs=$RUNS; [ "$case" = plan ] && runs=30
    hyperfine -N -w 2 -r "$runs" --export-json "$OUT/compare-$case.json" \
        -n "old $case" "$($case "$OLD")" -n "new $case" "$($case "$NEW")" >/dev/null
    python3 - "$OUT/compare-$case.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f'{r["command"]:10s} mean {r["mean"]*1000:7.1f} ms  median {r["median"]*1000:7.1f} ms  '
          f'min {r["min"]*1000:7.1f}  max {r["max"]*1000:7.1f}  user {r["user"]*1000:6.1f} ms  system {r["system"]*1000:6.1f} ms')
PY
done
