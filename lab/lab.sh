#!/usr/bin/env bash
# The built-in lab: each host of an inventory becomes a real host on this machine, made of
# a network namespace (own address on a lab bridge), its own hostname and mounts (UTS and
# mount namespaces, its own /root) and its own sshd and, unless sshd-only, dockerd.
# Linux and root only. Called by tasks/lab.skp; see `./skp --help lab.up`.
#
#   lab.sh prepare ADDRESS...         bridge(s) and the control machine's key
#   lab.sh host-up NAME ADDRESS [full|sshd-only] [LATENCY_MS]
#                                     LATENCY_MS > 0: SSH reaches the host through a proxy that
#                                     delays each direction that long (a WAN stand-in); a host
#                                     already up takes the new latency (0: none)
#   lab.sh known-hosts                record every running host's key in ~/.ssh/known_hosts
#   lab.sh status                     one line per host
#   lab.sh down                       stop everything the lab started, leave nothing behind
#   lab.sh generate N                 write .skp/lab-N/{hosts,volumes,networks}.json (sshd-only hosts)
#   lab.sh up-generated N [LATENCY_MS] generate, then bring all of them up
#   lab.sh s3 URL BUCKET              an S3 API (moto) at URL if it is a lab bridge address, with BUCKET
#   lab.sh exec NAME COMMAND...       run a command inside a lab host (tests use it)
#
# prepare also makes the lab's sudo user (BECOME_USER), whose sudo asks for a password: its
# password is a random value in $STATE/become-password (0600), read by the tests from there.
set -euo pipefail

# Normalised: a daemon's command line holds this path as given, and `alive` looks for it there.
STATE=$(realpath -m "${SKP_LAB_DIR:-/tmp/skp-lab}")
HERE=$(cd "$(dirname "$0")" && pwd)
KNOWN_HOSTS=${SKP_KNOWN_HOSTS:-$HOME/.ssh/known_hosts}
BECOME_USER=skpuser
BECOME_COMMENT="skp lab sudo user, password in the lab state"

die() { echo "lab: $*" >&2; exit 1; }
need_root() { [ "$(id -u)" = 0 ] || die "the lab needs root (network namespaces, bridges)"; }
bridge_for() { echo "skpbr$(echo "$1" | cut -d. -f3)"; }
gateway_for() { echo "$(echo "$1" | cut -d. -f1-3).1"; }
veth_for() { echo "skv$(printf '%s' "$1" | md5sum | cut -c1-8)"; }
# A pid file names a running daemon only while its process is still the one that wrote it: on a
# machine restored or rebooted with the lab's folder left behind, the pid may be anyone's. The
# daemon's command line names its host's folder (or MARK).
alive() {
    local pid cmd
    [ -f "$1" ] && pid=$(cat "$1" 2>/dev/null) && [[ $pid =~ ^[0-9]+$ ]] || return 1
    cmd=$(tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline") || return 1
    [[ $cmd == *"${2:-$(dirname "$1")/}"* ]]
}

# dockerd answers its API (its socket alone is not enough: it is made before the daemon is ready,
# and a stale one outlives a daemon that died).
docker_answers() { [ "$(curl -s --max-time 2 --unix-socket "$1" http://lab/_ping 2>/dev/null)" = OK ]; }

control_key() {
    # The control machine's key: the user's own, created if there is none.
    mkdir -p "$HOME/.ssh" && chmod 700 "$HOME/.ssh"
    [ -f "$HOME/.ssh/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "skp-lab" -f "$HOME/.ssh/id_ed25519"
    echo "$HOME/.ssh/id_ed25519.pub"
}

# What lab hosts run, from Debian's packages: installed on first use, as ./skp does its own.
install_packages() {
    local missing="" pair
    for pair in /usr/sbin/sshd:openssh-server /usr/sbin/dockerd:docker.io /usr/bin/sshfs:sshfs /usr/bin/s3fs:s3fs \
                /usr/bin/fusermount3:fuse3 /usr/bin/curl:curl /usr/bin/nsenter:util-linux /usr/sbin/ip:iproute2 \
                /usr/bin/ssh-keygen:openssh-client /usr/bin/sudo:sudo; do
        [ -x "${pair%%:*}" ] || missing="$missing ${pair#*:}"
    done
    [ -n "$missing" ] || return 0
    echo "lab: installing$missing (first use)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq $missing >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null; } ||
        die "could not install$missing"
}

cmd_prepare() {
    need_root
    install_packages
    mkdir -p "$STATE" /run/sshd
    cp "$(control_key)" "$STATE/authorized_keys"
    become_user
    local address bridge
    for address in "$@"; do
        bridge=$(bridge_for "$address")
        if ! ip link show "$bridge" >/dev/null 2>&1; then
            ip link add "$bridge" type bridge
            ip addr add "$(gateway_for "$address")/24" dev "$bridge"
            ip link set "$bridge" up
        fi
    done
}

# The user `sudo` steps run as when a test wants sudo to ask for a password (issue 18). Lab hosts
# share this machine's /etc/passwd, /etc/shadow, /etc/sudoers.d and /home, so one user serves
# every host; it logs in with the lab's key like root (sshd's AuthorizedKeysFile above is the
# lab's). The password is random, made once per lab, kept 0600 in the state folder, and passes
# only through files and pipes (printf is bash's builtin): never in a process's arguments.
# A user of that name that the lab did not make (another comment) is left alone.
become_user() {
    if getent passwd "$BECOME_USER" >/dev/null; then
        [ "$(getent passwd "$BECOME_USER" | cut -d: -f5)" = "$BECOME_COMMENT" ] ||
            { echo "lab: a user $BECOME_USER exists that the lab did not make; sudo tests cannot use it" >&2; return 0; }
    else
        useradd -m -s /bin/sh -c "$BECOME_COMMENT" "$BECOME_USER" 2>/dev/null || getent passwd "$BECOME_USER" >/dev/null ||
            die "could not add the user $BECOME_USER"
    fi
    if [ ! -s "$STATE/become-password" ]; then
        (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=\n' > "$STATE/become-password.new")
        mv "$STATE/become-password.new" "$STATE/become-password"
    fi
    printf '%s:%s\n' "$BECOME_USER" "$(cat "$STATE/become-password")" | chpasswd
    local rule="/etc/sudoers.d/skp-lab"
    if [ ! -f "$rule" ]; then
        # No lecture: the first sudo would print it into the output tests read.
        printf 'Defaults:%s lecture=never\n%s ALL=(ALL) ALL\n' "$BECOME_USER" "$BECOME_USER" > "$rule.new"
        chmod 440 "$rule.new"
        visudo -cqf "$rule.new" >/dev/null || { rm -f "$rule.new"; die "the lab's sudoers rule does not parse"; }
        mv "$rule.new" "$rule"
    fi
}

cmd_host_up() {
    need_root
    local name=$1 address=$2 mode=${3:-full} latency=${4:-0}
    local dir="$STATE/$name" ns="skp-$name" veth bridge
    [[ $latency =~ ^[0-9]{1,4}$ ]] && [ "$latency" -le 2000 ] || die "latency takes milliseconds from 0 to 2000, not '$latency'"
    veth=$(veth_for "$name"); bridge=$(bridge_for "$address")
    if alive "$dir/sshd.pid" && { [ "$mode" = sshd-only ] || alive "$dir/dockerd.pid"; }; then
        set_latency "$name" "$address" "$latency"
        echo "$name is already up ($address)"
        return 0
    fi
    if ! alive "$dir/sshd.pid"; then
        # Its daemons are gone: whatever its folder says of sockets and pids is stale. A dockerd
        # (or its containerd) that outlived sshd is not started a second time over the same state.
        if alive "$dir/dockerd.pid" || alive "$dir/exec/containerd/containerd.pid"; then
            die "$name: its sshd is gone but its Docker engine still runs: take the lab down first (./skp lab.down)"
        fi
        rm -rf "$dir/exec"
        rm -f "$dir/docker.sock" "$dir/dockerd.pid" "$dir/sshd.pid" "$dir/proxy.pid" "$dir/dockerd.log"
    fi
    mkdir -p "$dir/root/.ssh" "$dir/docker" "$dir/exec"
    echo "$address" > "$dir/address"
    echo "$bridge" > "$dir/bridge"
    echo "$mode" > "$dir/mode"
    [ -f "$dir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$dir/ssh_host_ed25519_key"
    cat > "$dir/sshd_config" <<CONF
ListenAddress $address:22
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $STATE/authorized_keys .ssh/authorized_keys
PermitRootLogin yes
PasswordAuthentication yes
UsePAM no
StrictModes no
UseDNS no
LogLevel VERBOSE
MaxStartups 1000:30:2000
MaxSessions 100
Subsystem sftp internal-sftp
SetEnv DOCKER_HOST=unix://$dir/docker.sock
CONF
    # The network: a namespace with one end of a veth pair, the other end on the lab bridge.
    ip netns list | grep -qx "$ns\( .*\)\?" || ip netns add "$ns"
    if ! ip link show "$veth" >/dev/null 2>&1; then
        ip link add "$veth" type veth peer name eth0 netns "$ns"
        ip link set "$veth" master "$bridge" up
    fi
    nsenter --net="/run/netns/$ns" sh -c "
        ip link set lo up
        ip addr replace $address/24 dev eth0
        ip link set eth0 up
        ip route del default 2>/dev/null || true"
    # No route out of the lab subnet: a pull of an image the engine lacks (or any other
    # mistake) fails at once instead of sending anything past this machine.
    # Own hostname, own mounts (its own /root), then the daemons, all inside the namespace.
    # Its own /etc/exports too (NFS tasks edit it); the file must exist to be mounted over.
    touch "$dir/exports"
    if [ ! -e /etc/exports ]; then touch /etc/exports; touch "$STATE/created-etc-exports"; fi
    local start="hostname $name; mount --make-rprivate /; mount --bind $dir/root /root
        mount --bind $dir/exports /etc/exports
        /usr/sbin/sshd -f $dir/sshd_config -E $dir/sshd.log"
    if [ "$mode" != sshd-only ]; then
        start="$start
        nohup dockerd --data-root $dir/docker --exec-root $dir/exec -H unix://$dir/docker.sock \
            --pidfile $dir/dockerd.pid --iptables=false --ip-masq=false --bridge=none \
            --storage-driver=vfs >$dir/dockerd.log 2>&1 </dev/null &"
    fi
    # setsid: the daemons belong to no terminal or caller; only lab.sh down stops them.
    # 9>&-: the daemons must not keep the lab lock (fd 9) open, or down would wait for ever.
    # Where this start's lines of dockerd's log begin (a restart appends to it).
    local log_from=1
    [ -f "$dir/dockerd.log" ] && [ "$mode" != sshd-only ] && alive "$dir/sshd.pid" && log_from=$(($(wc -l < "$dir/dockerd.log") + 1))
    if alive "$dir/sshd.pid" && [ "$mode" != sshd-only ]; then
        # A containerd of dockerd's that is gone too leaves a pid file dockerd would trust.
        alive "$dir/exec/containerd/containerd.pid" || rm -f "$dir/exec/containerd/containerd.pid"
        # Only dockerd is gone: start it again inside the host's own namespaces (those of its
        # sshd), or it would not see the FUSE mounts made over SSH and volumes would be empty.
        setsid nsenter -t "$(cat "$dir/sshd.pid")" --net --uts --mount sh -c "rm -f $dir/docker.sock $dir/dockerd.pid
            nohup dockerd --data-root $dir/docker --exec-root $dir/exec -H unix://$dir/docker.sock \
            --pidfile $dir/dockerd.pid --iptables=false --ip-masq=false --bridge=none \
            --storage-driver=vfs >>$dir/dockerd.log 2>&1 </dev/null &" </dev/null >/dev/null 2>&1 9>&-
    else
        setsid nsenter --net="/run/netns/$ns" unshare --uts --mount --propagation private --fork sh -c "$start" </dev/null >/dev/null 2>&1 9>&-
    fi
    # Ready when sshd runs and dockerd answers; give up after 60 s (a busy machine).
    local until=$((SECONDS + 60))
    while [ "$SECONDS" -lt "$until" ]; do
        if alive "$dir/sshd.pid" && { [ "$mode" = sshd-only ] || docker_answers "$dir/docker.sock"; }; then
            set_latency "$name" "$address" "$latency"
            echo "$name is up ($address)"
            return 0
        fi
        # dockerd said why it stopped: no use waiting longer.
        if [ "$mode" != sshd-only ] && tail -n "+$log_from" "$dir/dockerd.log" 2>/dev/null | grep -qE '^failed to |level=fatal'; then
            tail -n "+$log_from" "$dir/dockerd.log" | tail -5 >&2
            die "$name: dockerd stopped (its log: $dir/dockerd.log)"
        fi
        sleep 0.1
    done
    tail -5 "$dir/dockerd.log" "$dir/sshd.log" >&2 2>/dev/null || true
    die "$name did not come up in 60 s"
}

# A host's WAN stand-in: SSH connections from the control machine to its address are redirected
# (iptables, in its own namespace) to a proxy that delays each direction by LATENCY ms and hands
# them on to sshd (lab/delay-proxy.py; its own connection starts inside the host, so it is not
# redirected again). Set on a running host without touching its sshd: connections already open
# keep the path they had. 0 removes the proxy.
set_latency() {
    local name=$1 address=$2 latency=$3 dir="$STATE/$1" pid gateway
    pid=$(cat "$dir/sshd.pid")
    gateway=$(gateway_for "$address")
    if [ "$(cat "$dir/latency" 2>/dev/null || echo 0)" = "$latency" ] && { [ "$latency" = 0 ] || alive "$dir/proxy.pid"; }; then
        return 0
    fi
    # The redirect lives in a chain of its own, emptied whatever it held before.
    nsenter -t "$pid" --net iptables -t nat -N SKP_LATENCY 2>/dev/null || true
    nsenter -t "$pid" --net iptables -t nat -C PREROUTING -j SKP_LATENCY 2>/dev/null ||
        nsenter -t "$pid" --net iptables -t nat -A PREROUTING -j SKP_LATENCY
    nsenter -t "$pid" --net iptables -t nat -F SKP_LATENCY
    if alive "$dir/proxy.pid"; then kill "$(cat "$dir/proxy.pid")" 2>/dev/null || true; fi
    rm -f "$dir/proxy.pid"
    echo "$latency" > "$dir/latency"
    [ "$latency" != 0 ] || return 0
    command -v python3 >/dev/null || die "the latency proxy needs python3"
    setsid nsenter -t "$pid" --net python3 "$HERE/delay-proxy.py" "$address" 2222 "$address" 22 "$latency" "$dir/proxy.pid" \
        </dev/null >"$dir/proxy.log" 2>&1 9>&- &
    local i
    for i in $(seq 100); do alive "$dir/proxy.pid" && break; sleep 0.05; done
    alive "$dir/proxy.pid" || die "$name: the latency proxy did not start ($(tail -1 "$dir/proxy.log" 2>/dev/null))"
    # Only the control machine's connections (from the bridge's own address): the hosts of a
    # cluster are near one another (sshfs between them stays direct); the operator is far.
    nsenter -t "$pid" --net iptables -t nat -A SKP_LATENCY -p tcp -s "$gateway" -d "$address" --dport 22 -j REDIRECT --to-ports 2222
}

cmd_known_hosts() {
    mkdir -p "$(dirname "$KNOWN_HOSTS")"
    touch "$KNOWN_HOSTS"
    local dir address
    for dir in "$STATE"/*/; do
        [ -f "$dir/address" ] || continue
        address=$(cat "$dir/address")
        ssh-keygen -q -R "$address" -f "$KNOWN_HOSTS" >/dev/null 2>&1 || true
        echo "$address $(cut -d' ' -f1-2 "$dir/ssh_host_ed25519_key.pub")" >> "$KNOWN_HOSTS"
    done
    rm -f "$KNOWN_HOSTS.old"
}

cmd_status() {
    local dir name any=0
    for dir in "$STATE"/*/; do
        [ -f "$dir/address" ] || continue
        any=1
        name=$(basename "$dir")
        local sshd=down docker=-
        alive "$dir/sshd.pid" && sshd=up
        if [ "$(cat "$dir/mode")" != sshd-only ]; then docker=down; alive "$dir/dockerd.pid" && docker=up; fi
        local latency; latency=$(cat "$dir/latency" 2>/dev/null || echo 0)
        if [ "$latency" != 0 ]; then
            local proxy=down; alive "$dir/proxy.pid" && proxy=up
            latency="  latency ${latency} ms each way (proxy $proxy)"
        else
            latency=""
        fi
        printf '%-8s %-15s sshd %-4s dockerd %s%s\n' "$name" "$(cat "$dir/address")" "$sshd" "$docker" "$latency"
    done
    [ $any = 1 ] || echo "no lab hosts are up"
}

# Every process of the lab's hosts: those in their network namespaces (daemons, each SSH session
# and what it runs, containerd and its shims), and any other process in those processes' own
# mount namespaces. Namespaces are taken from live members only: a freed namespace's number can
# be reused by someone else's.
lab_pids() {
    local nses=$1 ns pids mnts machine
    pids=$(for ns in $nses; do ip netns pids "$ns" 2>/dev/null || true; done)
    [ -n "$pids" ] || return 0
    machine=" $(stat -L -c %i /proc/self/ns/mnt) $(stat -L -c %i /proc/1/ns/mnt 2>/dev/null || true) "
    mnts=$(for pid in $pids; do echo "/proc/$pid/ns/mnt"; done | xargs stat -L -c %i 2>/dev/null |
        awk -v machine="$machine" '!index(machine, " " $1 " ")' | sort -u | tr '\n' ' ') || true
    {
        echo "$pids"
        # One stat for all of /proc (a readlink per process costs seconds).
        if [ -n "$mnts" ]; then
            stat -L -c '%i %n' /proc/[0-9]*/ns/mnt 2>/dev/null |
                awk -v mnts=" $mnts " 'index(mnts, " " $1 " ") { split($2, p, "/"); print p[3] }' || true
        fi
    } | sort -un
}

# When process $1 started (field 22 of /proc/PID/stat), in REPLY; empty once it is gone. With
# the pid it names one process: a pid freed and reused is another one.
started_at() {
    local line
    REPLY=""
    { read -r line < "/proc/$1/stat"; } 2>/dev/null || return 0
    line=${line##*) }
    set -- $line
    REPLY=${20:-}
}

# Stops every process of the lab's hosts and returns only when each one has exited and been
# reaped: a process that exited stays in /proc (a zombie) until then, and is in no namespace any
# more, so every process seen is remembered (pid and start time). TERM once each (the dockerds
# first: each stops its containerd), KILL whatever is left after 10 s. All hosts at once: reaping
# takes this machine's init a second or two, and it need not be waited for host after host.
# Namespaces are looked at again each round: a dying session can still start a process (the
# hang-up guard's sleep).
stop_lab_processes() {
    local nses=$1 dockerds=$2 pid round left=()
    local -A seen=() signalled=()
    for pid in $dockerds; do
        started_at "$pid"
        if [ -n "$REPLY" ] && kill "$pid" 2>/dev/null; then signalled[$pid]=1; seen[$pid]=$REPLY; fi
    done
    for _ in $(seq 100); do
        left=()
        for pid in $dockerds; do started_at "$pid"; if [ -n "$REPLY" ] && [ "$REPLY" = "${seen[$pid]:-}" ]; then left+=("$pid"); fi; done
        [ ${#left[@]} -gt 0 ] || break
        sleep 0.1
    done
    for round in $(seq 150); do
        for pid in $(lab_pids "$nses"); do
            if [ -z "${seen[$pid]:-}" ]; then started_at "$pid"; if [ -n "$REPLY" ]; then seen[$pid]=$REPLY; fi; fi
        done
        left=()
        for pid in "${!seen[@]}"; do started_at "$pid"; if [ "$REPLY" = "${seen[$pid]}" ]; then left+=("$pid"); fi; done
        [ ${#left[@]} -gt 0 ] || return 0
        for pid in "${left[@]}"; do
            if [ "$round" -gt 100 ]; then
                kill -9 "$pid" 2>/dev/null || true
            elif [ -z "${signalled[$pid]:-}" ]; then
                kill "$pid" 2>/dev/null || true
                signalled[$pid]=1
            fi
        done
        sleep 0.1
    done
    echo "lab: processes still there after 25 s: ${left[*]}" >&2
}

cmd_down() {
    need_root
    local dir name pid bridges="" nses="" dockerds=""
    for dir in "$STATE"/*/; do
        [ -f "$dir/address" ] || continue
        name=$(basename "$dir")
        if [ -e "/run/netns/skp-$name" ]; then nses="$nses skp-$name"; fi
        # Its dockerd, if that pid is still one of the host's processes (not a reused pid).
        if alive "$dir/dockerd.pid" && ip netns pids "skp-$name" 2>/dev/null | grep -qx "$(cat "$dir/dockerd.pid")"; then
            dockerds="$dockerds $(cat "$dir/dockerd.pid")"
        fi
    done
    stop_lab_processes "$nses" "$dockerds"
    for dir in "$STATE"/*/; do
        [ -f "$dir/address" ] || continue
        name=$(basename "$dir")
        bridges="$bridges $(cat "$dir/bridge" 2>/dev/null || true)"
        ip netns del "skp-$name" 2>/dev/null || true
        ip link del "$(veth_for "$name")" 2>/dev/null || true
        [ -f "$KNOWN_HOSTS" ] && ssh-keygen -q -R "$(cat "$dir/address")" -f "$KNOWN_HOSTS" >/dev/null 2>&1 || true
        echo "$name is down"
    done
    rm -f "$KNOWN_HOSTS.old"
    # Only if that pid is still the lab's S3 server: after a reboot it may be anyone's.
    if alive "$STATE/s3/moto.pid" moto.server; then
        pid=$(cat "$STATE/s3/moto.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
        if [ -d "/proc/$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
    fi
    if [ -f "$STATE/created-etc-exports" ] && [ ! -s /etc/exports ]; then rm -f /etc/exports; fi
    # The sudo user, if the lab made it (its processes ended with the hosts' sshd).
    if [ "$(getent passwd "$BECOME_USER" | cut -d: -f5)" = "$BECOME_COMMENT" ]; then
        userdel -r "$BECOME_USER" >/dev/null 2>&1 || true
        rm -f /etc/sudoers.d/skp-lab
    fi
    # A bridge goes once none of its ports is left (another lab may share it).
    for bridge in $(echo "$bridges" | tr ' ' '\n' | sort -u); do
        [ -n "$(ip -o link show master "$bridge" 2>/dev/null)" ] || ip link del "$bridge" 2>/dev/null || true
    done
    # dockerd's files under vfs can be large; they go with the state folder.
    rm -rf "$STATE"
}

cmd_generate() {
    local n=$1 dir=".skp/lab-$1" i
    [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 1000 ] || die "a generated lab has 1 to 1000 hosts"
    mkdir -p "$dir"
    # 240 hosts per /24 (192.168.57.11-250, then 58.11-250, …): one lab bridge each.
    {
        echo "{"
        for i in $(seq "$n"); do
            printf '  "h%03d": {"ipv4": "192.168.%d.%d", "roles": ["%s"], "labels": {"bench": "enable"}}%s\n' \
                "$i" $((57 + (i - 1) / 240)) $(((i - 1) % 240 + 11)) "$([ "$i" = 1 ] && echo master || echo worker)" \
                "$([ "$i" = "$n" ] && echo "" || echo ,)"
        done
        echo "}"
    } > "$dir/hosts.json"
    echo "{}" > "$dir/volumes.json"
    echo "{}" > "$dir/networks.json"
    echo "$dir/hosts.json"
}

cmd_up_generated() {
    local n=$1 latency=${2:-0} inventory
    inventory=$(cmd_generate "$n")
    local subnets=() s
    for s in $(seq 0 $(((n - 1) / 240))); do subnets+=("192.168.$((57 + s)).11"); done
    cmd_prepare "${subnets[@]}"
    # This machine keeps an ARP entry per lab host: past the kernel's default table (1,024
    # entries, pruned above 512) new hosts go unanswered ("neighbor table overflow").
    local need=$((n * 2 + 256)) key
    for key in gc_thresh1:4 gc_thresh2:2 gc_thresh3:1; do
        local current want=$((need / ${key#*:}))
        current=$(sysctl -n "net.ipv4.neigh.default.${key%%:*}")
        [ "$current" -ge "$want" ] || sysctl -qw "net.ipv4.neigh.default.${key%%:*}=$want"
    done
    # Hosts come up 16 at a time; each is independent.
    sed -n 's/^  "\(h[0-9]*\)": {"ipv4": "\([0-9.]*\)".*/\1 \2/p' "$inventory" |
        xargs -P 16 -L 1 sh -c '"$0" host-up "$2" "$3" sshd-only "$1" >/dev/null || echo "lab: $2 failed" >&2' "$0" "$latency"
    cmd_known_hosts
    echo "$n sshd-only hosts are up; use them with: ./skp --inventory $(dirname "$inventory") ssh.cmd -c=hostname"
}

cmd_s3() {
    local url=$1 bucket=$2 hostport host port
    hostport=${url#*://}; hostport=${hostport%%/*}
    host=${hostport%:*}; port=${hostport##*:}
    # Only an address of the lab's own bridges: the lab never starts servers elsewhere.
    ip -o addr show | grep -q " skpbr[0-9]* .*inet $host/" || { echo "lab: $url is not a lab address; not started" >&2; return 0; }
    mkdir -p "$STATE/s3"
    if ! alive "$STATE/s3/moto.pid" moto.server; then
        python3 -c "import moto.server" 2>/dev/null || pip install -q "moto[server]" >/dev/null 2>&1 ||
            die "moto is missing: pip install 'moto[server]'"
        setsid python3 -m moto.server -H "$host" -p "$port" </dev/null >"$STATE/s3/moto.log" 2>&1 9>&- &
        echo $! > "$STATE/s3/moto.pid"
        for _ in $(seq 100); do curl -fs "$url/" >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    curl -fs -X PUT "$url/$bucket" >/dev/null || curl -fs "$url/$bucket" >/dev/null || die "cannot create bucket $bucket at $url"
    echo "S3 at $url has bucket $bucket"
}

cmd_exec() {
    local name=$1; shift
    local pid
    pid=$(cat "$STATE/$name/sshd.pid" 2>/dev/null) || die "$name is not up"
    nsenter -t "$pid" --net --uts --mount "$@"
}

# Bringing hosts up may run in parallel (shared lock); taking the lab down waits for all of
# that and excludes it (exclusive lock), so an up and a down never interleave.
lock() {
    mkdir -p "$(dirname "$STATE")"
    exec 9>"$STATE.lock"
    flock -w 120 "$1" 9 || die "another lab command has held $STATE.lock for 2 minutes"
}

case "${1:-}" in
    prepare) shift; lock -s; cmd_prepare "$@" ;;
    host-up) shift; lock -s; cmd_host_up "$@" ;;
    known-hosts) lock -s; cmd_known_hosts ;;
    status) cmd_status ;;
    down) lock -x; cmd_down ;;
    generate) cmd_generate "$2" ;;
    up-generated) lock -s; cmd_up_generated "$2" "${3:-0}" ;;
    s3) shift; lock -s; cmd_s3 "$@" ;;
    exec) shift; cmd_exec "$@" ;;
    *) sed -n '2,/^set -euo/{/^#/p}' "$0" >&2; exit 2 ;;
esac
