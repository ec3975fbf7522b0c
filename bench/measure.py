#!/usr/bin/env python3
"""Times benchmark cases and measures what they cost, client and server side.

    measure.py CASES RESULTS        (called by bench/run.sh)

CASES has one case per line, tab-separated: workload, N, tool, check, shell command.
`check` is `exit` (status 0 is enough) or `hostnames:FILE`: every line the tool prints is matched
against a pattern for that tool and the answers must be exactly the host names in FILE; a pattern
with two groups (host prefix, answer) must also agree line by line.

For every case: 2 warm-up runs, then RUNS timed runs (env, default 10). Per run we record wall time,
the client's CPU (user + system of the command and every process it waited for, from wait4) and
its peak RSS (largest single process). Server CPU is the CPU all lab sshd processes spent
(listener plus reaped per-connection children, from /proc/PID/stat) across the timed runs, divided
by the number of runs. One JSON object per case is appended to RESULTS.
"""
import glob, json, os, re, statistics, subprocess, sys, time

TICK = os.sysconf("SC_CLK_TCK")
PATTERNS = {  # how each tool prints a host's answer
    "skp": r"^(h\d+)\s+\| (h\d+)$",
    "pssh": r"^(h\d+)$",
    "pdsh": r"^[\d.]+: (h\d+)$",
}
DEFAULT_PATTERN = r"^(h\d+)$"


def server_cpu_seconds():
    total = 0
    for pidfile in glob.glob("/tmp/skp-lab/*/sshd.pid"):
        try:
            pid = open(pidfile).read().strip()
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return total / TICK


def wait_idle(limit=15.0):
    """Waits until no lab sshd serves a connection (e.g. a peer's lingering ControlPersist master),
    so that one tool's connections are not counted against the next."""
    listeners = set()
    for pidfile in glob.glob("/tmp/skp-lab/*/sshd.pid"):
        try:
            listeners.add(open(pidfile).read().strip())
        except OSError:
            pass
    deadline = time.time() + limit
    while time.time() < deadline:
        busy = False
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                if open(stat).read().rsplit(")", 1)[1].split()[1] in listeners:
                    busy = True
                    break
            except (OSError, IndexError):
                continue
        if not busy:
            return
        time.sleep(0.1)


def run_once(command):
    start = time.perf_counter()
    proc = subprocess.Popen(["bash", "-c", command], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def verify(case, status, out, err):
    if status != 0:
        raise SystemExit(f"bench: {case['tool']} ({case['workload']}, N={case['n']}) exited {status}:\n{err[-2000:]}")
    if not case["check"].startswith("hostnames:"):
        return
    expected = sorted(open(case["check"].split(":", 1)[1]).read().split())
    pattern = re.compile(PATTERNS.get(case["tool"], DEFAULT_PATTERN))
    answers = []
    for line in out.splitlines():
        match = pattern.match(line.strip())
        if not match:
            continue
        if len(match.groups()) == 2 and match.group(1) != match.group(2):
            raise SystemExit(f"bench: {case['tool']}: {match.group(1)} answered {match.group(2)}")
        answers.append(match.groups()[-1])
    if sorted(answers) != expected:
        missing = sorted(set(expected) - set(answers))[:5]
        raise SystemExit(f"bench: {case['tool']} returned {len(answers)} answers for {len(expected)} hosts (missing e.g. {missing})")


def measure(case, runs):
    for _ in range(2):
        verify(case, *run_once(case["command"])[3:])
    walls, cpus, rss = [], [], []
    wait_idle()
    server_before = server_cpu_seconds()
    for _ in range(runs):
        wall, cpu, maxrss, status, out, err = run_once(case["command"])
        verify(case, status, out, err)
        walls.append(wall); cpus.append(cpu); rss.append(maxrss)
    wait_idle()  # every connection closed and its sshd reaped, so its CPU is counted
    server = (server_cpu_seconds() - server_before) / runs
    return dict(case, command=case["command"], runs=runs, median=statistics.median(walls), min=min(walls),
                max=max(walls), client_cpu=statistics.median(cpus), server_cpu=server, peak_rss_mb=max(rss))


def main():
    cases_file, results_file = sys.argv[1], sys.argv[2]
    runs = int(os.environ.get("RUNS", "10"))
    only = os.environ.get("ONLY")  # e.g. ONLY=W2 to rerun one workload
    with open(results_file, "a") as results:
        for line in open(cases_file):
            if not line.strip():
                continue
            workload, n, tool, check, command = line.rstrip("\n").split("\t", 4)
            if only and workload != only:
                continue
            case = dict(workload=workload, n=int(n), tool=tool, check=check, command=command)
            result = measure(case, runs)
            print(f"{workload} N={n:>3} {tool:<24} {result['median']:7.3f} s  client {result['client_cpu']:6.3f} s"
                  f"  server {result['server_cpu']:6.3f} s  rss {result['peak_rss_mb']:6.1f} MB", file=sys.stderr)
            results.write(json.dumps(result) + "\n")
            results.flush()


if __name__ == "__main__":
    main()
