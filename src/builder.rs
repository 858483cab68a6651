//! The library entry point for `build.rs`, in the style of prost-build's `Config`: the same
//! pipeline as `cpgen IDL -o FILE`, plus the `cargo:rerun-if-changed` lines for every file read.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};

/// Generates connection-point code from `build.rs`.
///
/// In `build.rs`, with the output in `OUT_DIR` and `include!`d by the crate:
///
/// ```no_run
/// // build.rs
/// fn main() -> anyhow::Result<()> {
///     let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?).join("events.rs");
///     cpgen::Builder::new()
///         .idl("idl/clock.idl")
///         .include_dir("idl/include")
///         .define("WITH_ALARM", "1")
///         .coclass("Clock")
///         .out_file(&out)
///         .generate()
/// }
/// // src/events.rs: include!(concat!(env!("OUT_DIR"), "/events.rs"));
/// ```
///
/// Run here on cpgen's sample:
///
/// ```
/// # fn main() -> anyhow::Result<()> {
/// let dir = tempfile::tempdir()?;
/// let out = dir.path().join("events.rs");
/// cpgen::Builder::new()
///     .idl("fixtures/clock.idl")
///     .coclass("Clock")
///     .out_file(&out)
///     .generate()?;
/// let events = std::fs::read_to_string(&out)?;
/// assert!(events.contains("pub struct ClockConnectionPoints"));
/// assert!(events.contains("pub fn Fire_Tick(&self, seconds: i32)"));
/// # Ok(())
/// # }
/// ```
///
/// `generate` prints `cargo:rerun-if-changed=` for the IDL and every file it included or
/// imported, and nothing else on stdout; errors carry cpgen's located diagnostic.
#[derive(Debug, Clone, Default)]
pub struct Builder {
    idl: Option<PathBuf>,
    include_dirs: Vec<PathBuf>,
    defines: Vec<(String, Option<String>)>,
    coclasses: Vec<String>,
    cross_apartment: crate::emit::CrossApartment,
    property_notify: bool,
    server: Option<crate::emit::ServerOptions>,
    out_file: Option<PathBuf>,
    /// `None`: the default, a folder in `OUT_DIR`; `Some(None)`: no cache.
    cache_dir: Option<Option<PathBuf>>,
}

impl Builder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The MIDL file to read.
    pub fn idl(mut self, path: impl AsRef<Path>) -> Self {
        self.idl = Some(path.as_ref().to_path_buf());
        self
    }

    /// A folder searched for `#include` and `import` files (`-I`), after the including file's.
    pub fn include_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.include_dirs.push(dir.as_ref().to_path_buf());
        self
    }

    /// A preprocessor macro (`-D NAME=VALUE`).
    pub fn define(mut self, name: &str, value: &str) -> Self {
        self.defines
            .push((name.to_string(), Some(value.to_string())));
        self
    }

    /// Generates only this coclass (repeatable); all connectable ones by default.
    pub fn coclass(mut self, name: &str) -> Self {
        self.coclasses.push(name.to_string());
        self
    }

    /// Keeps the sinks of every source interface in COM's Global Interface Table
    /// (`--cross-apartment`), so that threads of any apartment may fire into apartment-threaded
    /// sinks.
    pub fn cross_apartment(mut self) -> Self {
        self.cross_apartment = crate::emit::CrossApartment::All;
        self
    }

    /// Keeps the sinks of this source interface in the Global Interface Table
    /// (`--cross-apartment=SOURCE`, repeatable); [`cross_apartment`](Self::cross_apartment)
    /// covers them all.
    pub fn cross_apartment_source(mut self, source: &str) -> Self {
        match &mut self.cross_apartment {
            crate::emit::CrossApartment::All => {}
            crate::emit::CrossApartment::Sources(sources) => sources.push(source.to_string()),
            none @ crate::emit::CrossApartment::None => {
                *none = crate::emit::CrossApartment::Sources(vec![source.to_string()])
            }
        }
        self
    }

    /// Gives every coclass an `IPropertyNotifySink` connection point, with a method per
    /// `[bindable]` and `[requestedit]` property of its interfaces (`--property-notify`): what
    /// ATL's `IPropertyNotifySinkCP` and `CFirePropNotifyEvent` do. A coclass that lists
    /// `IPropertyNotifySink` as a source gets them without it.
    pub fn property_notify(mut self) -> Self {
        self.property_notify = true;
        self
    }

    /// Also generates the COM server plumbing (`--server`): `<Coclass>Class` for each creatable
    /// coclass (CLSID, description, ProgIDs, `ThreadingModel`) and `server()`, for the
    /// runtime's class factories, DLL exports (`cpgen_runtime::dll_exports!`), EXE class
    /// objects and registration.
    pub fn server(mut self) -> Self {
        self.server.get_or_insert_with(Default::default);
        self
    }

    /// The `ThreadingModel` every class registers (`--threading-model`: `Apartment`, `Free`,
    /// `Both`, `Neutral`); implies [`server`](Self::server).
    pub fn threading_model(mut self, model: &str) -> Self {
        self.server
            .get_or_insert_with(Default::default)
            .threading_model = Some(model.to_string());
        self
    }

    /// The ProgID of `coclass` (`--progid COCLASS=PROGID`, repeatable), over the IDL's
    /// `progid`; implies [`server`](Self::server).
    pub fn prog_id(mut self, coclass: &str, prog_id: &str) -> Self {
        self.server
            .get_or_insert_with(Default::default)
            .prog_ids
            .push((coclass.to_string(), prog_id.to_string()));
        self
    }

    /// Where to keep, between builds (`--cache-dir`), imported files preprocessed and parsed, so
    /// that the SDK files an IDL imports (oaidl.idl, ocidl.idl, ...) are read once rather than on
    /// every build, and the input's printed pieces, so that only what an edit changed is printed
    /// again. By default `$OUT_DIR/cpgen-cache` when `OUT_DIR` is set (in a build script), else
    /// none. The output is the same with or without it.
    pub fn cache_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cache_dir = Some(Some(dir.as_ref().to_path_buf()));
        self
    }

    /// Reads and prints everything afresh on every build, keeping nothing between builds
    /// (`--no-cache`).
    pub fn no_cache(mut self) -> Self {
        self.cache_dir = Some(None);
        self
    }

    /// Where to write the code (atomically; an unchanged file is not touched).
    pub fn out_file(mut self, path: impl AsRef<Path>) -> Self {
        self.out_file = Some(path.as_ref().to_path_buf());
        self
    }

    /// Runs the pipeline and writes the output file.
    pub fn generate(self) -> Result<()> {
        let idl = self
            .idl
            .as_deref()
            .ok_or_else(|| anyhow!("cpgen::Builder: no .idl() given"))?;
        let out = self
            .out_file
            .as_deref()
            .ok_or_else(|| anyhow!("cpgen::Builder: no .out_file() given"))?;
        let options = crate::model::Options {
            preprocess: crate::preprocess::Options {
                include_dirs: self.include_dirs.clone(),
                defines: self.defines.clone(),
            },
            cache_dir: self.cache_dir.clone().unwrap_or_else(|| {
                std::env::var_os("OUT_DIR").map(|dir| PathBuf::from(dir).join("cpgen-cache"))
            }),
        };
        println!("cargo:rerun-if-changed={}", idl.display());
        let out_name = out.file_name().unwrap_or_default().to_string_lossy();
        let generated = crate::generate_file(
            idl,
            &options,
            &self.coclasses,
            &self.cross_apartment,
            self.property_notify,
            self.server.as_ref(),
            &out_name,
        )
        .map_err(|e| anyhow!(e.render_plain()))?;
        // stdout belongs to cargo's directives; cargo shows stderr when the build fails or
        // with `-vv`.
        for warning in &generated.warnings {
            eprintln!("{}", warning.render_plain());
        }
        // Files of the built-in SDK live in cpgen, not on disk.
        for file in generated
            .files
            .iter()
            .filter(|f| f.exists() && f.as_path() != idl)
        {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        crate::write::refuse_target(out, &generated.files)
            .and_then(|()| crate::write::write_atomic(out, &generated.text))
            .with_context(|| format!("writing {}", out.display()))
    }
}
