#!/usr/bin/env bash
# Start-up and planning speed: `skp --list`, and a --dry-run plan of docker.volume-create over a
# generated 1,000-host, 100-volume inventory. No hosts needed.   bench/plan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null
./skp --version >/dev/null  # builds the release binary users run
SKP="$PWD/.build-release/release/skp"
dir=bench/out/plan-1000x100
mkdir -p "$dir"
python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
hosts = {f"n{i:04d}": {"ipv4": f"10.{i // 250}.{i % 250}.10", "roles": ["master" if i == 0 else "worker"],
                       "labels": {f"l{i % 10}": "enable"}} for i in range(1000)}
volumes = {f"v{j:03d}": {"type": "fs", "labels": [f"l{j % 10}"], "path": f"/data/v{j:03d}",
                         "opts": ["--driver local", "--opt type=none", "--opt o=bind", f"--opt device=/data/v{j:03d}"]}
           for j in range(100)}
json.dump(hosts, open(f"{d}/hosts.json", "w"), indent=1)
json.dump(volumes, open(f"{d}/volumes.json", "w"), indent=1)
json.dump({}, open(f"{d}/networks.json", "w"))
PY
hyperfine -N -w 3 -r 30 --export-json bench/out/plan.json \
    -n "skp --list" "$SKP --list" \
    -n "dry-run 1000 hosts x 100 volumes" "$SKP --inventory $dir --dry-run docker.volume-create"
