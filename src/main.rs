//! The `cpgen` command line: a thin layer over the library.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use cpgen::Diagnostic;

#[derive(Parser)]
#[command(
    name = "cpgen",
    version,
    about = "Generates Rust connection-point code for COM objects from MIDL files",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Examples:\n  \
        cpgen object.idl -o src/events.rs           write the connection points of object.idl\n  \
        cpgen object.idl -o src/events.rs --check   fail (with a diff) if the file is stale\n  \
        cpgen object.idl -I include -D DEBUG -o -    print to stdout\n  \
        cpgen object.idl -o - --cross-apartment     fire from worker threads into any apartment\n  \
        cpgen object.idl -o src/events.rs --server  with class registrations for a COM server\n  \
        cpgen features object.idl                   the Cargo.toml dependencies it needs\n  \
        cpgen inspect object.idl --json             the model cpgen reads"
)]
struct Cli {
    #[command(flatten)]
    generate: Generate,
    #[command(subcommand)]
    command: Option<Command>,
}

/// The main job: write the connection-point code for an IDL file.
#[derive(Args)]
struct Generate {
    #[command(flatten)]
    input: Option<Input>,
    /// Where to write the Rust code (`-` for standard output).
    #[arg(short = 'o', long = "out", value_name = "FILE", required = true)]
    out: Option<PathBuf>,
    /// Generate only this coclass (repeatable); all coclasses with [source] members by default.
    #[arg(long = "coclass", value_name = "NAME")]
    coclasses: Vec<String>,
    /// Keep the sinks of every source interface (or only of SOURCE, repeatable) in COM's Global
    /// Interface Table, so that threads of any apartment may fire into apartment-threaded sinks.
    #[arg(
        long = "cross-apartment",
        value_name = "SOURCE",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = ""
    )]
    cross_apartment: Vec<String>,
    /// Give every coclass an IPropertyNotifySink connection point and a method per [bindable]
    /// and [requestedit] property (automatic for a coclass that lists IPropertyNotifySink).
    #[arg(long)]
    property_notify: bool,
    /// Also generate the COM server plumbing: for each creatable coclass of the output its
    /// registration (`<Coclass>Class`), and `server()`, which the runtime's class factories,
    /// DLL exports (`cpgen_runtime::dll_exports!`), EXE class objects and registry writing use.
    #[arg(long)]
    server: bool,
    /// With --server: the ThreadingModel every class registers (apartment, free, both,
    /// neutral), over the IDL's [threading]; Apartment if neither says.
    #[arg(long, value_name = "MODEL", requires = "server")]
    threading_model: Option<String>,
    /// With --server: the ProgID of COCLASS (repeatable), over the IDL's [progid]; else
    /// `<Library>.<Coclass>.<major version>`.
    #[arg(long = "progid", value_name = "COCLASS=PROGID", requires = "server", value_parser = prog_id)]
    prog_ids: Vec<(String, String)>,
    /// Write nothing; exit 1 with a unified diff if FILE differs from what would be generated.
    #[arg(long)]
    check: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Print the dependencies the generated code needs, as a Cargo.toml snippet.
    Features {
        #[command(flatten)]
        input: Input,
        /// Only this coclass (repeatable), as for generation.
        #[arg(long = "coclass", value_name = "NAME")]
        coclasses: Vec<String>,
        /// As for generation: IPropertyNotifySink needs a feature of its own.
        #[arg(long)]
        property_notify: bool,
    },
    /// Print the model cpgen reads from a MIDL file.
    Inspect {
        #[command(flatten)]
        input: Input,
        /// Print the model as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The MIDL file and how to preprocess it.
#[derive(Args, Clone)]
struct Input {
    /// The MIDL (.idl) file.
    idl: PathBuf,
    /// Folder to search for #include and import files (after the including file's folder).
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    include_dirs: Vec<PathBuf>,
    /// Define a preprocessor macro, as NAME or NAME=VALUE.
    #[arg(short = 'D', long = "define", value_name = "NAME[=VALUE]", value_parser = define)]
    defines: Vec<(String, Option<String>)>,
    /// Keep imported files (preprocessed, parsed) and the input's printed pieces in DIR between
    /// runs [default: cpgen in the platform's cache folder, such as ~/.cache/cpgen]. The output is
    /// the same either way.
    #[arg(long = "cache-dir", value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Read and print everything afresh, using and keeping no cache.
    #[arg(long = "no-cache", conflicts_with = "cache_dir")]
    no_cache: bool,
}

/// `-D NAME`, `-D NAME=VALUE` or `-D 'NAME(ARGS)=VALUE'`, as C compilers take them.
fn define(arg: &str) -> Result<(String, Option<String>), String> {
    let (name, value) = match arg.split_once('=') {
        Some((name, value)) => (name, Some(value.to_string())),
        None => (arg, None),
    };
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let end = name.find(|c| !word(c)).unwrap_or(name.len());
    let params = &name[end..];
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && (params.is_empty() || params.starts_with('(') && params.ends_with(')'));
    if !valid {
        return Err(format!(
            "`{name}` is not a macro name: expected NAME or NAME=VALUE"
        ));
    }
    Ok((name.to_string(), value))
}

/// `--progid COCLASS=PROGID`.
fn prog_id(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((coclass, prog_id)) if !coclass.is_empty() && !prog_id.is_empty() => {
            Ok((coclass.to_string(), prog_id.to_string()))
        }
        _ => Err(format!("`{arg}`: expected COCLASS=PROGID")),
    }
}

impl Input {
    fn options(&self) -> cpgen::model::Options {
        cpgen::model::Options {
            preprocess: cpgen::preprocess::Options {
                include_dirs: self.include_dirs.clone(),
                defines: self.defines.clone(),
            },
            cache_dir: match self.no_cache {
                true => None,
                false => self
                    .cache_dir
                    .clone()
                    .or_else(|| dirs::cache_dir().map(|dir| dir.join("cpgen"))),
            },
        }
    }
}

/// windows-bindgen 0.66 pipes what it renders through the first `rustfmt` on `PATH`, and has no
/// switch to stop it; cpgen formats the whole file itself, so that child only costs time and
/// memory (for the sample, ~15 ms and 32 MB: as much as the rest of the run). The command line
/// leaves the folders that hold a `rustfmt` out of its own `PATH`; the output is the same bytes
/// either way (`emit::bindings`), and cpgen starts no other program.
fn hide_rustfmt() {
    let Some(path) = std::env::var_os("PATH") else {
        return;
    };
    let rustfmt = format!("rustfmt{}", std::env::consts::EXE_SUFFIX);
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let kept: Vec<&PathBuf> = dirs.iter().filter(|d| !d.join(&rustfmt).exists()).collect();
    // An empty PATH would mean the current folder on some systems: left as it is.
    if kept.len() == dirs.len() || kept.is_empty() {
        return;
    }
    if let Ok(kept) = std::env::join_paths(kept) {
        // SAFETY: the first thing `main` does, while the process has no other thread that could
        // read the environment at the same time.
        unsafe { std::env::set_var("PATH", kept) };
    }
}

fn main() -> ExitCode {
    hide_rustfmt();
    // Long messages stay on one line, so logs can be searched for them.
    let _ = miette::set_hook(Box::new(|_| {
        Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())
    }));
    let cli = Cli::parse();
    let run = std::panic::AssertUnwindSafe(|| match cli.command {
        Some(Command::Inspect { input, json }) => inspect(&input, json),
        Some(Command::Features {
            input,
            coclasses,
            property_notify,
        }) => features(&input, &coclasses, property_notify),
        None => generate(cli.generate),
    });
    // A bug is an error like any other for the build that runs cpgen (exit 1, not Rust's 101);
    // the panic's own message is on stderr already.
    let result = std::panic::catch_unwind(run).unwrap_or_else(|_| {
        Err(Diagnostic::new(
            "internal error: cpgen crashed; this is a bug in cpgen, please report it with the input",
        ))
    });
    match result {
        Ok(code) => code,
        Err(diagnostic) => {
            report(&[diagnostic]);
            ExitCode::from(1)
        }
    }
}

/// Writes to standard output. A reader that went away (`cpgen inspect x.idl | head`) ends the
/// output quietly, as command-line tools do; any other failure (a full disk) is an error.
fn print_out(text: &str) -> Result<(), Diagnostic> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Diagnostic::new(format!("writing to standard output: {e}")))
        }
        _ => Ok(()),
    }
}

/// Writes to standard error in one go; if even that fails there is nowhere left to say so.
fn print_err(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// A mistake in the command line itself: reported like any error, exit status 2.
fn usage_error(message: String) -> ExitCode {
    report(&[Diagnostic::new(message)]);
    ExitCode::from(2)
}

fn inspect(input: &Input, json: bool) -> Result<ExitCode, Diagnostic> {
    let own = cpgen::load(&input.idl, &input.options())?.own();
    report(&own.warnings);
    if json {
        let text = serde_json::to_string_pretty(&own).expect("the model always serializes");
        print_out(&format!("{text}\n"))?;
    } else {
        print_out(&summary(&own))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn features(
    input: &Input,
    coclasses: &[String],
    property_notify: bool,
) -> Result<ExitCode, Diagnostic> {
    // Cross-apartment sources need no feature the others do not.
    let generated = cpgen::generate_file(
        &input.idl,
        &input.options(),
        coclasses,
        &cpgen::emit::CrossApartment::None,
        property_notify,
        None,
        "-",
    )?;
    report(&generated.warnings);
    print_out(&cpgen::write::cargo_dependencies(
        &input.idl.to_string_lossy().replace('\\', "/"),
        &generated.features,
        Path::new("."),
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Diagnostics go to stderr (warnings before the output; they do not change the exit status),
/// each rendered whole and written at once.
fn report(diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        print_err(&format!("{:?}\n", miette::Report::new(diagnostic.clone())));
    }
}

fn generate(args: Generate) -> Result<ExitCode, Diagnostic> {
    // clap requires both when no subcommand is given.
    let (Some(input), Some(out)) = (args.input, args.out) else {
        unreachable!("clap requires <IDL> and -o")
    };
    let out_name = out.to_string_lossy().replace('\\', "/");
    let to_stdout = out == Path::new("-");
    // Before anything is read or written: the output must be a regular file, not the input.
    if !to_stdout
        && let Err(e) = cpgen::write::refuse_target(&out, std::slice::from_ref(&input.idl))
    {
        return Ok(usage_error(format!("cannot write {}: {e}", out.display())));
    }
    // A bare --cross-apartment (the empty value) covers every source.
    let cross_apartment = if args.cross_apartment.is_empty() {
        cpgen::emit::CrossApartment::None
    } else if args.cross_apartment.iter().any(String::is_empty) {
        cpgen::emit::CrossApartment::All
    } else {
        cpgen::emit::CrossApartment::Sources(args.cross_apartment)
    };
    let server = args.server.then_some(cpgen::emit::ServerOptions {
        threading_model: args.threading_model,
        prog_ids: args.prog_ids,
    });
    let generated = cpgen::generate_file(
        &input.idl,
        &input.options(),
        &args.coclasses,
        &cross_apartment,
        args.property_notify,
        server.as_ref(),
        &out_name,
    )?;
    report(&generated.warnings);
    let text = generated.text;
    if to_stdout {
        if args.check {
            return Ok(usage_error(
                "--check needs a file to compare with, not `-o -`".to_string(),
            ));
        }
        print_out(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    // Nothing is written yet: an output that is a file the run included or imported is refused
    // as the input is.
    if let Err(e) = cpgen::write::refuse_target(&out, &generated.files) {
        return Ok(usage_error(format!("cannot write {}: {e}", out.display())));
    }
    if args.check {
        let diff = cpgen::write::check(&out, &text)
            .map_err(|e| Diagnostic::new(format!("reading {}: {e}", out.display())))?;
        return Ok(match diff {
            None => ExitCode::SUCCESS,
            Some(diff) => {
                if !out.exists() {
                    print_err(&format!(
                        "{} does not exist; cpgen would write:\n",
                        out.display()
                    ));
                } else {
                    print_err(&format!(
                        "{} is not what cpgen generates from {}:\n",
                        out.display(),
                        input.idl.display()
                    ));
                }
                print_out(&diff)?;
                ExitCode::from(1)
            }
        });
    }
    cpgen::write::write_atomic(&out, &text)
        .map_err(|e| Diagnostic::new(format!("writing {}: {e}", out.display())))?;
    Ok(ExitCode::SUCCESS)
}

fn summary(model: &cpgen::Model) -> String {
    let mut out = String::new();
    for interface in &model.interfaces {
        out.push_str(&format!(
            "{:?} {} ({} methods)\n",
            interface.kind,
            interface.name,
            interface.methods.len()
        ));
    }
    for coclass in &model.coclasses {
        let members: Vec<_> = coclass.members.iter().map(|m| m.name.as_str()).collect();
        out.push_str(&format!(
            "coclass {}: {}\n",
            coclass.name,
            members.join(", ")
        ));
    }
    out
}
