#!/bin/sh
# skp's helper on a swarm manager: applies a service's whole spec and follows the swarm until it
# has converged, failed or run out of time. Uploaded by the docker.service-* and stack tasks to
# ~/.skp/bin/skp-swarm; POSIX sh and the docker CLI only.
#
#   skp-swarm apply NAME             create or update NAME to the spec on stdin (Engine API JSON)
#   skp-swarm wait NAME SECONDS [rollback]
#                                    until NAME's tasks all run the current spec (or completed,
#                                    for one-shot services); exit 1 on a failed or rolled-back
#                                    update, 2 when time runs out, naming the tasks and why
#   skp-swarm stack STACK SECONDS    wait for every service of a stack
#   skp-swarm drain NODE SECONDS     until no task of NODE should still run there
#
# Progress goes to stdout one line per change ("web: 3/5 running"), so skp streams it.
set -u
mode=""

socket() {
    s=${DOCKER_HOST:-unix:///var/run/docker.sock}
    echo "${s#unix://}"
}

# POST stdin to the Engine API; the body of an error goes to stderr.
api() {
    # mktemp: a new 0600 file (O_EXCL), never a name someone else could have planted in /tmp.
    body=$(mktemp) || return 1
    code=$(curl -sS --unix-socket "$(socket)" -H 'Content-Type: application/json' --data-binary @- \
        -o "$body" -w '%{http_code}' "http://docker$1") || { rm -f "$body"; return 1; }
    case $code in
        2*) rm -f "$body"; return 0 ;;
        *) cat "$body" >&2; echo >&2; rm -f "$body"; return 1 ;;
    esac
}

apply() {
    if version=$(docker service inspect "$1" --format '{{.Version.Index}}' 2>/dev/null); then
        api "/services/$1/update?version=$version"
    else
        api "/services/create"
    fi
}

# Why tasks are not running: one line each, with the swarm's own error.
reasons() {
    docker service ps "$1" --no-trunc --filter desired-state=running \
        --format '{{.Name}} on {{if .Node}}{{.Node}}{{else}}no node{{end}}: {{.CurrentState}} {{.Error}}' 2>/dev/null |
        grep -v ': Running ' | head -10
    docker service ps "$1" --no-trunc --filter desired-state=shutdown \
        --format '{{.Name}} on {{.Node}}: {{.CurrentState}} {{.Error}}' 2>/dev/null | grep -v ': Shutdown \|: Complete ' | head -5
}

# The tasks that failed, newest first, with the swarm's error: why an update stopped.
failed_tasks() {
    docker service ps "$1" --no-trunc --format '{{.Name}} on {{.Node}} ({{.Image}}): {{.CurrentState}} {{.Error}}' 2>/dev/null |
        grep 'Failed\|Rejected\|exit' | head -10
}

# One look at a service: prints its progress, returns 0 converged, 1 still moving, 3 failed.
look() {
    svc=$1 rolled_back=""
    update=$(docker service inspect "$svc" --format '{{if .UpdateStatus}}{{.UpdateStatus.State}}|{{.UpdateStatus.Message}}{{end}}' 2>/dev/null) ||
        { echo "$svc: no such service" >&2; return 3; }
    case ${update%%|*} in
        updating|rollback_started) progress "$svc" "${update%%|*}"; return 1 ;;
        paused|rollback_paused)
            # An earlier update's outcome is not this wait's business when only tasks must settle.
            if [ "$mode" != settle ]; then echo "$svc: update paused: ${update#*|}" >&2; failed_tasks "$svc" >&2; return 3; fi ;;
        rollback_completed)
            # Asked for (service-rollback): done once its tasks run. After an update: the update
            # failed, which is said once the rolled-back tasks run again (the service is back).
            if [ "$mode" = "" ]; then rolled_back=${update#*|}; fi ;;
    esac
    restart=$(docker service inspect "$svc" --format '{{.Spec.TaskTemplate.RestartPolicy.Condition}}')
    want=$(docker service inspect "$svc" --format '{{if .Spec.Mode.Replicated}}{{.Spec.Mode.Replicated.Replicas}}{{end}}')
    states=$(docker service ps "$svc" --filter desired-state=running --format '{{.CurrentState}}' 2>/dev/null | cut -d' ' -f1)
    running=$(printf '%s\n' "$states" | grep -c '^Running$')
    others=$(printf '%s\n' "$states" | grep -c -v '^Running$\|^$')
    if [ "$restart" = none ]; then
        # One-shot tasks: done when every task completed and none is left to run.
        done=$(docker service ps "$svc" --format '{{.CurrentState}}' | grep -c '^Complete')
        failed=$(docker service ps "$svc" --format '{{.CurrentState}}' | grep -c '^Failed\|^Rejected')
        progress "$svc" "$done completed, $running running"
        [ "$failed" -gt 0 ] && [ "$running" = 0 ] && [ "$others" = 0 ] && { echo "$svc: a one-shot task failed" >&2; reasons "$svc" >&2; docker service ps "$svc" --no-trunc --format '{{.Name}} on {{.Node}}: {{.CurrentState}} {{.Error}}' | grep 'Failed\|Rejected' | head -5 >&2; return 3; }
        [ "$running" = 0 ] && [ "$others" = 0 ] && [ "$done" -ge "${want:-1}" ] && { converged; return $?; }
        return 1
    fi
    progress "$svc" "$running/${want:-$((running + others))} running"
    [ "$others" = 0 ] && [ "$running" = "${want:-$running}" ] && { converged; return $?; }
    return 1
}

# The tasks have settled: converged (0), unless this wait followed an update the swarm rolled
# back (3, with the tasks that failed and why).
converged() {
    [ -z "$rolled_back" ] && return 0
    echo "$svc: update rolled back: $rolled_back" >&2
    failed_tasks "$svc" >&2
    return 3
}

last=""
progress() {
    [ "$1: $2" = "$last" ] && return
    last="$1: $2"
    echo "$last"
}

wait_for() {
    deadline=$(( $(date +%s) + $2 ))
    while :; do
        look "$1"; rc=$?
        [ $rc = 0 ] && { echo "$1: converged"; return 0; }
        [ $rc = 3 ] && return 1
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "$1: not converged after $2 s:" >&2
            reasons "$1" >&2
            return 2
        fi
        sleep 0.5
    done
}

# Seconds come from a task's flag: digits only, 1 to 86400, before any arithmetic sees them
# (bash evaluates $((…)) operands as expressions).
seconds() {
    case ${1:-} in ''|*[!0-9]*) echo "wait takes whole seconds, not '${1:-}'" >&2; exit 2 ;; esac
    [ ${#1} -le 5 ] && [ "$1" -ge 1 ] && [ "$1" -le 86400 ] || { echo "wait takes 1 to 86400 seconds" >&2; exit 2; }
}
case "${1:-}" in
    wait|stack|drain) seconds "${3:-}" ;;
esac

case "${1:-}" in
    apply) apply "$2" ;;
    wait) mode=${4:-}; wait_for "$2" "$3" ;;
    stack)
        deadline=$(( $(date +%s) + $3 ))
        for svc in $(docker stack services "$2" --format '{{.Name}}'); do
            left=$(( deadline - $(date +%s) )); [ $left -lt 1 ] && left=1
            wait_for "$svc" "$left" || exit $?
        done ;;
    drain)
        deadline=$(( $(date +%s) + $3 ))
        while :; do
            left=$(docker node ps "$2" --filter desired-state=running --format '{{.Name}}' | wc -l)
            [ "$left" = 0 ] && { echo "$2: drained"; break; }
            echo "$2: $left task(s) still to move"
            if [ "$(date +%s)" -ge "$deadline" ]; then
                echo "$2: not drained after $3 s" >&2; exit 2
            fi
            sleep 0.5
        done
        # Where they went: every service that had a task there must converge elsewhere.
        mode=settle
        for svc in $(docker service ls --format '{{.Name}}'); do
            wait_for "$svc" $(( deadline - $(date +%s) > 1 ? deadline - $(date +%s) : 1 )) >/dev/null || { echo "$svc cannot run elsewhere:" >&2; reasons "$svc" >&2; exit 1; }
        done ;;
    *) echo "usage: skp-swarm apply NAME | wait NAME SECONDS | stack STACK SECONDS | drain NODE SECONDS" >&2; exit 2 ;;
esac
