//! The EXE COM server of coclass `Timer`: `/RegServer`, `/RegServerPerUser`, `/UnregServer`,
//! `/UnregServerPerUser`, or (as COM starts it, with `-Embedding`) serving the timer until no
//! client uses it. All of it is cpgen's: the generated registration and the runtime's
//! `Server::local_main`.
#![deny(warnings)]

use std::process::ExitCode;

fn main() -> ExitCode {
    match cpgen_local_server::SERVER.local_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("timer_server: {error}");
            ExitCode::FAILURE
        }
    }
}
