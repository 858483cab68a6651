//! A generated file and the cpgen-runtime it builds with agree on a version, and a mismatch
//! is one compile error that says what to do.

use std::path::Path;
use std::process::Command;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn cpgen_writes_the_version_the_runtime_answers_to() {
    let version = std::fs::read_to_string(Path::new(REPO).join("runtime/src/version.rs")).unwrap();
    let wanted = cpgen::emit::RUNTIME_VERSION;
    assert!(version.contains(&format!("pub const VERSION: &str = \"{wanted}\";")));
    assert!(version.contains(&format!("    (\"{wanted}\") => {{")));
    let manifest = std::fs::read_to_string(Path::new(REPO).join("runtime/Cargo.toml")).unwrap();
    assert!(
        manifest.contains(&format!("\nversion = \"{wanted}.")),
        "{manifest}"
    );
}

/// Compiles `check` against the runtime's version module (which needs nothing from Windows),
/// built as a crate named cpgen_runtime.
fn compile(check: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let runtime = Command::new(&rustc)
        .args([
            "--edition",
            "2024",
            "--crate-type",
            "lib",
            "--crate-name",
            "cpgen_runtime",
        ])
        .arg(Path::new(REPO).join("runtime/src/version.rs"))
        .arg("--out-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(runtime.status.success(), "{runtime:?}");
    let user = dir.path().join("user.rs");
    std::fs::write(&user, format!("{check}\n")).unwrap();
    Command::new(&rustc)
        .args(["--edition", "2024", "--crate-type", "lib", "--extern"])
        .arg(format!(
            "cpgen_runtime={}",
            dir.path().join("libcpgen_runtime.rlib").display()
        ))
        .arg(&user)
        .arg("--out-dir")
        .arg(dir.path())
        .output()
        .unwrap()
}

#[test]
fn a_file_made_for_another_runtime_fails_with_one_error_saying_what_to_do() {
    let ok = compile(r#"const _: () = cpgen_runtime::require_version!("0.1");"#);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let other = compile(r#"const _: () = cpgen_runtime::require_version!("0.7");"#);
    assert!(!other.status.success());
    let stderr = String::from_utf8_lossy(&other.stderr);
    assert!(
        stderr.contains(
            "error: this file was generated for cpgen-runtime 0.7, but the crate builds with \
             cpgen-runtime 0.1: regenerate the file with the cpgen of cpgen-runtime 0.1"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("or depend on cpgen-runtime 0.7 instead"),
        "{stderr}"
    );
    let errors = stderr.lines().filter(|l| l.starts_with("error")).count();
    assert_eq!(errors, 2, "one error and its summary:\n{stderr}");
}
