#!/usr/bin/env bash
# Whole processes, cpgen against Wine's widl on the same inputs in the same run (BENCHMARKS.md):
#
#   benches/vs_widl.sh [RUNS]        (default 5; needs libwine-dev and wine64-tools)
#
# 0. The files users have: the shipped sample (fixtures/clock.idl) and a typical ActiveX control's
#    IDL (fixtures/realworld/vlc-activex/axvlc.idl: 746 lines, 2 coclasses, an event
#    dispinterface, dual interfaces), each tool 4 × RUNS times, alternating; median wall time and
#    the largest peak memory (/usr/bin/time's maximum resident set) of each. Then the same with
#    an edit before each run, as a build that regenerates after an IDL changed meets it: a copy
#    of the file in the scratch folder with one more event, a new one each run, in its first
#    dispinterface.
# 1. mshtml.idl (30,000 lines, plus the dozen files it imports): `cpgen mshtml.idl -o OUT` and
#    `widl -h -o OUT mshtml.idl`, each RUNS times, alternating; the median wall time of each.
# 2. The whole folder: every .idl file of Wine's SDK folder that `widl -h` accepts, one process
#    per file and tool, the total wall time of a pass, median over RUNS passes. cpgen runs as a
#    user runs it, `cpgen FILE -o OUT`: the full pipeline where the file has a connectable
#    coclass; where it has none (most SDK files), it reads, parses and resolves the file and its
#    imports and exits 1 saying there is nothing to generate; WinRT files, and the few that use
#    what cpgen does not support yet, it refuses with an error (exit 1) after reading them. The
#    script counts each outcome, and fails if cpgen crashes (any other exit status).
#
# Both tools get Wine's include path (`-I <dir> -I <dir>/..`) and write into a scratch folder
# (never -o /dev/null: as root, widl replaces /dev/null with a file when it fails).
# cpgen keeps imported files (preprocessed, parsed) and each input's printed pieces in its
# default cache folder, so every timed run after the first finds them, as a build's second run
# does (the edited runs find only what the edit left alone); CPGEN_ARGS=--no-cache times runs
# that read and print everything afresh.
# Environment: CPGEN (default: target/release/cpgen, built first), CPGEN_ARGS (more arguments
# for cpgen, such as --no-cache or --cache-dir DIR), WIDL (default: widl on PATH,
# else /usr/lib/wine/widl), WINE_IDL_DIR (default: /usr/include/wine/wine/windows).
set -euo pipefail

runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
idl_dir=${WINE_IDL_DIR:-/usr/include/wine/wine/windows}
widl=${WIDL:-$(command -v widl || echo /usr/lib/wine/widl)}
if [[ -z ${CPGEN:-} ]]; then
    cargo build --release --quiet --manifest-path "$root/Cargo.toml"
    CPGEN=$root/target/release/cpgen
fi
for need in "$widl" "$CPGEN" "$idl_dir/mshtml.idl"; do
    [[ -e $need ]] || { echo "missing: $need (install libwine-dev wine64-tools)" >&2; exit 3; }
done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
includes=(-I "$idl_dir" -I "$idl_dir/..")
read -r -a cpgen_args <<<"${CPGEN_ARGS:-}"

# Wall-clock seconds since the epoch, to the microsecond.
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
median() {
    sort -g | awk '{ v[NR] = $1 }
        END { m = int((NR + 1) / 2); if (NR % 2) print v[m]; else print (v[m] + v[m + 1]) / 2 }'
}
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }

# Each takes a file of Wine's folder by name, or any file by path.
input() { if [[ $1 == */* ]]; then echo "$1"; else echo "$idl_dir/$1"; fi; }
run_cpgen() {
    "$CPGEN" "$(input "$1")" "${includes[@]}" "${cpgen_args[@]}" -o "$scratch/${1##*/}.rs" 2>"$scratch/cpgen.err"
}
run_widl() {
    (cd "$scratch" && "$widl" "${includes[@]}" -h -o "$scratch/${1##*/}.h" "$(input "$1")" 2>/dev/null)
}

echo "cpgen: $CPGEN ${CPGEN_ARGS:-}"
echo "widl:  $widl ($("$widl" -V 2>&1 | head -1))"
echo "inputs: $idl_dir; $runs runs"

# --- the sample and a typical control ----------------------------------------------------------
# Peak memory (KB) of one run of a tool on a file, measured apart from the timed runs.
peak() {
    local out
    out=$(mktemp -p "$scratch")
    (cd "$scratch" && /usr/bin/time -f %M -o "$out" "$@" >/dev/null 2>&1) || true
    echo $(($(tail -1 "$out") / 1024))
}
# Writes $scratch/NAME: FILE with one more event (number N) in its first dispinterface.
edited() {
    local name=${1##*/}
    sed "0,/^[[:space:]]*methods:/s//&\n        [id($((9000 + $2)))] void CpgenBenchEdit$2([in] long n);/" \
        "$1" >"$scratch/$name"
    grep -q "CpgenBenchEdit$2" "$scratch/$name" || { echo "no dispinterface to edit in $1" >&2; exit 1; }
    echo "$scratch/$name"
}
for file in "$root/fixtures/clock.idl" "$root/fixtures/realworld/vlc-activex/axvlc.idl"; do
    for edit in no yes; do
        input=$file
        [[ $edit == yes ]] && input=$(edited "$file" 0)
        run_cpgen "$input" || { cat "$scratch/cpgen.err" >&2; exit 1; }
        run_widl "$input" || { echo "widl fails on $input" >&2; exit 1; }
        : >"$scratch/cpgen.times"
        : >"$scratch/widl.times"
        for n in $(seq $((4 * runs))); do
            [[ $edit == yes ]] && input=$(edited "$file" "$n")
            start=$(now); run_cpgen "$input"; end=$(now)
            elapsed "$start" "$end" >>"$scratch/cpgen.times"
            start=$(now); run_widl "$input"; end=$(now)
            elapsed "$start" "$end" >>"$scratch/widl.times"
        done
        cpgen_time=$(median <"$scratch/cpgen.times")
        widl_time=$(median <"$scratch/widl.times")
        what=${file#"$root"/}
        [[ $edit == yes ]] && what="$what, edited before each run"
        if [[ $edit == no ]]; then
            cpgen_peak=$(peak "$CPGEN" "$input" "${includes[@]}" "${cpgen_args[@]}" -o "$scratch/peak.rs")
            widl_peak=$(peak "$widl" "${includes[@]}" -h -o "$scratch/peak.h" "$input")
            printf '%s: cpgen %.4f s %d MB, widl -h %.4f s %d MB (median, peak memory), cpgen/widl = %s\n' \
                "$what" "$cpgen_time" "$cpgen_peak" "$widl_time" "$widl_peak" \
                "$(ratio "$cpgen_time" "$widl_time")"
        else
            printf '%s: cpgen %.4f s, widl -h %.4f s (median), cpgen/widl = %s\n' \
                "$what" "$cpgen_time" "$widl_time" "$(ratio "$cpgen_time" "$widl_time")"
        fi
    done
done

# --- mshtml.idl --------------------------------------------------------------------------------
run_cpgen mshtml.idl || { cat "$scratch/cpgen.err" >&2; exit 1; }
echo "mshtml.idl: cpgen writes $(wc -l <"$scratch/mshtml.idl.rs") lines"
: >"$scratch/cpgen.times"
: >"$scratch/widl.times"
for _ in $(seq "$runs"); do
    start=$(now); run_cpgen mshtml.idl; end=$(now)
    elapsed "$start" "$end" >>"$scratch/cpgen.times"
    start=$(now); run_widl mshtml.idl; end=$(now)
    elapsed "$start" "$end" >>"$scratch/widl.times"
done
cpgen_mshtml=$(median <"$scratch/cpgen.times")
widl_mshtml=$(median <"$scratch/widl.times")
printf 'mshtml.idl: cpgen %.3f s, widl -h %.3f s (medians), cpgen/widl = %s\n' \
    "$cpgen_mshtml" "$widl_mshtml" "$(ratio "$cpgen_mshtml" "$widl_mshtml")"

# --- the whole folder --------------------------------------------------------------------------
files=()
rejected=0
for path in "$idl_dir"/*.idl; do
    file=${path##*/}
    if run_widl "$file"; then files+=("$file"); else rejected=$((rejected + 1)); fi
done
generated=0 nothing=0 winrt=0 unsupported=()
for file in "${files[@]}"; do
    status=0
    run_cpgen "$file" || status=$?
    if ((status == 0)); then
        generated=$((generated + 1))
    elif ((status != 1)); then
        echo "cpgen crashed (status $status) on $file:" >&2
        cat "$scratch/cpgen.err" >&2
        exit 1
    elif grep -q "there are no connection points" "$scratch/cpgen.err"; then
        nothing=$((nothing + 1))
    elif grep -q "WinRT IDL is not supported" "$scratch/cpgen.err"; then
        winrt=$((winrt + 1))
    else
        unsupported+=("$file")
    fi
done
echo "folder: ${#files[@]} files widl accepts ($rejected it rejects, left out); cpgen generates" \
    "$generated, finds nothing to generate in $nothing, refuses $winrt as WinRT and" \
    "${#unsupported[@]} for what it does not support yet (${unsupported[*]})"
: >"$scratch/cpgen.times"
: >"$scratch/widl.times"
for _ in $(seq "$runs"); do
    start=$(now)
    for file in "${files[@]}"; do run_cpgen "$file" || true; done
    end=$(now)
    elapsed "$start" "$end" >>"$scratch/cpgen.times"
    start=$(now)
    for file in "${files[@]}"; do run_widl "$file"; done
    end=$(now)
    elapsed "$start" "$end" >>"$scratch/widl.times"
done
cpgen_folder=$(median <"$scratch/cpgen.times")
widl_folder=$(median <"$scratch/widl.times")
printf 'folder: cpgen %.3f s, widl -h %.3f s (medians of a pass), cpgen/widl = %s\n' \
    "$cpgen_folder" "$widl_folder" "$(ratio "$cpgen_folder" "$widl_folder")"
