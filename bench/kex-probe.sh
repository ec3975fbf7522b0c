#!/usr/bin/env bash
# Which key exchange each tool negotiates: a second sshd on lab host h001 (port 2222, LogLevel
# DEBUG1) logs "kex: algorithm: ..." for every connection; each tool connects to it once.
# The host key is not the one known for port 22, so clients may then refuse it: the key exchange
# is logged before that, which is all we want.        bench/kex-probe.sh OUT > kex.json
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=$1
dir=/tmp/skp-lab/h001
address=$(cat "$dir/address")
log=$OUT/kex-probe.log
: > "$log"
sed -e "s/^ListenAddress .*/ListenAddress $address:2222/" -e "s#^PidFile .*#PidFile $PWD/$OUT/kex-probe.pid#" \
    "$dir/sshd_config" > "$OUT/kex-probe.sshd_config"
lab/lab.sh exec h001 /usr/sbin/sshd -f "$PWD/$OUT/kex-probe.sshd_config" -o LogLevel=DEBUG1 -E "$PWD/$log"
sleep 0.5
printf '%s\n' "$address:2222" > "$OUT/kex-probe-pssh.txt"
printf '%s\n' "$address" > "$OUT/kex-probe-host.txt"
mkdir -p "$OUT/kex-probe-inv"
printf '{"h001": {"ipv4": "%s", "port": 2222}}\n' "$address" > "$OUT/kex-probe-inv/hosts.json"
echo '{}' > "$OUT/kex-probe-inv/volumes.json"; echo '{}' > "$OUT/kex-probe-inv/networks.json"
known=$(mktemp)
PY=$PWD/$OUT/venv/bin/python
declare -a probes=(
  "skp|SKP_KNOWN_HOSTS=$known .build-release/release/skp --inventory $OUT/kex-probe-inv ssh.cmd -c=true"
  "pssh|parallel-ssh -h $OUT/kex-probe-pssh.txt -l root true"
  "pdsh|PDSH_RCMD_TYPE=ssh PDSH_SSH_ARGS_APPEND='-p 2222 -o BatchMode=yes' pdsh -w $address -l root true"
  "xargs-ssh|ssh -o BatchMode=yes -p 2222 root@$address true"
  "xargs-ssh-curve25519|ssh -o BatchMode=yes -o KexAlgorithms=curve25519-sha256 -p 2222 root@$address true"
  "parallel-ssh-py|$PY $OUT/peers.py parallel-ssh true $OUT/kex-probe-host.txt 1 2222"
  "fabric|$PY $OUT/peers.py fabric true $OUT/kex-probe-host.txt 1 2222"
  "ansible|$PWD/$OUT/venv/bin/ansible all -i $address, -e ansible_port=2222 -e ansible_user=root -m raw -a true"
)
printf '{'
sep=""
for probe in "${probes[@]}"; do
    tool=${probe%%|*}
    before=$(grep -c "kex: algorithm:" "$log")
    timeout 20 bash -c "${probe#*|}" >/dev/null 2>&1 </dev/null
    sleep 0.3
    algorithm=$(grep "kex: algorithm:" "$log" | sed -n "$((before + 1))p" | sed 's/.*kex: algorithm: \([^ ]*\).*/\1/')
    printf '%s\n  "%s": "%s"' "$sep" "$tool" "${algorithm:-not seen}"
    sep=","
done
printf '\n}\n'
kill "$(cat "$OUT/kex-probe.pid")" 2>/dev/null || pkill -f "$OUT/kex-probe.sshd_config"
rm -f "$known"
