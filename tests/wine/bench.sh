#!/usr/bin/env bash
# cpgen's Windows test bench: builds a Windows-target crate for
# x86_64-pc-windows-gnu with Debian's toolchain and runs its tests under Wine
# (real ole32/oleaut32/atl). The windows crate and #[implement] build only for
# Windows targets, so this is how generated code gets compiled and exercised.
#
#   bench.sh check                          exit 0 if every tool is there, 3 if not
#   bench.sh test <crate-dir> [args...]     cargo test <args> for Windows, under Wine
#   bench.sh clippy <crate-dir> [args...]   clippy (Debian's, matching its rustc) for Windows,
#                                           every target, warnings denied
#   bench.sh doc <crate-dir> [args...]      cargo doc --no-deps for Windows, warnings denied
#   bench.sh run <crate-dir> [args...]      cargo run --release <args> for Windows, under Wine
#
# Exit codes: the tool's own, 2 for usage errors, 3 for missing tools (so a
# caller can skip, or fail when CPGEN_REQUIRE_WINE=1).
# State is cached under <repo>/target/wine (CPGEN_WINE_DIR overrides): the Wine
# prefix, the ProcessPrng shim and one target dir shared by every crate, so
# build-std compiles std once. See README.md beside this script.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${CPGEN_WINE_DIR:-$repo/target/wine}

# Debian's paths (packages rustc-web, rust-web-src, gcc-mingw-w64-x86-64,
# wine64, wine64-tools); cargo is rustup's or Debian's cargo-web, whichever
# PATH finds. All overridable for other layouts.
cargo=${CPGEN_WINE_CARGO:-cargo}
rustc=${CPGEN_WINE_RUSTC:-/usr/bin/rustc}
rustdoc=${CPGEN_WINE_RUSTDOC:-/usr/bin/rustdoc}
mingw=${CPGEN_WINE_MINGW:-x86_64-w64-mingw32-gcc}
wine=${CPGEN_WINE_LOADER:-/usr/lib/wine/wine64}
wineserver=${CPGEN_WINE_SERVER:-/usr/lib/wine/wineserver}
widl=${CPGEN_WINE_WIDL:-/usr/lib/wine/widl}
clippy_driver=${CPGEN_WINE_CLIPPY:-/usr/bin/clippy-driver}

say() { echo "wine bench: $*" >&2; }

usage() {
    sed -n '7,12p' "${BASH_SOURCE[0]}" | sed 's/^#  */usage: /' >&2
    exit 2
}

# Prints one line per missing tool, naming the package that provides it.
missing_tools() {
    local tool package
    while read -r tool package; do
        command -v "$tool" >/dev/null 2>&1 || echo "  $tool (apt-get install $package)"
    done <<EOF
$cargo cargo-web
flock util-linux
$rustc rustc-web
$rustdoc rustc-web
$mingw gcc-mingw-w64-x86-64
$wine wine64
$wineserver wine64
$widl wine64-tools
$clippy_driver rust-web-clippy
EOF
    # build-std needs the standard library's source for this very rustc.
    if [[ -x $rustc ]]; then
        local src
        src="$("$rustc" --print sysroot)/lib/rustlib/src/rust/library/std/Cargo.toml"
        [[ -f $src ]] || echo "  $src (apt-get install rust-web-src)"
    fi
}

check() {
    local missing
    missing=$(missing_tools)
    if [[ -n $missing ]]; then
        say "missing tools:"
        echo "$missing" >&2
        return 3
    fi
}

# The environment every Wine process of the bench runs with.
wine_env() {
    export WINEPREFIX=$cache/prefix
    export WINEDEBUG=${CPGEN_WINEDEBUG:--all}
    # No Mono/Gecko install prompts (nothing here needs .NET or HTML), and no
    # menu entries written into $HOME.
    export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
    # Headless whatever the caller's session, so nothing pops up on a
    # developer's desktop; COM's hidden windows need no display.
    unset DISPLAY WAYLAND_DISPLAY
}

# Runs a Wine command with its output in the log and without the lock's fd:
# the wineserver and services it may start outlive this script, and must not
# hold the lock (or the caller's pipes) after it.
quiet() {
    "$@" </dev/null >>"$cache/wine.log" 2>&1 9>&-
}

# Like quiet, for a step the run cannot do without: when it fails, says which one and shows the
# end of the log, rather than ending the run with nothing on stderr.
must() {
    local status=0
    quiet "$@" || status=$?
    if ((status != 0)); then
        say "failed (status $status): $*; the end of $cache/wine.log:"
        tail -n 20 "$cache/wine.log" >&2
        exit "$status"
    fi
}

# Builds the ProcessPrng shim, once (again only if its source changes).
build_shim() {
    local dll=$cache/shim/bcryptprimitives.dll
    if [[ -f $dll && $dll -nt $here/shim/bcryptprimitives.c && $dll -nt $here/shim/bcryptprimitives.def ]]; then
        return
    fi
    say "building the ProcessPrng shim"
    mkdir -p "$cache/shim"
    "$mingw" -shared -O2 -s -Wall -Wextra -Werror -o "$dll.tmp" \
        "$here/shim/bcryptprimitives.c" "$here/shim/bcryptprimitives.def" -ladvapi32
    mv "$dll.tmp" "$dll"
}

# Creates the Wine prefix once; installs the shim if this Wine lacks the DLL.
prepare_prefix() {
    local ready=$WINEPREFIX/.cpgen-ready
    if [[ ! -f $ready ]]; then
        say "creating the Wine prefix (log: $cache/wine.log)"
        rm -rf "$WINEPREFIX"
        must "$wine" wineboot --init
        # wineboot returns before the prefix is fully written.
        must "$wineserver" -w
        touch "$ready"
    fi
    local target=$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll
    local shim=$cache/shim/bcryptprimitives.dll
    # A newer Wine ships the real DLL (its builtins carry a "Wine builtin DLL"
    # stamp); keep that one and only install or refresh our own.
    if [[ -f $target ]] && ! cmp -s "$target" "$shim" && grep -q "Wine builtin DLL" "$target"; then
        return
    fi
    cmp -s "$target" "$shim" 2>/dev/null || cp "$shim" "$target"
}

# Starts a wineserver of our own, detached from the caller's stdout/stderr.
# Left to itself, the first Wine process of a run spawns the server and
# services.exe, explorer.exe, ... which inherit its stdio and outlive it, so a
# caller that captures output (Rust's Command::output) would wait on them.
start_wine() {
    # A server left over from a killed run, or started by hand, is replaced:
    # we hold the lock, so no bench run is using it.
    quiet "$wineserver" -k || true
    quiet "$wineserver" -w || true
    # Persist between test binaries, so the services started next stay up for
    # all of them; stop_wine ends it, and if this script is killed first it
    # still goes away a minute after its last client.
    must "$wineserver" -p60
    # Also applies a prefix update after a Wine upgrade, before tests run.
    must "$wine" wineboot
}

stop_wine() {
    quiet "$wineserver" -k || true
    quiet "$wineserver" -w || true
}

run_tests() {
    local mode=$1 crate=$2
    shift 2
    [[ -f $crate/Cargo.toml ]] || { say "no Cargo.toml in $crate"; exit 2; }
    crate=$(cd "$crate" && pwd)
    check
    mkdir -p "$cache"

    # One bench run at a time: the prefix, the shim and the wineserver are
    # shared (cargo would serialise on the shared target dir anyway).
    exec 9>"$cache/lock"
    if ! flock -n 9; then
        say "waiting for another bench run to finish"
        flock 9
    fi

    wine_env
    build_shim
    prepare_prefix
    trap stop_wine EXIT
    # Signals end the script through exit, so the EXIT trap runs for them too.
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start_wine

    # Flags meant for cpgen's own Linux build would change the fingerprint of
    # the std that build-std made, and rebuild it; generated code carries
    # #![deny(warnings)] itself.
    unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS RUSTDOCFLAGS CARGO_BUILD_RUSTFLAGS \
        CARGO_BUILD_TARGET CARGO_BUILD_TARGET_DIR RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER
    export RUSTC=$rustc RUSTDOC=$rustdoc
    # -Zbuild-std on Debian's stable rustc, which ships no Windows std.
    export RUSTC_BOOTSTRAP=1
    export CARGO_TARGET_DIR=$cache/target
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=$mingw
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=$wine
    # The build scripts that compile type libraries run this widl: Debian's wine64-tools has no
    # plain `widl` on PATH (only the `wine` package's alternatives make one).
    export CPGEN_WINE_WIDL=$widl

    cd "$crate"
    # Not exec: the EXIT trap has to stop the wineserver afterwards.
    local status=0
    if [[ $mode == clippy ]]; then
        # What cargo-clippy does, with the clippy-driver that matches $rustc (rustup's would not
        # read the std that build-std made); CLIPPY_ARGS carries -D warnings to the driver.
        RUSTC_WORKSPACE_WRAPPER=$clippy_driver \
            CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" \
            "$cargo" check -Zbuild-std --target x86_64-pc-windows-gnu --all-targets "$@" \
            </dev/null 9>&- || status=$?
    elif [[ $mode == doc ]]; then
        RUSTDOCFLAGS="-D warnings" "$cargo" doc -Zbuild-std --target x86_64-pc-windows-gnu --no-deps "$@" \
            </dev/null 9>&- || status=$?
    elif [[ $mode == run ]]; then
        "$cargo" run -Zbuild-std --target x86_64-pc-windows-gnu --release "$@" </dev/null 9>&- || status=$?
    else
        "$cargo" test -Zbuild-std --target x86_64-pc-windows-gnu "$@" </dev/null 9>&- || status=$?
    fi
    return "$status"
}

case ${1:-} in
check)
    [[ $# -eq 1 ]] || usage
    check
    ;;
test | clippy | doc | run)
    [[ $# -ge 2 ]] || usage
    run_tests "$@"
    ;;
*)
    usage
    ;;
esac
