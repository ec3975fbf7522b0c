#!/usr/bin/env bash
# skp against an earlier skp on a 50-host sshd-only lab, with what the hosts spend: wall time,
# client CPU and the hosts' sshd CPU (sessions, shells and what they ran) per run, by measure.py.
# For a change to what runs on the hosts (issue 17: one long-lived channel per host).
#
#   bench/server-cpu.sh OLD_BINARY NEW_BINARY     (root; RUNS timed runs per case, default 10)
#
# W1 `true` on 50 hosts (new connections); W2 5 commands in a row (5 tasks) on 50 hosts;
# W3 `hostname` on 50 hosts. Old and new alternate case by case, on the same warm hosts.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$(realpath "$1") NEW=$(realpath "$2")
OUT=bench/out
mkdir -p "$OUT"
"$NEW" lab.up --size 50 >/dev/null
python3 - ".skp/lab-50" "$OUT/inv-50" <<'PY'
import json, os, sys
source, target = sys.argv[1], sys.argv[2]
hosts = dict(sorted(json.load(open(f"{source}/hosts.json")).items())[:50])
os.makedirs(target, exist_ok=True)
json.dump(hosts, open(f"{target}/hosts.json", "w"), indent=1)
for name in ("volumes", "networks"):
    json.dump({}, open(f"{target}/{name}.json", "w"))
PY
cases="$OUT/server-cpu-cases.tsv"
: > "$cases"
for workload in W1 W2 W3; do
    for which in old new; do
        bin=$OLD; [ "$which" = new ] && bin=$NEW
        case $workload in
            W1) args="ssh.cmd -c=true" ;;
            W2) args="ssh.cmd -c=true ssh.cmd -c=: ssh.cmd -c='true ' ssh.cmd -c=': ' ssh.cmd -c='true  '" ;;
            W3) args="ssh.cmd -c=hostname" ;;
        esac
        printf '%s\t50\tskp-%s\texit\t%s --inventory %s --color never %s\n' "$workload" "$which" "$bin" "$OUT/inv-50" "$args" >> "$cases"
    done
done
rm -f "$OUT/server-cpu.jsonl"
python3 bench/measure.py "$cases" "$OUT/server-cpu.jsonl"
