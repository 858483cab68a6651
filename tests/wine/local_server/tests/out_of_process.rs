//! The EXE server `timer_server`, registered with `LocalServer32` and started by COM, fires
//! into this process's sinks and into those of another client process that is killed while
//! connected.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};

use cpgen_local_server::generated::{
    CLSID_Timer, DIID_DTimerEvents, IID_ITimerSink, ITimer, LIBID_TimerLib,
};
use cpgen_local_server::{
    DispSink, Event, Log, VtableSink, advise, executable, marshal, process_id,
};
use windows::Win32::Foundation::{VARIANT_BOOL, VARIANT_FALSE, VARIANT_TRUE};
use windows::Win32::System::Com::{
    CLSCTX_LOCAL_SERVER, CLSIDFromProgID, COINIT_MULTITHREADED, CoCreateInstance, CoInitializeEx,
    IDispatch,
};
use windows::Win32::System::Ole::LoadRegTypeLib;
use windows::Win32::System::Registry::{
    HKEY, HKEY_CLASSES_ROOT, HKEY_CURRENT_USER, RRF_RT_REG_SZ, RegGetValueW,
};
use windows_core::{BSTR, HSTRING, Interface, PCWSTR};

/// The tests take turns: they register and unregister the same class.
static SERIAL: Mutex<()> = Mutex::new(());

fn turn() -> MutexGuard<'static, ()> {
    let turn = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    // SAFETY: no reserved pointer; COM stays initialised until the thread ends.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }
        .ok()
        .unwrap();
    turn
}

/// Runs the server EXE with `switch`, as an installer does.
fn server(switch: &str) {
    let exe = executable("timer_server").expect("timer_server.exe beside the test");
    let status = Command::new(&exe).arg(switch).status().unwrap();
    assert!(status.success(), "timer_server {switch}: {status}");
}

/// The default value of `root\subkey`, if the key exists.
fn value(root: HKEY, subkey: &str) -> Option<String> {
    let mut buffer = vec![0u16; 1024];
    let mut bytes = (buffer.len() * 2) as u32;
    // SAFETY: the buffer holds `bytes` bytes; NUL-terminated key name.
    let status = unsafe {
        RegGetValueW(
            root,
            &HSTRING::from(subkey),
            PCWSTR::null(),
            RRF_RT_REG_SZ,
            None,
            Some(buffer.as_mut_ptr().cast()),
            Some(&mut bytes),
        )
    };
    status
        .is_ok()
        .then(|| String::from_utf16_lossy(&buffer[..(bytes as usize / 2).saturating_sub(1)]))
}

fn class_key() -> String {
    format!("CLSID\\{{{CLSID_Timer:?}}}")
}

/// A timer from the server EXE that COM starts from the registration; `ITimer` is marshaled by
/// the type-library marshaler, from the type library the server registered.
fn create_timer() -> ITimer {
    // SAFETY: plain COM call.
    unsafe { CoCreateInstance(&CLSID_Timer, None, CLSCTX_LOCAL_SERVER) }
        .expect("CoCreateInstance(CLSID_Timer, CLSCTX_LOCAL_SERVER)")
}

/// `ITimer::Ring(value, label)` through the vtable: (snooze, answer, reached, pruned).
fn ring(timer: &ITimer, value: i32, label: &str) -> (VARIANT_BOOL, i32, i32, i32) {
    let (mut snooze, mut answer, mut reached) = (VARIANT_FALSE, 0, 0);
    // SAFETY: [out] pointers to locals that outlive the call.
    let pruned = unsafe {
        timer.Ring(
            value,
            &BSTR::from(label),
            &mut snooze,
            &mut answer,
            &mut reached,
        )
    }
    .unwrap();
    (snooze, answer, reached, pruned)
}

#[test]
fn registration_writes_local_server32_and_unregistration_removes_it() {
    let _turn = turn();
    let exe = executable("timer_server").unwrap();
    server("/RegServer");
    let key = class_key();
    let command = value(HKEY_CLASSES_ROOT, &format!("{key}\\LocalServer32")).unwrap();
    assert_eq!(command, format!("\"{}\"", exe.display()));
    assert_eq!(
        value(HKEY_CLASSES_ROOT, &format!("{key}\\ProgID")).as_deref(),
        Some("TimerLib.Timer.1")
    );
    assert_eq!(
        value(HKEY_CLASSES_ROOT, &format!("{key}\\TypeLib")),
        Some(format!("{{{LIBID_TimerLib:?}}}"))
    );
    assert_eq!(
        value(HKEY_CLASSES_ROOT, &format!("{key}\\Version")).as_deref(),
        Some("1.0")
    );
    // SAFETY: NUL-terminated ProgIDs.
    let by_prog_id = unsafe { CLSIDFromProgID(&HSTRING::from("TimerLib.Timer")) }.unwrap();
    assert_eq!(by_prog_id, CLSID_Timer);
    // SAFETY: plain type library call.
    unsafe { LoadRegTypeLib(&LIBID_TimerLib, 1, 0, 0) }.expect("the type library registered");

    // Per user: the same keys under HKCU\Software\Classes, and all gone afterwards. (Wine 8's
    // COM does not read them for CoCreateInstance, so the keys themselves are checked.)
    server("/RegServerPerUser");
    let user = |subkey: &str| value(HKEY_CURRENT_USER, &format!("Software\\Classes\\{subkey}"));
    assert_eq!(
        user(&format!("{key}\\LocalServer32")),
        Some(format!("\"{}\"", exe.display()))
    );
    assert_eq!(
        user("TimerLib.Timer\\CurVer").as_deref(),
        Some("TimerLib.Timer.1")
    );
    server("/UnregServerPerUser");
    for subkey in [key.as_str(), "TimerLib.Timer.1", "TimerLib.Timer"] {
        assert_eq!(user(&format!("{subkey}\\CLSID")), None, "{subkey}");
        assert_eq!(user(subkey), None, "{subkey} left behind");
    }
    // The machine's registration is untouched by the user's.
    assert!(value(HKEY_CLASSES_ROOT, &format!("{key}\\LocalServer32")).is_some());

    server("/UnregServer");
    assert_eq!(value(HKEY_CLASSES_ROOT, &key), None);
    assert_eq!(value(HKEY_CLASSES_ROOT, "TimerLib.Timer.1"), None);
    assert_eq!(value(HKEY_CLASSES_ROOT, "TimerLib.Timer"), None);
    // SAFETY: as above.
    assert!(unsafe { LoadRegTypeLib(&LIBID_TimerLib, 1, 0, 0) }.is_err());
    server("/RegServer");
}

#[test]
fn events_cross_from_the_server_process_with_answers_by_reference() {
    let _turn = turn();
    server("/RegServer");
    let timer = create_timer();
    // SAFETY: plain COM call.
    let pid = unsafe { timer.ProcessId() }.unwrap();
    assert_ne!(
        pid as u32,
        std::process::id(),
        "served from another process"
    );
    let log = Log::default();
    advise(
        &timer,
        DIID_DTimerEvents,
        &DispSink::sink(&log, VARIANT_TRUE),
    )
    .unwrap();
    advise(&timer, IID_ITimerSink, &VtableSink::sink(&log, 3)).unwrap();
    let (snooze, answer, reached, pruned) = ring(&timer, 5, "wake");
    assert_eq!(
        log.take(),
        [Event::Ring(5), Event::OnRing(5, "wake".to_string())],
        "the fire reached {reached} sinks and pruned {pruned} (snooze {snooze:?}, answer {answer})"
    );
    assert_eq!(
        snooze, VARIANT_TRUE,
        "the dispinterface sink's by-ref answer"
    );
    assert_eq!(answer, 15, "the vtable sink's [out] answer");
    assert_eq!((reached, pruned), (2, 0));

    // Late-bound, as a script calls it: IDispatch::Invoke by DISPID with by-reference [out]
    // arguments, served by DispInvoke over the built type library.
    let dispatch: IDispatch = timer.cast().unwrap();
    let (snooze, answer, reached, pruned) = cpgen_local_server::ring(&dispatch, 7, "late").unwrap();
    assert_eq!(
        log.take(),
        [Event::Ring(7), Event::OnRing(7, "late".to_string())]
    );
    assert_eq!((snooze, answer, reached, pruned), (VARIANT_TRUE, 21, 2, 0));
    assert_eq!(process_id(&dispatch).unwrap(), pid);
}

#[test]
fn a_killed_client_s_sinks_are_pruned_at_the_next_fire() {
    let _turn = turn();
    server("/RegServer");
    let timer = create_timer();
    let log = Log::default();
    advise(
        &timer,
        DIID_DTimerEvents,
        &DispSink::sink(&log, VARIANT_FALSE),
    )
    .unwrap();
    advise(&timer, IID_ITimerSink, &VtableSink::sink(&log, 2)).unwrap();

    // Another client process connects a sink of each kind to the same timer.
    let dying = executable("dying_client").expect("dying_client.exe beside the test");
    let mut child = Command::new(&dying)
        .arg(marshal(&timer).unwrap())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "advised");
    let (_, answer, reached, pruned) = ring(&timer, 1, "both");
    assert_eq!((reached, pruned), (4, 0), "four sinks in two processes");
    assert_eq!(answer, 1000, "the other process's sink answered last");
    log.take();

    // Killed without Unadvise: its sinks are dead, found so and unadvised by the next fire.
    child.kill().unwrap();
    child.wait().unwrap();
    let (_, answer, reached, pruned) = ring(&timer, 2, "after");
    assert_eq!((reached, pruned), (2, 2));
    assert_eq!(
        log.take(),
        [Event::Ring(2), Event::OnRing(2, "after".to_string())]
    );
    // (This fire's `answer` is not checked: the dead sink, called after the live one, failed,
    // and its proxy cleared the [out] value, as a failed marshaled call does.)
    let _ = answer;
    let (_, answer, reached, pruned) = ring(&timer, 3, "again");
    assert_eq!((reached, pruned), (2, 0), "the dead sinks are gone");
    assert_eq!(answer, 6, "the live sink answers alone");
}
