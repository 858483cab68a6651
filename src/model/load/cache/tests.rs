//! The cache gives back exactly what preprocessing and parsing give, and nothing once anything
//! that decides them has changed.

use super::*;

/// A folder holding `x.idl`, which includes `inc/x.h` (found through `-I inc`), which includes
/// `inc/y.h`; `x.idl` also imports `z.idl`.
struct Files {
    dir: tempfile::TempDir,
    /// Apart from `dir`: a cache folder created in it would change it.
    cache_root: tempfile::TempDir,
    options: preprocess::Options,
}

impl Files {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("inc")).unwrap();
        let files = Files {
            options: preprocess::Options {
                include_dirs: vec![dir.path().join("inc")],
                defines: vec![("LEVEL".into(), Some("3".into()))],
            },
            dir,
            cache_root: tempfile::tempdir().unwrap(),
        };
        files.write("inc/y.h", "#define Y 2\n");
        files.write("inc/x.h", "#include \"y.h\"\ntypedef long X;\n");
        files.write(
            "x.idl",
            "import \"z.idl\";\n#include \"x.h\"\nconst long A = Y + LEVEL;\ninterface I { HRESULT F([in] X x); }\n",
        );
        files
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("x.idl")
    }

    fn cache(&self) -> ImportCache {
        ImportCache::new(self.cache_root.path())
    }

    /// A source set holding the importing file first, as the loader's does, and where it imports.
    fn importer(&self) -> (SourceSet, Loc) {
        let mut sources = SourceSet::new();
        let file = sources.add(
            self.dir.path().join("main.idl"),
            "import \"x.idl\";\n".into(),
            None,
        );
        (sources, Loc { file, offset: 7 })
    }

    /// `x.idl` preprocessed and parsed afresh, as imported by the importer.
    fn fresh(&self) -> (SourceSet, preprocess::Output, Vec<ast::Statement>) {
        let (mut sources, at) = self.importer();
        let input =
            preprocess::preprocess(&mut sources, &self.path(), Some(at), &self.options).unwrap();
        let statements = crate::parse::parse_quiet(&input.text).unwrap();
        (sources, input, statements)
    }

    fn store(&self) {
        let (sources, input, statements) = self.fresh();
        let mut imports = Vec::new();
        super::super::collect_imports(&statements, &mut imports);
        self.cache().store(
            &sources,
            &self.path(),
            &input,
            &self.options,
            &imports,
            &statements,
        );
    }

    fn cached(&self) -> Option<(SourceSet, preprocess::Output, Hit)> {
        let (mut sources, at) = self.importer();
        let (input, hit) = self
            .cache()
            .read(&mut sources, &self.path(), at, &self.options)?;
        Some((sources, input, hit))
    }
}

/// Everything about the sources and the output that later stages read.
fn summary(sources: &SourceSet, input: &preprocess::Output) -> String {
    let files: Vec<String> = sources
        .files()
        .map(|(id, f)| {
            format!(
                "{id} {} {:?} {:?}",
                f.path.display(),
                f.included_from,
                f.text
            )
        })
        .collect();
    let map: Vec<_> = input.map.segments().collect();
    format!(
        "{files:#?}\n{:?}\n{map:?}\n{:?}\n{:?}",
        input.text, input.files, input.included_at
    )
}

#[test]
fn gives_back_what_preprocessing_and_parsing_give() {
    let files = Files::new();
    assert!(files.cached().is_none(), "empty cache");
    files.store();
    let (sources, input, statements) = files.fresh();
    let (cached_sources, cached_input, hit) = files.cached().expect("a hit");
    assert_eq!(
        summary(&cached_sources, &cached_input),
        summary(&sources, &input)
    );
    assert_eq!(hit.tree.statements(), Some(statements));
    assert_eq!(hit.imports.len(), 1);
    assert_eq!(hit.imports[0].text, "z.idl");
    assert_eq!(&input.text[hit.imports[0].span.clone()], "\"z.idl\"");
    // Three files read, two of them included: the includes' places are the fresh run's.
    assert_eq!(cached_input.files.len(), 3);
    assert_eq!(cached_input.included_at.len(), 2);
}

#[test]
fn a_file_read_already_is_taken_from_the_sources() {
    let files = Files::new();
    files.store();
    // y.h was read by an earlier import of this run (the fresh run gets it the same way).
    let with_y = |sources: &mut SourceSet| {
        let y = files.dir.path().join("inc").join("y.h");
        sources.add(y, "#define Y 2\n".into(), None)
    };
    let (mut sources, at) = files.importer();
    with_y(&mut sources);
    let input =
        preprocess::preprocess(&mut sources, &files.path(), Some(at), &files.options).unwrap();
    let (mut cached_sources, at) = files.importer();
    with_y(&mut cached_sources);
    let (cached_input, _) = files
        .cache()
        .read(&mut cached_sources, &files.path(), at, &files.options)
        .expect("a hit");
    assert_eq!(
        summary(&cached_sources, &cached_input),
        summary(&sources, &input)
    );
    // Read already, but with other text: the entry does not hold for it.
    let (mut other, at) = files.importer();
    let y = files.dir.path().join("inc").join("y.h");
    other.add(y, "#define Y 5\n".into(), None);
    assert!(
        files
            .cache()
            .read(&mut other, &files.path(), at, &files.options)
            .is_none()
    );
}

#[test]
fn misses_once_a_file_it_read_changes() {
    for (name, text) in [
        (
            "x.idl",
            "import \"z.idl\";\n#include \"x.h\"\nconst long A = 1;\n",
        ),
        ("inc/x.h", "#include \"y.h\"\ntypedef short X;\n"),
        ("inc/y.h", "#define Y 3\n"),
    ] {
        let files = Files::new();
        files.store();
        assert!(files.cached().is_some());
        files.write(name, text);
        assert!(files.cached().is_none(), "{name} changed");
        // Nothing was added to the sources of a miss.
        let (mut sources, at) = files.importer();
        let _ = files
            .cache()
            .read(&mut sources, &files.path(), at, &files.options);
        assert_eq!(sources.files().count(), 1, "{name}");
    }
}

#[test]
fn misses_with_other_options_or_a_file_added_where_an_include_looks() {
    let files = Files::new();
    files.store();
    let (mut sources, at) = files.importer();
    let mut defines = files.options.clone();
    defines.defines[0].1 = Some("4".into());
    assert!(
        files
            .cache()
            .read(&mut sources, &files.path(), at, &defines)
            .is_none()
    );
    let mut dirs = files.options.clone();
    dirs.include_dirs.push(files.dir.path().join("more"));
    assert!(
        files
            .cache()
            .read(&mut sources, &files.path(), at, &dirs)
            .is_none()
    );
    assert!(files.cached().is_some());
    // A y.h beside x.idl would now be found before inc/y.h. Folder times may be as coarse as a
    // clock tick, so the folder's change is made to fall on a later one.
    std::thread::sleep(std::time::Duration::from_millis(50));
    files.write("y.h", "#define Y 9\n");
    assert!(files.cached().is_none());
}

#[test]
fn a_damaged_or_unwritable_cache_is_a_miss() {
    let files = Files::new();
    files.store();
    let cache = files.cache();
    let entry = cache.entry(&files.path());
    let whole = std::fs::read(&entry).unwrap();
    // Cut short inside the tree: the header still holds, the tree does not.
    std::fs::write(&entry, &whole[..whole.len() - 3]).unwrap();
    let (_, _, hit) = files.cached().expect("the header holds");
    assert_eq!(hit.tree.statements(), None);
    // Cut short inside the header.
    std::fs::write(&entry, &whole[..whole.len() / 4]).unwrap();
    assert!(files.cached().is_none());
    std::fs::write(&entry, b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff").unwrap();
    assert!(files.cached().is_none());
    // A root that is a file: nothing can be stored, and nothing fails.
    let blocked = ImportCache::new(&files.path());
    let (sources, input, statements) = files.fresh();
    blocked.store(
        &sources,
        &files.path(),
        &input,
        &files.options,
        &[],
        &statements,
    );
    let (mut sources, at) = files.importer();
    assert!(
        blocked
            .read(&mut sources, &files.path(), at, &files.options)
            .is_none()
    );
}

#[test]
fn the_first_entry_of_a_build_removes_other_builds_entries() {
    let files = Files::new();
    let root = files.cache_root.path();
    for folder in [
        "0.0.9-0123456789abcdef",
        "0.1.0-fedcba9876543210",
        "notes",
        "1.0-xyz",
    ] {
        std::fs::create_dir(root.join(folder)).unwrap();
        std::fs::write(root.join(folder).join("x.idl.0"), "old").unwrap();
    }
    files.store();
    let mut left: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    let mut expected = vec!["1.0-xyz".to_string(), "notes".into(), FRONT_END_ID.into()];
    expected.sort();
    assert_eq!(left, expected);
    assert!(files.cached().is_some());
}
