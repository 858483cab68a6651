//! A client of the quick start's clock: connects an IClockSink and receives the event the clock
//! fires, through COM (FindConnectionPoint, Advise) as any client would.

use std::sync::Mutex;

use cpgen_quickstart::{Clock, IClockSink, IClockSink_Impl};
use windows::Win32::Foundation::VARIANT_BOOL;
use windows::Win32::System::Com::{
    COINIT_MULTITHREADED, CoInitializeEx, IConnectionPointContainer,
};
use windows_core::{BSTR, ComObject, Interface, Result, implement};

#[implement(IClockSink)]
#[derive(Default)]
struct Sink {
    ticks: Mutex<Vec<i32>>,
}

impl IClockSink_Impl for Sink_Impl {
    fn OnTick(&self, seconds: i32, _fraction: f64) -> Result<()> {
        self.ticks.lock().unwrap().push(seconds);
        Ok(())
    }
    fn OnAlarm(&self, _label: &BSTR) -> Result<VARIANT_BOOL> {
        Ok(VARIANT_BOOL::default())
    }
}

#[test]
fn a_connected_sink_receives_the_tick() -> Result<()> {
    // SAFETY: plain COM initialisation of this test thread.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED).ok()? };
    let clock = ComObject::new(Clock::default());
    let container: IConnectionPointContainer = clock.to_interface();
    // SAFETY: the IID outlives the call.
    let point = unsafe { container.FindConnectionPoint(&IClockSink::IID)? };
    let sink = ComObject::new(Sink::default());
    // SAFETY: a live sink.
    let cookie = unsafe { point.Advise(&sink.to_interface::<IClockSink>())? };

    clock.tick(1)?;
    clock.tick(2)?;
    assert_eq!(*sink.ticks.lock().unwrap(), [1, 2]);

    // SAFETY: the cookie Advise returned.
    unsafe { point.Unadvise(cookie)? };
    clock.tick(3)?;
    assert_eq!(
        *sink.ticks.lock().unwrap(),
        [1, 2],
        "an unadvised sink got an event"
    );
    Ok(())
}
