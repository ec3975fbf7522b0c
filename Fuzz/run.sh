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
# SkpKit's C libraries: jansson (JSON) and libcrypto (SHA-256 of downloads).
jansson_flags=$(pkg-config --cflags --libs jansson libcrypto | sed 's/-I/-Xcc -I/g')
status=0
for target in Parser Inventory; do
    bin="$OUT/$(echo "$target" | tr A-Z a-z)-fuzz"
    if [ ! -x "$bin" ] || [ -n "$(find Sources/SkpKit "Fuzz/${target}Fuzz.swift" -newer "$bin" -print -quit)" ]; then
        echo "fuzz: building $target target" >&2
        swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name "${target}Fuzz" \
            -I Sources/CJansson -I Sources/CLibCrypto $jansson_flags $sources "Fuzz/${target}Fuzz.swift" -o "$bin"
    fi
    corpus="$OUT/corpus-$target"
    mkdir -p "$corpus" "$OUT/$target"
    if [ "$target" = Parser ]; then
        for f in tasks/*.skp; do printf '\0' | cat - "$f" > "$corpus/seed-$(basename "$f")"; done
        printf '\1role:master & !label:gpu | one(worker)' > "$corpus/seed-selector"
        printf '\0' | cat - Fuzz/seed-shell.skp > "$corpus/seed-shell"
        printf -- '\2a\n-n\nx\n--loud=no\n--limit\n!(all)\n--forks\n3' > "$corpus/seed-command-line"
        # Deep nesting (bit 7 of byte 0): repeats/40, prefix length - 1, prefix, head \0 middle \0 closer \0 tail.
        printf '\201\377\1!(all' > "$corpus/seed-deep-selector"
        printf '\200\200\6if x {\ntask t {\n\0echo "x"\n\0}\n' > "$corpus/seed-deep-if"
        printf '\200\377\3not task t {\nif \0x {\n}\n}\n' > "$corpus/seed-deep-not"
        printf '\200\4\0(task t {\nif \0x\0)\0 {\n}\n}\n' > "$corpus/seed-deep-parentheses-within-limit"
        printf '\202\377\0!--limit\n\0all\na\n-n\nx' > "$corpus/seed-deep-command-line"
    else
        for f in hosts.json volumes.json networks.json images.json services.json; do
            i=$(( $(echo "hosts volumes networks images services" | tr ' ' '\n' | grep -nx "${f%.json}" | cut -d: -f1) - 1 ))
            printf "\\$(printf '%03o' "$i")" | cat - "$f" > "$corpus/seed-$f"
        done
        printf '\200\377\4{"a":\0{\0}' > "$corpus/seed-deep-hosts"
        printf '\200\62\0[{"h":{"ipv4":"10.0.0.9","x":\0 \0]\0}}' > "$corpus/seed-deep-array-within-limit"
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
