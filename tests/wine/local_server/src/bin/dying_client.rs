//! A client process that is killed while connected: it unmarshals the timer its parent passes
//! (hex, the first argument), connects a sink of each kind, says `advised` on stdout, and waits
//! to be killed, never calling `Unadvise`.
#![deny(warnings)]

use std::io::Write;

use cpgen_local_server::generated::{DIID_DTimerEvents, IID_ITimerSink};
use cpgen_local_server::{DispSink, Log, VtableSink, advise, unmarshal};
use windows::Win32::Foundation::VARIANT_FALSE;
use windows::Win32::System::Com::{COINIT_MULTITHREADED, CoInitializeEx};

fn main() -> windows_core::Result<()> {
    // SAFETY: no reserved pointer; COM stays initialised until the process ends.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }.ok()?;
    let hex = std::env::args().nth(1).unwrap_or_default();
    let timer = unmarshal(&hex)?;
    let log = Log::default();
    advise(
        &timer,
        DIID_DTimerEvents,
        &DispSink::sink(&log, VARIANT_FALSE),
    )?;
    advise(&timer, IID_ITimerSink, &VtableSink::sink(&log, 1000))?;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "advised");
    let _ = out.flush();
    drop(out);
    loop {
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}
