//! Where an output file really goes, and what must never be written over.
//!
//! cpgen runs as root in containers and in build scripts nobody watches, so the output path is
//! checked before anything is written: a symbolic link is followed to the file it names (which
//! is then written, as editors and formatters do), a path that is the input or any other file
//! the run read is refused, and so is anything that is not a regular file (a device, a FIFO, a
//! folder), which renaming over would destroy.

use std::fs::{File, Metadata};
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

/// How many symbolic links a path may go through, as Linux's `MAXSYMLINKS`.
const MAX_LINKS: usize = 40;

/// The file a write to `path` must replace: `path` with every symbolic link followed, even a
/// dangling one (its target is then created). Errors when that file exists and is not a
/// regular file.
pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut target = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let metadata = match std::fs::symlink_metadata(&target) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(target),
            Err(e) => return Err(e),
        };
        if !metadata.file_type().is_symlink() {
            return if metadata.is_file() {
                Ok(target)
            } else {
                Err(not_regular(&target, &metadata))
            };
        }
        let link = std::fs::read_link(&target)?;
        target = match target.parent() {
            Some(folder) => folder.join(link),
            None => link,
        };
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links lead from {}",
        path.display()
    )))
}

fn not_regular(path: &Path, metadata: &Metadata) -> io::Error {
    let what = if metadata.is_dir() {
        "a folder"
    } else {
        kind_of_special(metadata)
    };
    io::Error::other(format!(
        "{} is {what}, not a regular file; cpgen writes only regular files (or `-o -` for \
         standard output)",
        path.display()
    ))
}

#[cfg(unix)]
fn kind_of_special(metadata: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    let kind = metadata.file_type();
    if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn kind_of_special(_: &Metadata) -> &'static str {
    "a special file"
}

/// Refuses an output that is one of the files the run read (the input, an included or
/// imported file), under whatever name: writing it would replace the user's IDL with Rust.
pub fn refuse_inputs(out: &Path, inputs: &[PathBuf]) -> io::Result<()> {
    let Ok(out_meta) = std::fs::metadata(out) else {
        // A file that does not exist was not read.
        return Ok(());
    };
    for input in inputs {
        if let Ok(in_meta) = std::fs::metadata(input)
            && same_file(out, &out_meta, input, &in_meta)
        {
            return Err(io::Error::other(format!(
                "{} is {}, which this run reads; refusing to overwrite an input",
                out.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn same_file(_: &Path, a: &Metadata, _: &Path, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &Path, _: &Metadata, b: &Path, _: &Metadata) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// The regular file at `target` (already [`resolve`]d) opened for reading, with its metadata;
/// `None` if there is none. Opened without blocking and checked again once open, so a FIFO or
/// device swapped in meanwhile is refused rather than read.
pub fn open_existing(target: &Path) -> io::Result<Option<(File, Metadata)>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let file = match options.open(target) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(not_regular(target, &metadata));
    }
    Ok(Some((file, metadata)))
}

/// Whether `file` holds exactly `contents`, reading no more than `contents.len() + 1` bytes.
pub fn holds(file: &File, metadata: &Metadata, contents: &[u8]) -> io::Result<bool> {
    if metadata.len() != contents.len() as u64 {
        return Ok(false);
    }
    let mut old = Vec::with_capacity(contents.len() + 1);
    file.take(contents.len() as u64 + 1).read_to_end(&mut old)?;
    Ok(old == contents)
}

/// Up to `limit` bytes of `file`, or `None` if it holds more.
pub fn read_bounded(file: &File, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let mut old = Vec::new();
    file.take(limit + 1).read_to_end(&mut old)?;
    Ok((old.len() as u64 <= limit).then_some(old))
}
