#!/usr/bin/env bash
# Benchmarks skp against its peers on the same lab hosts, in one session.
#
#   bench/run.sh [N]      (default N=50; root; brings up an N-host sshd-only lab)
#
# Workloads:  W1  `true` on N hosts, new connections
#             W2  5 commands in a row on each host (skp: one connection per host)
#             W3  `hostname` on N hosts, every answer checked
# Peers: Debian's parallel-ssh and pdsh, `xargs -P` with ssh (plain, and with curve25519), and
# from PyPI in a venv (bench/out/venv): parallel-ssh (libssh2), Fabric and ansible-core.
# Writes medians and ranges to bench/RESULTS.md. CI does not run this.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}
RUNS=${RUNS:-10}
OUT=bench/out
mkdir -p "$OUT"

need() { command -v "$1" >/dev/null || apt-get install -y -qq "$2" >/dev/null; }
need hyperfine hyperfine; need parallel-ssh pssh; need pdsh pdsh

swift build -c release --product skp >/dev/null
VENV=bench/out/venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import pssh, fabric, ansible" 2>/dev/null || "$VENV/bin/pip" install -q parallel-ssh fabric ansible-core >/dev/null
PY="$PWD/$VENV/bin/python"
SKP="$PWD/.build/release/skp"
"$SKP" lab.up --size "$N" >/dev/null
INV=".skp/lab-$N"
sed -n 's/^  "h[0-9]*": {"ipv4": "\([0-9.]*\)".*/\1/p' "$INV/hosts.json" > "$OUT/hosts-$N.txt"
HOSTS="$OUT/hosts-$N.txt"
SSH_OPTS="-o BatchMode=yes -o StrictHostKeyChecking=yes -l root"
export PDSH_RCMD_TYPE=ssh PDSH_SSH_ARGS_APPEND="-o BatchMode=yes -o StrictHostKeyChecking=yes"

# Every tool's output is checked once before timing: N answers, each from the right host.
check() {
    local name=$1 got
    got=$(sort -u)
    [ "$(echo "$got" | grep -c .)" = "$N" ] || { echo "bench: $name returned $(echo "$got" | grep -c .) of $N answers" >&2; exit 1; }
}
"$SKP" --inventory "$INV" --color never ssh.cmd -c=hostname | sed -n 's/^\(h[0-9]*\) *| \(h[0-9]*\)$/\1=\2/p' | awk -F= '$1==$2' | check skp
parallel-ssh -h "$HOSTS" -l root -p "$N" -O StrictHostKeyChecking=yes -i hostname | grep -v '^\[' | check pssh
pdsh -w "^$HOSTS" -f "$N" -l root hostname | cut -d: -f2 | check pdsh
xargs -P "$N" -I{} ssh $SSH_OPTS {} hostname < "$HOSTS" | check xargs

# The Python peers, each with its per-host output checked by check() below.
cat > "$OUT/peers.py" <<'PEERS'
import sys
tool, command, hosts = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().split()
if tool == "parallel-ssh":
    from pssh.clients import ParallelSSHClient
    client = ParallelSSHClient(hosts, user="root", pool_size=len(hosts))
    for out in client.run_command(command):
        for line in out.stdout: print(line)
elif tool == "fabric":
    from fabric import ThreadingGroup
    for connection, result in ThreadingGroup(*hosts, user="root").run(command, hide=True).items():
        print(result.stdout.strip()) if result.stdout.strip() else None
PEERS
printf '[all]\n' > "$OUT/ansible-$N.ini"; sed 's/$/ ansible_user=root/' "$HOSTS" >> "$OUT/ansible-$N.ini"
ANSIBLE="ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_PYTHON_INTERPRETER=auto_silent $PWD/$VENV/bin/ansible all -i $OUT/ansible-$N.ini -f $N"
"$PY" "$OUT/peers.py" parallel-ssh hostname "$HOSTS" | check parallel-ssh-py
"$PY" "$OUT/peers.py" fabric hostname "$HOSTS" | check fabric
bash -c "$ANSIBLE -m raw -a hostname" 2>/dev/null | grep -E "^h[0-9]+$" | check ansible-raw

w1=(
  "skp:$SKP --inventory $INV ssh.cmd -c=true"
  "pssh:parallel-ssh -h $HOSTS -l root -p $N -O StrictHostKeyChecking=yes true"
  "pdsh:pdsh -w ^$HOSTS -f $N -l root true"
  "xargs-ssh:xargs -P $N -I{} ssh $SSH_OPTS {} true < $HOSTS"
  "xargs-ssh-curve25519:xargs -P $N -I{} ssh $SSH_OPTS -o KexAlgorithms=curve25519-sha256 {} true < $HOSTS"
  "parallel-ssh-py:$PY $OUT/peers.py parallel-ssh true $HOSTS"
  "fabric:$PY $OUT/peers.py fabric true $HOSTS"
  "ansible-raw:$ANSIBLE -m raw -a true >/dev/null"
  "ansible-command:$ANSIBLE -m command -a true >/dev/null"
)
five() { local c=$1; echo "$c; $c; $c; $c; $c"; }
w2=(
  "skp:$SKP --inventory $INV ssh.cmd -c=true ssh.cmd -c=:  ssh.cmd -c='true ' ssh.cmd -c=': ' ssh.cmd -c='true  '"
  "pssh:$(five "parallel-ssh -h $HOSTS -l root -p $N -O StrictHostKeyChecking=yes true >/dev/null")"
  "pdsh:$(five "pdsh -w ^$HOSTS -f $N -l root true")"
)

run() {
    local workload=$1; shift
    local args=()
    for entry in "$@"; do args+=(-n "${entry%%:*}" "${entry#*:}"); done
    hyperfine -w 2 -r "$RUNS" -S bash --export-json "$OUT/$workload-$N.json" "${args[@]}" >/dev/null
}
run W1 "${w1[@]}"
run W2 "${w2[@]}"

python3 - "$OUT" "$N" <<'PY' > bench/RESULTS.md
import json, sys, statistics, platform, os
out, n = sys.argv[1], sys.argv[2]
print(f"# Benchmark results\n\n{n} lab hosts (sshd-only network namespaces on this machine), "
      f"{os.cpu_count()} cores, medians of hyperfine runs. Rerun: `bench/run.sh {n}`.\n")
for workload, title in [("W1", "`true` on every host, new connections"), ("W2", "5 commands in a row on every host")]:
    data = json.load(open(f"{out}/{workload}-{n}.json"))["results"]
    skp = next(r for r in data if r["command"] == "skp")
    print(f"## {workload}: {title}\n\n| tool | median | min–max | user CPU | ratio to skp |\n|---|---|---|---|---|")
    for r in sorted(data, key=lambda r: r["median"]):
        print(f"| {r['command']} | {r['median']:.3f} s | {r['min']:.3f}–{r['max']:.3f} s | {r['user']:.3f} s | {r['median']/skp['median']:.2f}× |")
    print()
PY
cat bench/RESULTS.md
