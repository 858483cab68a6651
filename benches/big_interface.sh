#!/usr/bin/env bash
# cpgen's time and peak memory on a generated interface of N events (BENCHMARKS.md, "Memory on a
# generated interface"; issue 16's 100,000-method case): a library importing stdole2, one
# dispinterface of N `[id(i)] void EventI([in] long a);` events (or with KIND `vtable`, an
# `IUnknown`-derived interface of N `HRESULT EventI([in] long a);` methods), and a coclass with
# it as its default source.
#
#   benches/big_interface.sh CPGEN N [OUT [KIND]]     (OUT "" or absent: a scratch file, removed)
#
# Prints N, the output's size in bytes, and /usr/bin/time's wall seconds, user seconds and peak
# resident kilobytes.
set -euo pipefail

cpgen=$1 n=$2 out=${3:-} kind=${4:-dispinterface}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
[[ -n $out ]] || out=$scratch/big.rs

{
    [[ $kind == vtable ]] && echo 'import "oaidl.idl";'
    echo '[uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e0), version(1.0)]'
    echo 'library BigLib {'
    echo '    importlib("stdole2.tlb");'
    if [[ $kind == vtable ]]; then
        echo '    [object, uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e1)]'
        echo '    interface IBigEvents : IUnknown {'
        awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) printf "        HRESULT Event%d([in] long a);\n", i }'
    else
        echo '    [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e1)]'
        echo '    dispinterface DBigEvents {'
        echo '    properties:'
        echo '    methods:'
        awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) printf "        [id(%d)] void Event%d([in] long a);\n", i, i }'
    fi
    echo '    };'
    echo '    [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e2)]'
    echo '    coclass Big {'
    if [[ $kind == vtable ]]; then
        echo '        [default, source] interface IBigEvents;'
    else
        echo '        [default, source] dispinterface DBigEvents;'
    fi
    echo '    };'
    echo '};'
} >"$scratch/big.idl"

flags=()
"$cpgen" --help | grep -q -- --no-cache && flags+=(--no-cache)
/usr/bin/time -f "%e %U %M" -o "$scratch/time" "$cpgen" "$scratch/big.idl" "${flags[@]}" -o "$out"
read -r wall user peak <"$scratch/time"
echo "N=$n output=$(stat -c %s "$out") bytes wall=${wall}s user=${user}s peak=${peak} KB"
