#!/usr/bin/env bash
# Two cpgen binaries and Wine's widl on one file, alternating run by run, so that all three see the
# same load (BENCHMARKS.md, issue 16): the median wall time of each and each cpgen's ratio to widl.
#
#   benches/ab_vs_widl.sh BEFORE AFTER FILE [RUNS]     (default 20 runs)
#
# Same options and include path as benches/vs_widl.sh; WIDL and WINE_IDL_DIR as there.
set -euo pipefail

before=$1 after=$2 file=$3 runs=${4:-20}
idl_dir=${WINE_IDL_DIR:-/usr/include/wine/wine/windows}
widl=${WIDL:-$(command -v widl || echo /usr/lib/wine/widl)}
includes=(-I "$idl_dir" -I "$idl_dir/..")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

run() {
    case $1 in
    widl) (cd "$scratch" && "$widl" "${includes[@]}" -h -o "$scratch/out.h" "$file" 2>/dev/null) ;;
    *) "$1" "$file" "${includes[@]}" -o "$scratch/out.rs" 2>/dev/null ;;
    esac
}
median() {
    sort -g "$1" | awk '{ v[NR] = $1 }
        END { m = int((NR + 1) / 2); if (NR % 2) print v[m]; else print (v[m] + v[m + 1]) / 2 }'
}
for _ in $(seq "$runs"); do
    for tool in before after widl; do
        binary=${!tool:-widl}
        [[ $tool == widl ]] && binary=widl
        start=$(date +%s.%N)
        run "$binary"
        end=$(date +%s.%N)
        echo "$end - $start" | bc -l >>"$scratch/$tool"
    done
done
b=$(median "$scratch/before") a=$(median "$scratch/after") w=$(median "$scratch/widl")
printf '%s: before %.4f s, after %.4f s, widl -h %.4f s (medians of %d); cpgen/widl before %.2f, after %.2f\n' \
    "${file##*/}" "$b" "$a" "$w" "$runs" "$(echo "$b / $w" | bc -l)" "$(echo "$a / $w" | bc -l)"
