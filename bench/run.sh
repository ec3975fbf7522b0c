#!/usr/bin/env bash
# Benchmarks skp against its peers on the same lab hosts, in one session.
#
#   bench/run.sh          (root; brings up a 200-host sshd-only lab, ~30 minutes)
#
# Workloads:  W1  `true` on N hosts, new connections (N = 10, 50, 200)
#             W2  5 commands in a row on each of 50 hosts (tools that can reuse a connection do)
#             W3  `hostname` on 50 hosts, every answer checked
# Peers: Debian's parallel-ssh and pdsh; `xargs -P` with ssh (plain, with curve25519 forced, and for
# W2 with ControlMaster); from PyPI in a venv (bench/out/venv) parallel-ssh (libssh2), Fabric and
# ansible-core. measure.py times them and measures client CPU, server CPU and peak memory;
# report.py writes bench/RESULTS.md with the lower bound and each peer's ratio to skp.
# Also runs bench/plan.sh (`skp --list`, a 1,000-host x 100-volume dry-run plan).
# Environment: SIZES="10 50 200", RUNS (timed runs per case; default 10, 5 for N=200 and W2).
# CI does not run this.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-10 50 200}
OUT=bench/out
mkdir -p "$OUT"
LARGEST=$(printf '%s\n' $SIZES 50 | sort -n | tail -1)

need() { command -v "$1" >/dev/null || apt-get install -y -qq "$2" >/dev/null; }
need parallel-ssh pssh; need pdsh pdsh; need python3 python3; python3 -m venv --help >/dev/null 2>&1 || apt-get install -y -qq python3-venv >/dev/null

./skp --version >/dev/null  # builds the release binary users run
VENV=$OUT/venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import pssh, fabric, ansible" 2>/dev/null || "$VENV/bin/pip" install -q parallel-ssh fabric ansible-core >/dev/null
PY="$PWD/$VENV/bin/python"
SKP="$PWD/.build-release/release/skp"
"$SKP" lab.up --size "$LARGEST" >/dev/null

# One inventory, host list and expected-answer list per size: the first N hosts of the lab.
for n in $SIZES 50; do
    python3 - ".skp/lab-$LARGEST" "$OUT/inv-$n" "$n" <<'PY'
import json, os, sys
source, target, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
hosts = json.load(open(f"{source}/hosts.json"))
chosen = dict(sorted(hosts.items())[:n])
os.makedirs(target, exist_ok=True)
json.dump(chosen, open(f"{target}/hosts.json", "w"), indent=1)
for name in ("volumes", "networks"):
    json.dump({}, open(f"{target}/{name}.json", "w"))
open(f"{target}/addresses.txt", "w").write("".join(h["ipv4"] + "\n" for h in chosen.values()))
open(f"{target}/names.txt", "w").write("".join(name + "\n" for name in chosen))
PY
done

cat > "$OUT/peers.py" <<'PEERS'
import sys
tool, command, hosts, repeat = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().split(), int(sys.argv[4])
port = int(sys.argv[5]) if len(sys.argv) > 5 else 22
if tool == "parallel-ssh":
    from pssh.clients import ParallelSSHClient
    client = ParallelSSHClient(hosts, user="root", port=port, pool_size=len(hosts))
    for _ in range(repeat):
        output = client.run_command(command)
        for out in output:
            for line in out.stdout: print(line)
        client.join(output)
        for out in output:
            if out.exit_code != 0: sys.exit(f"{out.host}: exit {out.exit_code}")
elif tool == "fabric":
    from fabric import ThreadingGroup
    group = ThreadingGroup(*hosts, user="root", port=port)
    for _ in range(repeat):
        for connection, result in group.run(command, hide=True).items():
            if result.stdout.strip(): print(result.stdout.strip())
PEERS

SSH_OPTS="-o BatchMode=yes -o StrictHostKeyChecking=yes -l root"
CURVE="-o KexAlgorithms=curve25519-sha256"
CM="-o ControlMaster=auto -o ControlPersist=yes -o ControlPath=/tmp/skp-bench-cm-%C"
export PDSH_RCMD_TYPE=ssh PDSH_SSH_ARGS_APPEND="-o BatchMode=yes -o StrictHostKeyChecking=yes"
# Ansible keeps ControlPersist masters for 60 s by default; a fresh control folder per run keeps
# every run on new connections, as for the other tools.
ansible_env() { echo "ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_PYTHON_INTERPRETER=auto_silent ANSIBLE_SSH_CONTROL_PATH_DIR=\$(mktemp -d) ANSIBLE_SSH_ARGS='-o ControlMaster=auto -o ControlPersist=5s'"; }
ansible_inventory() { printf '[all]\n' > "$OUT/ansible-$1.ini"; sed 's/$/ ansible_user=root/' "$OUT/inv-$1/addresses.txt" >> "$OUT/ansible-$1.ini"; }

# Prints one case per line: workload, N, tool, check, command (tab-separated).
cases_single() {  # $1 workload, $2 N, $3 remote command, $4 check
    local w=$1 n=$2 c=$3 check=$4 a="$OUT/inv-$2/addresses.txt"
    ansible_inventory "$n"
    local ansible="$(ansible_env) $PWD/$VENV/bin/ansible all -i $OUT/ansible-$n.ini -f $n"
    printf '%s\t%s\t%s\t%s\t%s\n' \
        "$w" "$n" skp "$check" "$SKP --inventory $OUT/inv-$n --color never ssh.cmd -c=$c" \
        "$w" "$n" pssh "$check" "parallel-ssh -h $a -l root -p $n -O StrictHostKeyChecking=yes -i $c" \
        "$w" "$n" pdsh "$check" "pdsh -S -w ^$a -f $n -l root $c" \
        "$w" "$n" xargs-ssh "$check" "xargs -P $n -I{} ssh $SSH_OPTS {} $c < $a" \
        "$w" "$n" xargs-ssh-curve25519 "$check" "xargs -P $n -I{} ssh $SSH_OPTS $CURVE {} $c < $a" \
        "$w" "$n" parallel-ssh-py "$check" "$PY $OUT/peers.py parallel-ssh $c $a 1" \
        "$w" "$n" fabric "$check" "$PY $OUT/peers.py fabric $c $a 1" \
        "$w" "$n" ansible-raw "$check" "$ansible -m raw -a $c" \
        "$w" "$n" ansible-command "$check" "$ansible -m command -a $c"
}
cases_w2() {
    local n=50 a="$OUT/inv-50/addresses.txt" five="true; true; true; true; true"
    cat > "$OUT/five.yml" <<'YML'
- hosts: all
  gather_facts: false
  tasks: [{raw: "true"}, {raw: "true"}, {raw: "true"}, {raw: "true"}, {raw: "true"}]
YML
    ansible_inventory "$n"
    printf 'W2\t50\t%s\texit\t%s\n' \
        skp "$SKP --inventory $OUT/inv-50 ssh.cmd -c=true ssh.cmd -c=:  ssh.cmd -c='true ' ssh.cmd -c=': ' ssh.cmd -c='true  '" \
        pssh "for i in 1 2 3 4 5; do parallel-ssh -h $a -l root -p $n -O StrictHostKeyChecking=yes true >/dev/null || exit 1; done" \
        pdsh "for i in 1 2 3 4 5; do pdsh -S -w ^$a -f $n -l root true || exit 1; done" \
        xargs-ssh-curve25519 "xargs -P $n -I{} sh -c 'for i in 1 2 3 4 5; do ssh $SSH_OPTS $CURVE {} true || exit 1; done' < $a" \
        xargs-ssh-controlmaster "xargs -P $n -I{} sh -c 'for i in 1 2 3 4 5; do ssh $SSH_OPTS $CURVE $CM {} true || exit 1; done; ssh $SSH_OPTS $CM -O exit {} 2>/dev/null' < $a" \
        parallel-ssh-py "$PY $OUT/peers.py parallel-ssh true $a 5" \
        fabric "$PY $OUT/peers.py fabric true $a 5" \
        ansible-raw "$(ansible_env) $PWD/$VENV/bin/ansible-playbook -i $OUT/ansible-50.ini -f $n $OUT/five.yml"
}

RESULTS=$OUT/results.jsonl
: > "$OUT/cases-w1-small.tsv"; : > "$OUT/cases-w1-large.tsv"
for n in $SIZES; do
    if [ "$n" -le 50 ]; then cases_single W1 "$n" true exit >> "$OUT/cases-w1-small.tsv"
    else cases_single W1 "$n" true exit >> "$OUT/cases-w1-large.tsv"; fi
done
cases_w2 > "$OUT/cases-w2.tsv"
cases_single W3 50 hostname "hostnames:$OUT/inv-50/names.txt" > "$OUT/cases-w3.tsv"

[ -n "${KEEP:-}" ] || : > "$RESULTS"
python3 bench/measure.py "$OUT/cases-w1-small.tsv" "$RESULTS"
python3 bench/measure.py "$OUT/cases-w3.tsv" "$RESULTS"
RUNS=${RUNS:-5} python3 bench/measure.py "$OUT/cases-w2.tsv" "$RESULTS"
RUNS=${RUNS:-5} python3 bench/measure.py "$OUT/cases-w1-large.tsv" "$RESULTS"

bench/kex-probe.sh "$OUT" > "$OUT/kex.json"
bench/plan.sh >/dev/null
python3 bench/report.py "$RESULTS" "$OUT/kex.json" > bench/RESULTS.md
cat bench/RESULTS.md
