#!/usr/bin/env bash
# skp and its peers where hosts are far away: the built-in 5-host lab with every host's SSH
# behind a delay (lab.up --latency, 25 ms each way: a 50 ms round trip), in one session.
#
#   bench/wan.sh          (root; takes the lab down and up again with the latency; ~10 minutes)
#
# Workloads:  WA  ten `run ... unless ...` steps on 5 hosts, all to do (hosts reset before each run)
#             WB  the guide's sequence on a formed swarm (nothing to change), skp only
#             WC  the same sequence on a fresh lab, skp only, at this latency and at none (medians)
# Peers (WA): Fabric and parallel-ssh (one connection per host, a check then a command per step,
# as bench/wan/peers.py), Ansible with pipelining and ControlPersist (`creates`, as bench/wan/ten.yml).
# Environment: LATENCY (ms each way, default 25), RUNS (default 5), WC_RUNS (fresh labs, default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
LATENCY=${LATENCY:-25}
RUNS=${RUNS:-5}
WC_RUNS=${WC_RUNS:-3}
OUT=bench/out
mkdir -p "$OUT"
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null
./skp --version >/dev/null  # builds the release binary users run
SKP="$PWD/.build-release/release/skp"
VENV=$OUT/venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import pssh, fabric, ansible" 2>/dev/null || "$VENV/bin/pip" install -q parallel-ssh fabric ansible-core >/dev/null
PY="$PWD/$VENV/bin/python"

names=$(python3 -c 'import json; print(" ".join(json.load(open("hosts.json"))))')
addresses=$(python3 -c 'import json; print(" ".join(h["ipv4"] for h in json.load(open("hosts.json")).values()))')
echo "$addresses" | tr ' ' '\n' > "$OUT/wan-addresses.txt"
printf '[all]\n%s\n' "$(cat "$OUT/wan-addresses.txt")" > "$OUT/wan-inventory.ini"
reset="for h in $names; do lab/lab.sh exec \$h rm -rf /tmp/skp-wan; done"
export ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_PIPELINING=True ANSIBLE_FORKS=5 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
export ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s -o ControlPath=/tmp/skp-wan-ansible-%C"

fresh() {
    "$SKP" lab.down >/dev/null
    "$SKP" lab.up --latency "$1" >/dev/null
}
guide="docker.swarm-init docker.swarm-join docker.swarm-label docker.network-create docker.volume-create docker.node-ls"

rm -f "$OUT"/wan-wc-*.txt
fresh "$LATENCY"
"$SKP" lab.status
# WA: ten steps to do on 5 hosts.
hyperfine -N -w 1 -r "$RUNS" --prepare "bash -c '$reset'" --export-json "$OUT/wan-wa.json" \
    -n skp "$SKP --tasks bench/wan --color never wan.ten" \
    -n fabric "$PY bench/wan/peers.py fabric $OUT/wan-addresses.txt" \
    -n parallel-ssh "$PY bench/wan/peers.py parallel-ssh $OUT/wan-addresses.txt" \
    -n ansible "$VENV/bin/ansible-playbook -i $OUT/wan-inventory.ini -u root bench/wan/ten.yml"
# WC: the sequence on a fresh lab (it forms the swarm), WC_RUNS times at this latency and at none,
# each on a lab just brought up. `docker swarm init` alone varies by half a second from run to run
# (raft), so one run each says little: the medians are compared.
wc() {
    for run in $(seq "$WC_RUNS"); do
        fresh "$1"
        /usr/bin/time -f "%e" -o "$OUT/wan-wc-$1-$run.txt" "$SKP" --color never $guide >/dev/null
        echo "WC fresh lab, $1 ms each way, run $run: $(cat "$OUT/wan-wc-$1-$run.txt") s"
    done
}
wc 0
wc "$LATENCY"
# WB on the swarm the last run formed.
hyperfine -N -w 1 -r "$RUNS" --export-json "$OUT/wan-wb.json" -n "skp guide, formed swarm" "$SKP --color never $guide"
python3 - "$OUT" "$LATENCY" "$OUT/wan-wa.json" "$OUT/wan-wb.json" <<'PY'
import glob, json, statistics, sys
out, latency = sys.argv[1], sys.argv[2]
for ms in ("0", latency):
    times = sorted(float(open(f).read()) for f in glob.glob(f"{out}/wan-wc-{ms}-*.txt"))
    print(f'WC fresh lab, {ms:>2} ms each way: median {statistics.median(times):6.2f} s  runs {" ".join(f"{t:.2f}" for t in times)}')
for path in sys.argv[3:]:
    for r in json.load(open(path))["results"]:
        print(f'{r["command"]:28s} mean {r["mean"]:6.3f} s  median {r["median"]:6.3f} s  min {r["min"]:6.3f} s  max {r["max"]:6.3f} s')
PY
