//! What cpgen will and will not write over, and how it treats the streams it writes to: the
//! input and every file the run read are never replaced, under any name; devices, FIFOs and
//! folders are refused (and never read); a symbolic link is written through; permissions are
//! the usual ones; an old output is compared without reading more than the new one's size; a
//! closed or full stdout or stderr ends the run quietly with 0, 1 or 2, never a panic.
#![cfg(unix)]

mod common;

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn cpgen(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cpgen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run cpgen")
}

/// A temporary folder holding a copy of the clock sample, and one that includes a header.
fn sample() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/clock.idl");
    std::fs::copy(&fixture, dir.path().join("clock.idl")).unwrap();
    std::fs::write(dir.path().join("ids.h"), "#define DISPID_X 7\n").unwrap();
    let with_header = std::fs::read_to_string(&fixture).unwrap().replacen(
        "import",
        "#include \"ids.h\"\nimport",
        1,
    );
    std::fs::write(dir.path().join("main.idl"), with_header).unwrap();
    let root = dir.path().to_path_buf();
    (dir, root)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_input_or_a_file_it_read_is_never_the_output() {
    let (_dir, root) = sample();
    std::fs::create_dir(root.join("sub")).unwrap();
    std::os::unix::fs::symlink("../clock.idl", root.join("sub/link.idl")).unwrap();
    std::fs::hard_link(root.join("ids.h"), root.join("hard.h")).unwrap();
    let original = std::fs::read(root.join("clock.idl")).unwrap();
    let header = std::fs::read(root.join("ids.h")).unwrap();
    for (input, out) in [
        ("clock.idl", "clock.idl"),
        ("clock.idl", "./sub/../clock.idl"),
        ("clock.idl", "sub/link.idl"),
        ("main.idl", "ids.h"),
        ("main.idl", "hard.h"),
    ] {
        let output = cpgen(&[input, "-o", out], &root);
        assert_eq!(
            output.status.code(),
            Some(2),
            "-o {out}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("refusing to overwrite an input"),
            "{}",
            stderr(&output)
        );
        assert_eq!(std::fs::read(root.join("clock.idl")).unwrap(), original);
        assert_eq!(std::fs::read(root.join("ids.h")).unwrap(), header);
    }
}

#[test]
fn devices_fifos_and_folders_are_refused_and_never_read() {
    let (_dir, root) = sample();
    std::fs::create_dir(root.join("folder")).unwrap();
    let fifo = Command::new("mkfifo")
        .arg("fifo")
        .current_dir(&root)
        .status();
    assert!(fifo.unwrap().success());
    let mut specials = vec!["folder", "fifo"];
    // Only root may make device nodes; ours, never the machine's /dev/null.
    let made = Command::new("mknod")
        .args(["null", "c", "1", "3"])
        .current_dir(&root)
        .stderr(Stdio::null())
        .status();
    if made.is_ok_and(|s| s.success()) {
        specials.push("null");
        std::os::unix::fs::symlink("null", root.join("to-null")).unwrap();
        specials.push("to-null");
    }
    for special in specials {
        for check in [false, true] {
            let mut args = vec!["clock.idl", "-o", special];
            if check {
                args.push("--check");
            }
            let start = Instant::now();
            let output = cpgen(&args, &root);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{args:?}: {}",
                stderr(&output)
            );
            assert!(
                stderr(&output).contains("not a regular file"),
                "{}",
                stderr(&output)
            );
            assert!(start.elapsed() < Duration::from_secs(10), "{args:?} hung");
        }
        let kind = std::fs::symlink_metadata(root.join(special))
            .unwrap()
            .file_type();
        assert!(!kind.is_file(), "{special} was replaced by a file");
    }
    assert!(cpgen(&["clock.idl", "-o", "-"], &root).status.success());
}

#[test]
fn a_symlink_is_written_through_to_its_target() {
    let (_dir, root) = sample();
    std::fs::create_dir(root.join("real")).unwrap();
    std::os::unix::fs::symlink("real/events.rs", root.join("events.rs")).unwrap();
    let output = cpgen(&["clock.idl", "-o", "events.rs"], &root);
    assert!(output.status.success(), "{}", stderr(&output));
    let link = std::fs::symlink_metadata(root.join("events.rs")).unwrap();
    assert!(link.file_type().is_symlink());
    let written = std::fs::read_to_string(root.join("real/events.rs")).unwrap();
    assert!(written.contains("ClockConnectionPoints"));
    // Through a link that already leads to the output, too.
    std::fs::write(root.join("real/events.rs"), "stale").unwrap();
    assert!(
        cpgen(&["clock.idl", "-o", "events.rs"], &root)
            .status
            .success()
    );
    assert!(
        std::fs::symlink_metadata(root.join("events.rs"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(root.join("real/events.rs")).unwrap(),
        written
    );
}

#[test]
fn new_files_get_0666_less_the_umask_and_old_ones_keep_their_mode() {
    let (_dir, root) = sample();
    let binary = env!("CARGO_BIN_EXE_cpgen");
    for (umask, mode) in [("022", 0o644), ("002", 0o664), ("077", 0o600)] {
        let out = format!("new-{umask}.rs");
        let status = Command::new("sh")
            .args([
                "-c",
                &format!("umask {umask} && exec \"$0\" clock.idl -o {out}"),
                binary,
            ])
            .current_dir(&root)
            .status()
            .unwrap();
        assert!(status.success());
        let written = std::fs::metadata(root.join(&out)).unwrap();
        assert_eq!(written.mode() & 0o777, mode, "umask {umask}");
    }
    for mode in [0o644, 0o640, 0o755] {
        let out = root.join("existing.rs");
        std::fs::write(&out, "old").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(mode)).unwrap();
        assert!(
            cpgen(&["clock.idl", "-o", "existing.rs"], &root)
                .status
                .success()
        );
        let written = std::fs::metadata(&out).unwrap();
        assert_eq!(written.mode() & 0o777, mode);
        assert_ne!(std::fs::read_to_string(&out).unwrap(), "old");
    }
}

/// A 2 GB (sparse) old output is replaced, and `--check`ed, without being read into memory.
#[test]
fn a_huge_old_output_is_not_read() {
    let (_dir, root) = sample();
    for check in [true, false] {
        let out = root.join("events.rs");
        std::fs::File::create(&out)
            .unwrap()
            .set_len(2 << 30)
            .unwrap();
        let mut args = vec!["clock.idl", "-o", "events.rs"];
        if check {
            args.push("--check");
        }
        let start = Instant::now();
        let output = cpgen(&args, &root);
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{args:?} read it"
        );
        let expected = if check { 1 } else { 0 };
        assert_eq!(output.status.code(), Some(expected), "{}", stderr(&output));
        let size = std::fs::metadata(&out).unwrap().len();
        assert_eq!(size == 2 << 30, check, "{args:?}: {size} bytes");
    }
    let peak = common::children_peak_memory();
    assert!(peak < 1 << 30, "a cpgen used {} MB", peak >> 20);
}

/// `cpgen ... | head`: the reader went away; and a full disk behind stdout.
#[test]
fn closed_and_full_streams_end_quietly() {
    let (_dir, root) = sample();
    std::fs::write(root.join("bad.idl"), "interface I {\n").unwrap();
    for (args, code) in [
        (&["inspect", "clock.idl", "--json"][..], 0),
        (&["features", "clock.idl"][..], 0),
        (&["clock.idl", "-o", "-"][..], 0),
        (&["bad.idl", "-o", "-"][..], 1),
    ] {
        for closed in ["stdout", "stderr"] {
            let mut command = Command::new(env!("CARGO_BIN_EXE_cpgen"));
            command.args(args).current_dir(&root);
            let mut child = if closed == "stdout" {
                command.stdout(Stdio::piped()).stderr(Stdio::piped())
            } else {
                command.stdout(Stdio::null()).stderr(Stdio::piped())
            }
            .spawn()
            .unwrap();
            // Close our end of the pipe before cpgen writes to it.
            let kept = if closed == "stdout" {
                drop(child.stdout.take());
                child.stderr.take()
            } else {
                drop(child.stderr.take());
                None
            };
            let status = child.wait().unwrap();
            let said = kept.map(std::io::read_to_string).transpose().unwrap();
            assert_eq!(
                status.code(),
                Some(code),
                "{args:?} into a closed {closed}: {said:?}"
            );
            assert!(!said.unwrap_or_default().contains("panicked"));
        }
    }
    let made = Command::new("mknod")
        .args(["full", "c", "1", "7"])
        .current_dir(&root)
        .stderr(Stdio::null())
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("not root: the full-device half of this test is skipped");
        return;
    }
    for args in [
        &["inspect", "clock.idl", "--json"][..],
        &["features", "clock.idl"][..],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open(root.join("full"))
            .unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_cpgen"))
            .args(args)
            .current_dir(&root)
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("No space left"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn usage_mistakes_exit_2_and_a_folder_input_says_so() {
    let (_dir, root) = sample();
    for define in ["=1", "1X", "A B"] {
        let output = cpgen(&["inspect", "clock.idl", "-D", define], &root);
        assert_eq!(
            output.status.code(),
            Some(2),
            "-D {define}: {}",
            stderr(&output)
        );
    }
    let output = cpgen(
        &[
            "inspect",
            "clock.idl",
            "-D",
            "F(x)=x",
            "-D",
            "A=",
            "-D",
            "B",
        ],
        &root,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    std::fs::create_dir(root.join("folder.idl")).unwrap();
    let output = cpgen(&["inspect", "folder.idl"], &root);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("folder.idl: it is a folder"),
        "{}",
        stderr(&output)
    );
}
