mod events {
    include!(concat!(env!("OUT_DIR"), "/events.rs"));
}
pub use events::*;
use windows::Win32::System::Com::*;
use windows_core::*;

#[implement(IConnectionPointContainer)]
#[derive(Default)]
pub struct Clock {
    pub events: ClockConnectionPoints,
}

impl IConnectionPointContainer_Impl for Clock_Impl {
    fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
        self.events
            .find_connection_point(&self.to_interface(), riid)
    }
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        self.events.enum_connection_points(&self.to_interface())
    }
}

impl Clock {
    /// Tells every connected IClockSink that a second went by.
    pub fn tick(&self, seconds: i32) -> Result<()> {
        self.events.IClockSink.Fire_OnTick(seconds, 0.0)
    }
}
