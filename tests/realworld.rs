//! The real-world corpus (`fixtures/realworld`): third-party ActiveX and ATL controls' IDL from
//! public projects, each listed in `SOURCES` with its repository, commit, path and license.
//! Every file generates without an SDK (cpgen's built-in olectl.h, idispids.h, oaidl.idl, ...),
//! except those `REFUSED` lists, which cpgen refuses with the error given there, pointing at the
//! parameter in the file.
//! `tests/wine/realworld` compiles every output for Windows under `#![deny(warnings)]` and clippy
//! and fires the stock `Error` event under Wine (tests/windows_target.rs runs it).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cpgen::model::Options;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/realworld")
}

/// The first-column entries of a list file, with the rest of each line.
fn listed(name: &str) -> Vec<(String, String)> {
    std::fs::read_to_string(corpus().join(name))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (file, rest) = l.split_once(' ').unwrap_or((l, ""));
            (file.to_string(), rest.trim().to_string())
        })
        .collect()
}

#[test]
fn every_fixture_has_its_provenance_and_license() {
    let sources = listed("SOURCES");
    let mut projects = BTreeSet::new();
    for (file, rest) in &sources {
        let fields: Vec<&str> = rest.split_whitespace().collect();
        assert!(
            fields.len() >= 4,
            "{file}: repository, commit, path, license"
        );
        assert!(fields[0].starts_with("https://github.com/"), "{file}");
        assert_eq!(fields[1].len(), 40, "{file}: a full commit hash");
        assert!(
            corpus().join(file).is_file(),
            "{file} is listed but missing"
        );
        let project = file.split('/').next().unwrap();
        assert!(
            corpus().join(project).join("LICENSE").is_file(),
            "{project} ships without its LICENSE"
        );
        projects.insert(project.to_string());
    }
    for entry in std::fs::read_dir(corpus()).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let name = file.strip_prefix(corpus()).unwrap().display().to_string();
            assert!(
                name.ends_with("/LICENSE") || sources.iter().any(|(f, _)| *f == name),
                "{name} is not in SOURCES"
            );
        }
    }
    eprintln!(
        "realworld corpus: {} files from {} projects",
        sources.len(),
        projects.len()
    );
}

#[test]
fn every_file_generates_or_is_refused_as_listed() {
    let refused = listed("REFUSED");
    let (mut files, mut generated, mut interfaces, mut events) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for (file, _) in listed("SOURCES") {
        if !(file.ends_with(".idl") || file.ends_with(".odl")) {
            continue;
        }
        files += 1;
        let path = corpus().join(&file);
        let result = cpgen::load(&path, &Options::default()).and_then(|model| {
            let options = cpgen::emit::Options {
                module: "corpus".into(),
                ..Default::default()
            };
            cpgen::emit::generate(&model, &options).map(|_| model)
        });
        let expected = refused.iter().find(|(f, _)| *f == file);
        match (result, expected) {
            (Ok(model), None) => {
                generated += 1;
                let sources: BTreeSet<&str> = model
                    .coclasses
                    .iter()
                    .filter(|c| !c.imported)
                    .flat_map(|c| c.members.iter().filter(|m| m.source))
                    .map(|m| m.name.as_str())
                    .collect();
                for name in sources {
                    let Some(interface) = model.interface(name) else {
                        continue;
                    };
                    interfaces += 1;
                    events += interface.methods.len();
                }
            }
            (Err(e), Some((_, message))) => {
                let rendered = e.render_plain();
                if !rendered.contains(message.as_str()) {
                    failures.push(format!(
                        "{file}: refused, but not as REFUSED says:\n{rendered}"
                    ));
                } else if e.location().is_none() {
                    failures.push(format!("{file}: the refusal points nowhere:\n{rendered}"));
                }
            }
            (Ok(_), Some(_)) => failures.push(format!("{file}: generates; drop it from REFUSED")),
            (Err(e), None) => failures.push(format!("{file}:\n{}", e.render_plain())),
        }
    }
    eprintln!(
        "realworld corpus: {files} files, {generated} generated, {} refused as listed, \
         {interfaces} source interfaces, {events} events, {} failures",
        refused.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
