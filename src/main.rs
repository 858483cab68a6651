//! The `cpgen` command line: a thin layer over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cpgen",
    version,
    about = "Generates Rust connection-point code for COM objects from MIDL files",
    after_help = "Examples:\n  cpgen inspect object.idl -I include --json"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
#[derive(Args)]
struct Input {
    /// The MIDL (.idl) file.
    idl: PathBuf,
    /// Folder to search for #include and import files (after the including file's folder).
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    include_dirs: Vec<PathBuf>,
    /// Define a preprocessor macro, as NAME or NAME=VALUE.
    #[arg(short = 'D', long = "define", value_name = "NAME[=VALUE]")]
    defines: Vec<String>,
}

impl Input {
    fn options(&self) -> cpgen::model::Options {
        let defines = self
            .defines
            .iter()
            .map(|d| match d.split_once('=') {
                Some((name, value)) => (name.to_string(), Some(value.to_string())),
                None => (d.clone(), None),
            })
            .collect();
        cpgen::model::Options {
            preprocess: cpgen::preprocess::Options {
                include_dirs: self.include_dirs.clone(),
                defines,
            },
        }
    }
}

fn main() -> ExitCode {
    // Long messages stay on one line, so logs can be searched for them.
    let _ = miette::set_hook(Box::new(|_| {
        Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())
    }));
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect { input, json } => match cpgen::load(&input.idl, &input.options()) {
            Ok(model) => {
                let own = model.own();
                if json {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&own).expect("the model always serializes")
                    );
                } else {
                    print_summary(&own);
                }
                ExitCode::SUCCESS
            }
            Err(diagnostic) => {
                eprintln!("{:?}", miette::Report::new(diagnostic));
                ExitCode::from(1)
            }
        },
    }
}

fn print_summary(model: &cpgen::Model) {
    for interface in &model.interfaces {
        println!(
            "{:?} {} ({} methods)",
            interface.kind,
            interface.name,
            interface.methods.len()
        );
    }
    for coclass in &model.coclasses {
        let members: Vec<_> = coclass.members.iter().map(|m| m.name.as_str()).collect();
        println!("coclass {}: {}", coclass.name, members.join(", "));
    }
}
