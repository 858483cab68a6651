#!/usr/bin/env bash
# Seeds the corpus of every fuzz target with cpgen's fixtures (the reproducers of
# fixtures/robust among them: nesting thousands of levels deep, which mutation alone never
# reaches), lines longer than 65,535 columns and, when libwine-dev is installed, Wine's IDL files
# (copied into fuzz/corpus/, which git ignores; nothing of Wine's is committed).
#
#   fuzz/seed.sh                      then, for each target (preprocess, parse, pipeline):
#   RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET corpus/TARGET -- -max_total_time=600 -max_len=131072
set -euo pipefail

fuzz=$(cd "$(dirname "$0")" && pwd)
wine=${WINE_IDL_DIR:-/usr/include/wine/wine/windows}
for target in preprocess parse pipeline; do
    corpus=$fuzz/corpus/$target
    mkdir -p "$corpus"
    cp "$fuzz"/../fixtures/*.idl "$fuzz"/../fixtures/malformed/*.idl "$corpus"/
    cp "$fuzz"/../fixtures/robust/*.idl "$corpus"/
    # Errors past column 65,535, in a constant and in an attribute.
    printf 'const int x = 1%*s @;\n' 70000 '' >"$corpus"/long_line_error.idl
    printf '[id(1%*s)] interface I : IUnknown { HRESULT F(@); }\n' 70000 '' >"$corpus"/long_line_attribute.idl
    # Nesting just inside the limits, where the stack is deepest.
    deep=255
    { printf 'const int x = '; printf '(-%.0s' $(seq $deep); printf '1'; printf ')%.0s' $(seq $deep); printf ';\n'; } >"$corpus"/deepest_expression.idl
    { printf 'interface I : IUnknown {\n%.0s' $(seq $deep); printf '}\n%.0s' $(seq $deep); } >"$corpus"/deepest_blocks.idl
    { printf 'typedef long '; printf '(*f)(long %.0s' $(seq 127); printf 'x'; printf ')%.0s' $(seq 127); printf ';\n'; } >"$corpus"/deepest_declarator.idl
    if [[ -d $wine ]]; then
        cp "$wine"/*.idl "$corpus"/
    else
        echo "seed.sh: $wine is missing; seeding $target with cpgen's fixtures only" >&2
    fi
    echo "$corpus: $(find "$corpus" -type f | wc -l) files"
done
