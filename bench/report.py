#!/usr/bin/env python3
"""Writes bench/RESULTS.md from measure.py's results and the key-exchange probe.

    report.py RESULTS KEX_JSON > bench/RESULTS.md

Lower bound of a workload: the least server CPU any tool needed plus the least client CPU any
tool needed, spread over all cores, as if nothing ever waited. No tool can beat it on this machine.
"""
import json, os, sys

results = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
kex = json.load(open(sys.argv[2])) if os.path.exists(sys.argv[2]) else {}
cores = os.cpu_count()
titles = {
    "W1": "`true` on every host, new connections",
    "W2": "5 commands in a row on every host",
    "W3": "`hostname` on every host, every answer checked",
}

# The newest result of each (workload, N, tool) wins, so one workload can be rerun alone.
latest = {}
for r in results:
    latest[(r["workload"], r["n"], r["tool"])] = r
groups = {}
for (workload, n, _), r in latest.items():
    groups.setdefault((workload, n), []).append(r)

print("# Benchmark results\n")
print(f"Lab hosts are sshd-only network namespaces on this machine ({cores} cores shared by client and "
      "servers, OpenSSH sshd, ed25519 host keys). Every tool ran on the same hosts in one session; each "
      "run's exit status was checked and, for W3, every host's answer. Wall time: median and min–max "
      "of the timed runs. Client CPU: user + system of the tool and all its processes, per run. Server "
      "CPU: all sshd processes, per run. Peak RSS: the largest single process of the tool (tools that "
      "fork one ssh per host use that much per host). Rerun: `bench/run.sh` (see the README).\n")
summary = []
for (workload, n) in sorted(groups, key=lambda k: (k[0], k[1])):
    rows = sorted(groups[(workload, n)], key=lambda r: r["median"])
    skp = next((r for r in rows if r["tool"] == "skp"), None)
    bound = (min(r["server_cpu"] for r in rows) + min(r["client_cpu"] for r in rows)) / cores
    print(f"## {workload}, N = {n}: {titles[workload]}\n")
    print(f"Lower bound from measured CPU: {bound:.3f} s.\n")
    print("| tool | median | min–max | client CPU | per host | server CPU | peak RSS | ratio to skp |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        ratio = f"{r['median'] / skp['median']:.2f}×" if skp else "–"
        print(f"| {r['tool']} | {r['median']:.3f} s | {r['min']:.3f}–{r['max']:.3f} s | {r['client_cpu']:.3f} s "
              f"| {1000 * r['client_cpu'] / n:.1f} ms | {r['server_cpu']:.3f} s | {r['peak_rss_mb']:.0f} MB | {ratio} |")
    print()
    if skp:
        peers = [r for r in rows if r["tool"] != "skp"]
        fastest = min(peers, key=lambda r: r["median"]) if peers else None
        line = f"- {workload} N={n}: skp {skp['median']:.3f} s = {skp['median'] / bound:.2f}× the lower bound"
        if fastest:
            line += f"; fastest peer {fastest['tool']} {fastest['median']:.3f} s = {fastest['median'] / skp['median']:.2f}× skp"
        line += f"; skp client CPU {1000 * skp['client_cpu'] / n:.2f} ms per host, peak RSS {skp['peak_rss_mb']:.0f} MB"
        summary.append(line)

w1 = {n: r for (w, n, tool), r in latest.items() if w == "W1" and tool == "skp"}
if len(w1) >= 2:
    small, large = min(w1), max(w1)
    marginal = (w1[large]["client_cpu"] - w1[small]["client_cpu"]) / (large - small)
    summary.append(f"- skp client CPU per new connection, start-up excluded (W1 N={small} to N={large}): "
                   f"{1000 * marginal:.2f} ms")

plan_file = os.path.join(os.path.dirname(sys.argv[1]), "plan.json")
if os.path.exists(plan_file):
    print("## Start-up and planning (no hosts)\n\nhyperfine, 30 runs each (bench/plan.sh).\n")
    print("| command | median | min–max | user + system CPU |\n|---|---|---|---|")
    for r in json.load(open(plan_file))["results"]:
        print(f"| {r['command']} | {1000 * r['median']:.1f} ms | {1000 * r['min']:.1f}–{1000 * r['max']:.1f} ms "
              f"| {1000 * (r['user'] + r['system']):.1f} ms |")
        summary.append(f"- {r['command']}: median {1000 * r['median']:.1f} ms")
    print()

if kex:
    print("## Negotiated key exchange\n\nAs logged by a probe sshd (LogLevel DEBUG1) each tool connected to once.\n")
    print("| tool | key exchange |\n|---|---|")
    for tool, algorithm in kex.items():
        print(f"| {tool} | {algorithm} |")
    print()
print("## Summary\n")
print("\n".join(summary))
