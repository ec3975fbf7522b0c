#!/usr/bin/env bash
# Builds the libFuzzer targets (Swift's -sanitize=fuzzer,address) and runs each for a bounded time.
#
#   Fuzz/run.sh [SECONDS]     (default 60 per target; CI runs it from .ci/run)
#
# Each target is compiled from SkpKit's sources plus one entry point. Seeds: the task files in
# tasks/, the inventories in the repo, and the broken inventories of the unit tests. A crash
# leaves its input in Fuzz/out/<target>/crash-*, and the script fails.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
OUT=Fuzz/out
mkdir -p "$OUT"
sources=$(find Sources/SkpKit -name '*.swift' | sort)
jansson_flags=$(pkg-config --cflags --libs jansson | sed 's/-I/-Xcc -I/g')
status=0
for target in Parser Inventory; do
    bin="$OUT/$(echo "$target" | tr A-Z a-z)-fuzz"
    if [ ! -x "$bin" ] || [ -n "$(find Sources/SkpKit "Fuzz/${target}Fuzz.swift" -newer "$bin" -print -quit)" ]; then
        echo "fuzz: building $target target" >&2
        swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name "${target}Fuzz" \
            -I Sources/CJansson $jansson_flags $sources "Fuzz/${target}Fuzz.swift" -o "$bin"
    fi
    corpus="$OUT/corpus-$target"
    mkdir -p "$corpus" "$OUT/$target"
    if [ "$target" = Parser ]; then
        for f in tasks/*.skp; do printf '\0' | cat - "$f" > "$corpus/seed-$(basename "$f")"; done
        printf '\1role:master & !label:gpu | one(worker)' > "$corpus/seed-selector"
    else
        for f in hosts.json volumes.json networks.json; do
            i=$(( $(echo "hosts volumes networks" | tr ' ' '\n' | grep -n "${f%.json}" | cut -d: -f1) - 1 ))
            printf "\\$(printf '%03o' "$i")" | cat - "$f" > "$corpus/seed-$f"
        done
    fi
    log="$OUT/$target.log"
    if (cd "$OUT/$target" && "../../../$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
            -print_final_stats=1 "../corpus-$target") > "$log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
        echo "fuzz: $target: $runs inputs in ${SECONDS_EACH} s, no crash"
    else
        echo "fuzz: $target FAILED (crash input in $OUT/$target; log $log):" >&2
        grep -E "ERROR|panic|Fatal|SUMMARY|Test unit written" "$log" | head -10 >&2
        status=1
    fi
done
exit $status
