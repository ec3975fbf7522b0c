"""The same ten idempotent steps as bench/wan/ten.skp, done by a peer on the same hosts: each
step's check, then its command when the check fails, one connection per host."""
import concurrent.futures
import sys

tool, hosts = sys.argv[1], open(sys.argv[2]).read().split()
steps = [(f"test -d /tmp/skp-wan/d{i}", f"mkdir -p /tmp/skp-wan/d{i}") for i in range(1, 11)]

if tool == "fabric":
    from fabric import Connection

    def one(host):
        with Connection(host, user="root") as c:
            for check, command in steps:
                if c.run(check, warn=True, hide=True).failed:
                    c.run(command, hide=True)

    with concurrent.futures.ThreadPoolExecutor(len(hosts)) as pool:
        list(pool.map(one, hosts))
elif tool == "parallel-ssh":
    from pssh.clients import ParallelSSHClient

    client = ParallelSSHClient(hosts, user="root", pool_size=len(hosts))
    for check, command in steps:
        # One command per step: the check and the command in one shell line.
        output = client.run_command(f"{check} || {command}")
        client.join(output)
        for out in output:
            assert out.exit_code == 0, (out.host, out.exit_code)
