//! The stock `Error` event every MFC control wizard writes (`TeamRoom.odl` of the corpus), fired
//! under Wine: its by-reference `[in]` parameters (`BSTR* Description`, `boolean* CancelDisplay`)
//! travel as `VT_BSTR | VT_BYREF` and `VT_UI1 | VT_BYREF`, and what the typed sink writes comes
//! back; the sink, typed as the generated dispinterface, is passed to `Advise` as the windows
//! crate's own interface types are.
#![deny(warnings)]

use std::sync::Mutex;

use cpgen_realworld::activex_dcom_book_teamroom as teamroom;
use teamroom::{_DTeamRoomEvents, _DTeamRoomEventsHandler, _DTeamRoomEventsSink};
use windows::Win32::System::Com::{
    COINIT_MULTITHREADED, CoInitializeEx, IConnectionPoint, IConnectionPointContainer,
    IConnectionPointContainer_Impl, IDispatch, IEnumConnectionPoints,
};
use windows_core::{BSTR, ComObject, GUID, IUnknown, IUnknownImpl, Interface, Result, implement};

#[implement(IConnectionPointContainer)]
struct Control(teamroom::TeamRoomConnectionPoints);

impl IConnectionPointContainer_Impl for Control_Impl {
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        self.0.enum_connection_points(&self.to_interface())
    }
    fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
        self.0.find_connection_point(&self.to_interface(), riid)
    }
}

/// What the handler saw: Number, Description, Scode, Source, HelpFile, HelpContext, CancelDisplay.
type Seen = (i16, String, i32, String, String, i32, u8);

struct Recorder(&'static Mutex<Vec<Seen>>);

impl _DTeamRoomEventsHandler for Recorder {
    #[allow(clippy::too_many_arguments)]
    fn Error(
        &self,
        number: i16,
        description: &mut BSTR,
        scode: i32,
        source: &BSTR,
        help_file: &BSTR,
        help_context: i32,
        cancel_display: &mut u8,
    ) -> Result<()> {
        self.0.lock().unwrap().push((
            number,
            description.to_string(),
            scode,
            source.to_string(),
            help_file.to_string(),
            help_context,
            *cancel_display,
        ));
        *description = BSTR::from("handled by the sink");
        *cancel_display = 1;
        Ok(())
    }
}

#[test]
fn stock_error_event_writes_back_through_its_by_reference_in_parameters() -> Result<()> {
    // SAFETY: plain COM initialisation of the test's thread.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }.ok()?;
    static SEEN: Mutex<Vec<Seen>> = Mutex::new(Vec::new());
    let control = ComObject::new(Control(teamroom::TeamRoomConnectionPoints::new()));
    let container: IConnectionPointContainer = control.to_interface();
    // SAFETY: the GUID outlives the call.
    let point = unsafe { container.FindConnectionPoint(&teamroom::DIID__DTeamRoomEvents)? };

    let sink: _DTeamRoomEvents = _DTeamRoomEventsSink(Recorder(&SEEN)).into();
    // The generated dispinterface converts and casts as the windows crate's interfaces do.
    let unknown: &IUnknown = (&sink).into();
    let dispatch: &IDispatch = (&sink).into();
    assert_eq!(unknown.cast::<_DTeamRoomEvents>()?, sink);
    assert_eq!(IDispatch::from(sink.clone()).cast::<IUnknown>()?, *unknown);
    assert_eq!(dispatch.cast::<IUnknown>()?, IUnknown::from(&sink));
    // SAFETY: a live sink.
    let cookie = unsafe { point.Advise(&sink)? };

    let mut description = BSTR::from("disk full");
    let mut cancel_display = 0u8;
    control.0._DTeamRoomEvents.Fire_Error(
        7,
        &mut description,
        -2147024784,
        &BSTR::from("TeamRoom"),
        &BSTR::from("teamroom.hlp"),
        42,
        &mut cancel_display,
    )?;
    assert_eq!(description, "handled by the sink");
    assert_eq!(cancel_display, 1);
    assert_eq!(
        *SEEN.lock().unwrap(),
        [(
            7,
            "disk full".to_string(),
            -2147024784,
            "TeamRoom".to_string(),
            "teamroom.hlp".to_string(),
            42,
            0
        )]
    );
    // SAFETY: the cookie Advise returned.
    unsafe { point.Unadvise(cookie) }
}
