//! Inputs made to break a front end: nesting thousands of levels deep in every construct that
//! recurses, chains of operators and casts, nested macro calls, lines too long to quote, files
//! in other encodings. Each ends in a located error or a result, quickly, with exit status 0 or
//! 1, never a crash. The files are in `fixtures/robust`, one per way in.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn cpgen(args: &[&str], dir: &Path) -> (Output, Duration) {
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_cpgen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run cpgen");
    (output, start.elapsed())
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/robust")
        .join(name)
}

/// The reproducers that nest too deeply, and where cpgen says so.
const TOO_DEEP: &[(&str, &str)] = &[
    ("attribute_parentheses.idl", "1:259"),
    ("const_parentheses.idl", "1:271"),
    ("declarator_parentheses.idl", "1:270"),
    ("parameter_declarators.idl", "1:2574"),
    ("nested_libraries.idl", "257:11"),
    ("nested_interfaces.idl", "257:24"),
    ("nested_structs.idl", "257:8"),
    ("unary_chain.idl", "1:15"),
    ("binary_chain.idl", "1:15"),
    ("nested_conditionals.idl", "1:528"),
    ("chained_conditionals.idl", "1:1040"),
    ("subscript_chain.idl", "1:15"),
    ("nested_subscripts.idl", "1:528"),
    ("nested_macro_calls.idl", "2:418"),
];

#[test]
fn deep_nesting_is_a_located_error_on_the_command_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, place) in TOO_DEEP {
        let path = format!("fixtures/robust/{name}");
        let (output, took) = cpgen(&["inspect", &path, "--json"], root);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains("nested too deeply"), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("[{path}:{place}]")),
            "{name}: {stderr}"
        );
        assert!(stderr.len() < 4000, "{name} quoted too much: {stderr}");
        assert!(took < Duration::from_secs(5), "{name} took {took:?}");
    }
}

/// The library refuses them on a thread with a small stack too (build scripts run cpgen on
/// their main thread; a library user may not).
#[test]
fn deep_nesting_is_an_error_on_a_small_stack() {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            for (name, _) in TOO_DEEP {
                let error =
                    cpgen::load(&fixture(name), &cpgen::model::Options::default()).expect_err(name);
                assert!(
                    error.message().contains("nested too deeply"),
                    "{name}: {error}"
                );
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn a_quoted_uuid_cannot_nest() {
    let (output, _) = cpgen(
        &["inspect", "fixtures/robust/quoted_uuid.idl"],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("malformed uuid"), "{stderr}");
}

/// Each cast used to double the time the parser took: 400 would never have finished.
#[test]
fn a_chain_of_casts_parses_in_linear_time() {
    let (output, took) = cpgen(
        &["inspect", "fixtures/robust/cast_chain.idl", "--json"],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("\"value\": 1"));
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

/// An error past column 65,535 (miette's limit) renders, its line cut around the place; a
/// 50 MB line (in a branch not taken, so the run reads it) is neither echoed nor written a
/// character at a time.
#[test]
fn errors_on_very_long_lines_render_shortened() {
    let dir = tempfile::tempdir().unwrap();
    let spaces = |n| " ".repeat(n);
    let cases = [
        (format!("const int x = 1{} @;\n", spaces(70_000)), "1:70017"),
        (
            format!("const int x = 1{} @;\n", spaces(5_000_000)),
            "1:5000017",
        ),
        (format!("#if 0\n{}/*", spaces(50_000_000)), "2:50000001"),
    ];
    for (text, place) in cases {
        std::fs::write(dir.path().join("long.idl"), text).unwrap();
        let (output, took) = cpgen(&["inspect", "long.idl"], dir.path());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(&format!("[long.idl:{place}]")), "{stderr}");
        assert!(stderr.contains("…"), "{stderr}");
        assert!(stderr.len() < 2000, "{} bytes of stderr", stderr.len());
        assert!(took < Duration::from_secs(10), "{place}: took {took:?}");
    }
}

#[test]
fn utf16_and_cr_only_files_read_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let idl = "// a comment\r[uuid(12345678-1234-1234-1234-123456789abc)]\r\
               interface IThing : IUnknown { HRESULT Go(); }\r";
    std::fs::write(dir.path().join("cr.idl"), idl).unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            idl.replace('\r', "\r\n")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    std::fs::write(dir.path().join("utf16.idl"), utf16).unwrap();
    for name in ["cr.idl", "utf16.idl"] {
        let (output, _) = cpgen(&["inspect", name], dir.path());
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "Custom IThing (1 methods)\n",
            "{name}"
        );
    }
}

#[test]
fn a_header_with_pragma_once_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("once.h"),
        "#pragma once\ninterface IOnce : IUnknown { HRESULT Go(); }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("main.idl"),
        "#include \"once.h\"\n#include \"./once.h\"\n",
    )
    .unwrap();
    let (output, _) = cpgen(&["inspect", "main.idl"], dir.path());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "Custom IOnce (1 methods)\n"
    );
}

/// Just inside every limit, each construct parses (and is resolved) on a thread with a small
/// stack: the limits leave room to spare.
#[test]
fn nesting_up_to_the_limits_fits_a_small_stack() {
    let n = 255;
    let inputs = [
        format!("const int x = {}1{};", "(".repeat(n), ")".repeat(n)),
        format!("const int x = {}1{};", "(-".repeat(n), ")".repeat(n)),
        format!("const int x = {}1{};", "((long)".repeat(n), ")".repeat(n)),
        format!("typedef long {}x{};", "(".repeat(n), ")".repeat(n)),
        format!(
            "typedef long {}x{};",
            "(*f)(long ".repeat(n / 2),
            ")".repeat(n / 2)
        ),
        format!(
            "[id({}1{})] interface I : IUnknown {{}}",
            "(".repeat(n - 2),
            ")".repeat(n - 2)
        ),
        format!("{}{}", "library L {\n".repeat(n), "}\n".repeat(n)),
        format!(
            "{}{}",
            "interface I : IUnknown {\n".repeat(n),
            "}\n".repeat(n)
        ),
        format!(
            "typedef struct S {{\n{}long x;\n{}}} S;",
            "struct {\n".repeat(n - 1),
            "} a;\n".repeat(n - 1)
        ),
        format!("const int x = {}1;", "-".repeat(990)),
        format!("const int x = {}1;", "1+".repeat(990)),
        format!("const int x = {}1;", "0?1:".repeat(n)),
        format!("const int x = {}1{};", "1?".repeat(n), ":1".repeat(n)),
    ];
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = inputs
        .iter()
        .enumerate()
        .map(|(k, text)| {
            let path = dir.path().join(format!("limit{k}.idl"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            for path in paths {
                let result = cpgen::load(&path, &cpgen::model::Options::default());
                if let Err(error) = result {
                    assert!(
                        !error.message().contains("nested too deeply"),
                        "{}: {error}",
                        path.display()
                    );
                }
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

/// 64 MB inputs: a macro that multiplies text, a plain long file, one long line. Each is refused
/// (the preprocessed text of a run is bounded) within seconds and well under 2 GB.
#[test]
fn huge_inputs_are_refused_quickly_and_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let size = 64 << 20;
    let fill = |head: &str, unit: &str| {
        let mut text = String::from(head);
        text.push_str(&unit.repeat((size - head.len()) / unit.len()));
        text
    };
    let inputs = [
        fill(&format!("#define A {}\n", "x ".repeat(500)), "A "),
        fill("", "const int a = 1;\n"),
        fill("[id(", "1,"),
        fill("", "\n"),
    ];
    for (k, text) in inputs.iter().enumerate() {
        let name = format!("huge{k}.idl");
        std::fs::write(dir.path().join(&name), text).unwrap();
        let (output, took) = cpgen(&["inspect", &name], dir.path());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains("larger than 6 MiB"), "{name}: {stderr}");
        assert!(took < Duration::from_secs(10), "{name} took {took:?}");
    }
    #[cfg(unix)]
    {
        let peak = common::children_peak_memory();
        assert!(peak < 2 << 30, "a child used {} MB", peak >> 20);
    }
}

/// Each import is read inside the one that imports it: a chain of thousands of files would end
/// the stack too.
#[test]
fn imports_nested_too_deeply_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for k in 0..200 {
        let text = format!("import \"f{}.idl\";\n", k + 1);
        std::fs::write(dir.path().join(format!("f{k}.idl")), text).unwrap();
    }
    std::fs::write(dir.path().join("f200.idl"), "").unwrap();
    let (output, _) = cpgen(&["inspect", "f0.idl"], dir.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("imports nested too deeply"), "{stderr}");
    assert!(stderr.contains("[f64.idl:1:8]"), "{stderr}");
}
