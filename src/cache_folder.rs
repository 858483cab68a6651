//! The folders cpgen's caches keep their entries in (`model/load/cache.rs`, imported files;
//! `emit/format/cache.rs`, printed pieces): an entry per file, named after the file's canonical
//! path, read whole and written whole, and never more entries than a bound.
//!
//! An entry is written to a temporary file in the folder and renamed into place, so that runs
//! side by side never read half of one; the folder keeps the most recently written entries up to
//! its bound, so that inputs in temporary folders (tests, scratch builds) do not make it grow
//! without end. Every failure here is for the caller a miss, never an error: a cache that cannot
//! be read or written only costs the work it would have saved.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The entry in `dir` for `file`: its name, then a hash of its canonical path.
pub fn entry(dir: &Path, file: &Path) -> PathBuf {
    let file = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    let mut hasher = DefaultHasher::new();
    file.hash(&mut hasher);
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    dir.join(format!("{name}.{:016x}", hasher.finish()))
}

/// The bytes of entry `path`, when it exists and holds at most `max` bytes.
pub fn read(path: &Path, max: u64) -> Option<Vec<u8>> {
    if std::fs::metadata(path).ok()?.len() > max {
        return None;
    }
    std::fs::read(path).ok()
}

/// Writes `bytes` as entry `path`, then removes the least recently written entries of its folder
/// past the `keep` most recent.
pub fn write(path: &Path, bytes: &[u8], keep: usize) {
    let Some(dir) = path.parent() else {
        return;
    };
    let written = std::fs::create_dir_all(dir).and_then(|()| {
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        file.write_all(bytes)?;
        file.persist(path).map_err(|e| e.error)?;
        Ok(())
    });
    if written.is_ok() {
        bound(dir, keep);
    }
}

/// Removes the least recently written files of `dir` past the `keep` most recent.
fn bound(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<_> = entries
        .flatten()
        .filter_map(|entry| {
            let metadata = entry.metadata().ok()?;
            metadata
                .is_file()
                .then(|| (metadata.modified().ok(), entry.path()))
        })
        .collect();
    if files.len() <= keep {
        return;
    }
    files.sort();
    for (_, file) in &files[..files.len() - keep] {
        // Another run may have removed it, or be renaming over it.
        let _ = std::fs::remove_file(file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_most_recently_written_entries() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("entries");
        for n in 0..5 {
            let file = dir.path().join(format!("f{n}.idl"));
            std::fs::write(&file, "").unwrap();
            write(&entry(&folder, &file), format!("{n}").as_bytes(), 3);
            // Modification times may be as coarse as a clock tick.
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let mut left: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["2", "3", "4"]);
        let file = dir.path().join("f4.idl");
        assert_eq!(read(&entry(&folder, &file), 1).unwrap(), b"4");
        assert_eq!(read(&entry(&folder, &file), 0), None, "larger than allowed");
        assert_eq!(read(&entry(&folder, &dir.path().join("f0.idl")), 1), None);
    }
}
