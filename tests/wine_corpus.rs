//! Acceptance over real MIDL: every IDL file of Wine's SDK that widl accepts,
//! cpgen must accept too, and print a model of the documented JSON shape.
//! (WinRT files may be refused with cpgen's "WinRT IDL is not supported".)

mod common;
#[path = "wine_corpus/shape.rs"]
mod shape;

use common::Wine;
use serde_json::Value;
use shape::shape_problems;

const CPGEN: &str = env!("CARGO_BIN_EXE_cpgen");
const WINRT_REFUSAL: &str = "WinRT IDL is not supported";

/// What happened to one file.
enum Outcome {
    /// widl rejects it: not a fair test of cpgen.
    WidlRejects,
    Accepted,
    RefusedWinRt,
    /// widl accepts it but cpgen does not, or cpgen broke its output contract.
    Failed(String),
}

#[test]
fn cpgen_accepts_every_idl_file_widl_accepts() {
    let Some(wine) = common::wine_or_skip("wine_corpus") else {
        return;
    };
    let files = wine.idl_files();
    let outcomes = common::parallel_map(&files, |file| check(&wine, file));

    let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let widl_rejects = count(|o| matches!(o, Outcome::WidlRejects));
    let accepted = count(|o| matches!(o, Outcome::Accepted));
    let winrt = count(|o| matches!(o, Outcome::RefusedWinRt));
    let failures: Vec<String> = files
        .iter()
        .zip(&outcomes)
        .filter_map(|(file, o)| match o {
            Outcome::Failed(why) => Some(format!("{file}: {why}")),
            _ => None,
        })
        .collect();
    common::announce(&format!(
        "wine corpus: {} files; widl accepts {}, rejects {widl_rejects}; of those widl accepts, \
         cpgen accepts {accepted}, refuses {winrt} as WinRT, fails {}",
        files.len(),
        files.len() - widl_rejects,
        failures.len()
    ));
    // Guards against a broken widl invocation turning the test into a no-op.
    assert!(
        files.len() - widl_rejects >= 100,
        "widl accepted only {} of {} files",
        files.len() - widl_rejects,
        files.len()
    );
    assert!(
        failures.is_empty(),
        "{} file(s) that widl accepts fail in cpgen:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn check(wine: &Wine, file: &str) -> Outcome {
    if !wine.widl_accepts(file) {
        return Outcome::WidlRejects;
    }
    let out = wine.cpgen_inspect(CPGEN, file);
    if !out.status.success() {
        let refusal = String::from_utf8_lossy(&out.stderr).contains(WINRT_REFUSAL);
        if refusal && out.status.code() == Some(1) && out.stdout.is_empty() && is_winrt(wine, file)
        {
            return Outcome::RefusedWinRt;
        }
        let mut why = format!(
            "{}\n    {}",
            out.status,
            common::first_lines(&out.stderr, 6)
        );
        if !out.stdout.is_empty() {
            why.push_str("\n    (and it wrote to stdout despite failing)");
        }
        if refusal {
            why.push_str("\n    (refused as WinRT, but it declares no namespace)");
        }
        return Outcome::Failed(why);
    }
    let problems = match serde_json::from_slice::<Value>(&out.stdout) {
        Ok(model) => shape_problems(&model),
        Err(e) => vec![format!("stdout is not JSON: {e}")],
    };
    if problems.is_empty() {
        Outcome::Accepted
    } else {
        Outcome::Failed(format!("bad model JSON: {}", problems.join("; ")))
    }
}

/// Whether `file` is WinRT (MIDL 3) IDL, which declares its types inside
/// `namespace` blocks; without this check a cpgen refusing everything as
/// WinRT would pass.
fn is_winrt(wine: &Wine, file: &str) -> bool {
    let text = std::fs::read_to_string(wine.idl_dir.join(file)).expect("read an IDL file");
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|word| word == "namespace")
}
