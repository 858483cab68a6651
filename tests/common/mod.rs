//! Helpers shared by the tests that check cpgen against Wine's IDL files and
//! Wine's MIDL compiler, widl (packages libwine-dev and wine64-tools).
//!
//! Those tools are optional on a developer's machine but required in CI, so
//! every such test starts with [`wine_or_skip`].

// Each test crate compiles this module but uses only some of it.
#![allow(dead_code)]

pub mod typelib;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::thread;
use tempfile::TempDir;

/// Where libwine-dev installs Wine's SDK IDL files.
pub const WINE_IDL_DIR: &str = "/usr/include/wine/wine/windows";

/// Where Debian's wine64-tools installs widl. The plain `widl` on PATH is an alternative that only
/// the `wine` package creates, so a machine with just the packages `.ci/run` installs has this
/// path and no `widl` command.
const DEBIAN_WIDL: &str = "/usr/lib/wine/widl";

/// The widl to run: `CPGEN_WINE_WIDL` if set (as `tests/wine/bench.sh` reads it), else `widl` on
/// PATH, else Debian's own path.
pub fn widl_program() -> PathBuf {
    if let Some(widl) = std::env::var_os("CPGEN_WINE_WIDL") {
        return widl.into();
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("widl"))
        .find(|candidate| candidate.is_file());
    on_path.unwrap_or_else(|| PathBuf::from(DEBIAN_WIDL))
}

/// The Wine tools a test needs, once found.
pub struct Wine {
    /// Wine's SDK IDL folder; its parent holds the headers those files include.
    pub idl_dir: PathBuf,
    /// widl's working directory and output folder. widl deletes its output
    /// file when it fails (as root, `-o /dev/null` deletes /dev/null) and
    /// leaves its temporary folder in the working directory when it crashes,
    /// so it never runs in, or writes to, anything but this.
    scratch: TempDir,
    /// The widl program ([`widl_program`]).
    widl: PathBuf,
}

/// Finds widl and Wine's IDL files. When either is missing, the test is
/// skipped with a loud message, or fails if `CPGEN_REQUIRE_WINE=1` (as in CI),
/// so a broken CI image cannot silently turn these tests into no-ops.
pub fn wine_or_skip(test: &str) -> Option<Wine> {
    let idl_dir = PathBuf::from(WINE_IDL_DIR);
    let widl = widl_program();
    let widl_runs = Command::new(&widl)
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    let problem = if !widl_runs {
        format!("`{}` does not run", widl.display())
    } else if !idl_dir.join("oaidl.idl").is_file() {
        format!("Wine's IDL files are not in {WINE_IDL_DIR}")
    } else {
        let scratch = tempfile::tempdir().expect("create a scratch folder for widl");
        return Some(Wine {
            idl_dir,
            scratch,
            widl,
        });
    };
    if std::env::var("CPGEN_REQUIRE_WINE").is_ok_and(|v| v == "1") {
        panic!("{test}: {problem}, and CPGEN_REQUIRE_WINE=1 (install libwine-dev wine64-tools)");
    }
    announce(&format!(
        "\n*** SKIPPED: {test}: {problem} (install libwine-dev wine64-tools) ***\n"
    ));
    None
}

/// Peak memory of the largest child process this test process waited for so far, in bytes.
#[cfg(unix)]
pub fn children_peak_memory() -> u64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    usage.ru_maxrss as u64 * 1024
}

/// Writes a line to stderr past libtest's output capture (which takes only
/// `print!`-family output), so skips and summaries show in a plain `cargo test`.
pub fn announce(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

impl Wine {
    /// The sorted file names of every `*.idl` in the folder.
    pub fn idl_files(&self) -> Vec<String> {
        let mut files: Vec<String> = std::fs::read_dir(&self.idl_dir)
            .expect("read Wine's IDL folder")
            .map(|e| {
                e.expect("read a folder entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name.ends_with(".idl"))
            .collect();
        files.sort();
        files
    }

    /// A folder inside the scratch folder, for a test's own files.
    pub fn scratch_dir(&self, name: &str) -> PathBuf {
        let dir = self.scratch.path().join(name);
        std::fs::create_dir_all(&dir).expect("create a scratch folder");
        dir
    }

    /// widl with Wine's include path (`-I <dir> -I <dir>/..`), run in the scratch folder.
    fn widl(&self) -> Command {
        let mut widl = Command::new(&self.widl);
        widl.current_dir(self.scratch.path())
            .arg("-I")
            .arg(&self.idl_dir)
            .arg("-I")
            .arg(self.idl_dir.join(".."));
        widl
    }

    /// Whether widl accepts Wine's `file` (it generates the header, discarded).
    pub fn widl_accepts(&self, file: &str) -> bool {
        let header = self.scratch.path().join(format!("{file}.h"));
        let out = self
            .widl()
            .arg("-h")
            .arg("-o")
            .arg(&header)
            .arg(self.idl_dir.join(file))
            .output()
            .expect("run widl");
        out.status.success()
    }

    /// Wine's `file` after widl's preprocessor: #includes expanded, comments
    /// gone, imports left as statements (the text cpgen inspects).
    pub fn preprocessed(&self, file: &str) -> String {
        let out = self
            .widl()
            .arg("-E")
            .arg(self.idl_dir.join(file))
            .output()
            .expect("run widl -E");
        assert!(
            out.status.success(),
            "widl -E {file} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Builds the type library of `idl` (an absolute path) with `widl -t` and
    /// returns its bytes.
    pub fn type_library(&self, idl: &Path) -> Result<Vec<u8>, String> {
        let name = idl.file_name().expect("an IDL file name").to_string_lossy();
        let tlb = self.scratch.path().join(format!("{name}.tlb"));
        let mut widl = self.widl();
        if let Some(dir) = stdole2_dir() {
            widl.arg("-L").arg(dir);
        }
        let out = widl
            .arg("-t")
            .arg("-o")
            .arg(&tlb)
            .arg(idl)
            .output()
            .expect("run widl -t");
        if !out.status.success() {
            return Err(format!(
                "widl -t {} failed ({}): {}",
                idl.display(),
                out.status,
                first_lines(&out.stderr, 5)
            ));
        }
        std::fs::read(&tlb).map_err(|e| format!("read {}: {e}", tlb.display()))
    }

    /// Runs `cpgen inspect FILE -I <dir> -I <dir>/.. --json` from the IDL folder.
    pub fn cpgen_inspect(&self, cpgen: &str, file: &str) -> Output {
        Command::new(cpgen)
            .current_dir(&self.idl_dir)
            .args(["inspect", file, "-I"])
            .arg(&self.idl_dir)
            .arg("-I")
            .arg(self.idl_dir.join(".."))
            .arg("--json")
            .output()
            .expect("run cpgen")
    }
}

/// The first `n` lines of a process's stderr, for failure reports.
pub fn first_lines(bytes: &[u8], n: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut lines: Vec<&str> = text.lines().take(n).collect();
    if lines.is_empty() {
        lines.push("(no stderr)");
    }
    lines.join("\n    ")
}

/// Maps `f` over `items` on every core (a shared work queue), keeping order:
/// the corpus is hundreds of files, each needing two compiler runs.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let queue = Mutex::new(items.iter().enumerate());
    let results = Mutex::new(Vec::with_capacity(items.len()));
    let workers = thread::available_parallelism().map_or(2, |n| n.get());
    thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let Some((i, item)) = queue.lock().unwrap().next() else {
                        break;
                    };
                    let r = f(item);
                    results.lock().unwrap().push((i, r));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// The directory holding Wine's `stdole2.tlb`, which the `importlib("stdole2.tlb")`
/// of most automation libraries needs (`widl -L`). widl also finds it next to
/// its own install, so `None` just leaves widl to its default.
pub fn stdole2_dir() -> Option<&'static Path> {
    [
        "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows",
        "/usr/lib/wine/x86_64-windows",
        "/usr/lib64/wine/x86_64-windows",
        "/usr/lib/i386-linux-gnu/wine/i386-windows",
    ]
    .into_iter()
    .map(Path::new)
    .find(|dir| dir.join("stdole2.tlb").is_file())
}
