//! Every file in `fixtures/malformed` is refused with a located error: exit status 1, nothing on
//! stdout, and on stderr the message its first line announces (`// expect-error: L:C: text`, or
//! `file:L:C: text` for an error in a file it imports) at that line and column. The whole
//! rendered diagnostic is a reviewed snapshot. Warnings are located the same way but do not
//! fail the run.

use std::path::Path;
use std::process::Command;

#[test]
fn malformed_inputs_get_located_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/malformed");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "idl"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "too few malformed fixtures: {files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("// expect-error: "))
            .unwrap_or_else(|| panic!("{} lacks an expect-error line", path.display()));
        let (place, message) = expect.split_at(expect.find(": ").unwrap());
        let message = &message[2..];
        let relative = format!(
            "fixtures/malformed/{}",
            path.file_name().unwrap().to_str().unwrap()
        );
        // `L:C`, or `file:L:C` when the error is in a file the fixture includes or imports.
        let place = match place.matches(':').count() {
            1 => format!("{relative}:{place}"),
            _ => format!("fixtures/malformed/{place}"),
        };
        let output = Command::new(env!("CARGO_BIN_EXE_cpgen"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["inspect", &relative, "--json"])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{relative}: {stderr}");
        assert!(output.stdout.is_empty(), "{relative} printed to stdout");
        let located = format!("[{place}]");
        assert!(
            stderr.contains(&located),
            "{relative}: expected {located} in\n{stderr}"
        );
        assert!(
            stderr.contains(message),
            "{relative}: expected `{message}` in\n{stderr}"
        );
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        insta::assert_snapshot!(name, stderr);
    }
}

#[test]
fn an_event_without_id_is_a_located_warning() {
    let output = Command::new(env!("CARGO_BIN_EXE_cpgen"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["fixtures/clock.idl", "-o", "-"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!output.stdout.is_empty());
    assert!(stderr.contains("[fixtures/clock.idl:55:18]"), "{stderr}");
    insta::assert_snapshot!("event_without_id", stderr);
}
