//! The README's instructions are true: its setup command generates the sample, and every code
//! block of its quick start is, byte for byte, a file of `tests/wine/quickstart` (which
//! `windows_target.rs` builds and runs under Wine) or the output of the command it names.

use std::path::Path;
use std::process::Command;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// `(what, code)` for each code block the README marks `<!-- quickstart: what -->`.
fn quickstart_blocks() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(Path::new(REPO).join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let Some(what) = line
            .strip_prefix("<!-- quickstart: ")
            .and_then(|l| l.strip_suffix(" -->"))
        else {
            continue;
        };
        let fence = lines.next().unwrap_or_default();
        assert!(fence.starts_with("```"), "no code block after {line}");
        let code: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        blocks.push((what.to_string(), code.join("\n") + "\n"));
    }
    blocks
}

#[test]
fn quickstart_blocks_are_the_quickstart_crate() {
    let krate = Path::new(REPO).join("tests/wine/quickstart");
    let blocks = quickstart_blocks();
    let whats: Vec<&str> = blocks.iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(
        whats,
        ["cpgen features clock.idl", "build.rs", "src/lib.rs"]
    );
    for (what, code) in &blocks {
        if let Some(args) = what.strip_prefix("cpgen ") {
            let output = Command::new(env!("CARGO_BIN_EXE_cpgen"))
                .args(args.split(' '))
                .current_dir(&krate)
                .output()
                .unwrap();
            assert!(output.status.success(), "{what}: {output:?}");
            assert_eq!(&String::from_utf8_lossy(&output.stdout), code, "{what}");
            // The crate depends on exactly that.
            let manifest = std::fs::read_to_string(krate.join("Cargo.toml")).unwrap();
            let dependencies = code.split_once("[dependencies]").unwrap().1;
            assert!(
                manifest.contains(dependencies),
                "Cargo.toml lacks\n{dependencies}"
            );
        } else {
            let file = std::fs::read_to_string(krate.join(what)).unwrap();
            assert_eq!(
                &file, code,
                "README block {what} differs from the quickstart crate's"
            );
        }
    }
}

#[test]
fn the_setup_command_generates_the_sample() {
    let readme = std::fs::read_to_string(Path::new(REPO).join("README.md")).unwrap();
    let command = readme
        .lines()
        .find_map(|l| l.strip_prefix("cargo run --release -- "))
        .expect("the README's first setup command");
    let args: Vec<&str> = command
        .split('#')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(args, ["fixtures/clock.idl", "-o", "events.rs"]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("fixtures")).unwrap();
    std::fs::copy(
        Path::new(REPO).join("fixtures/clock.idl"),
        dir.path().join("fixtures/clock.idl"),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_cpgen"))
        .args(&args)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let events = std::fs::read_to_string(dir.path().join("events.rs")).unwrap();
    assert!(events.contains("pub struct ClockConnectionPoints"));
}
