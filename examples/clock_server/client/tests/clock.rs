//! Drives the clock server the way a COM client does: registers the DLL that cargo built
//! beside this test (its `DllRegisterServer`, as regsvr32 would), creates the object with
//! `CoCreateInstance(CLSCTX_INPROC_SERVER)`, sinks both source interfaces and calls `IClock`.

use std::sync::Once;

use clock_client::generated::{
    Alarmed, CLSID_Clock, DIID_DClockEvents, IClock, IID_IClockSink, Running,
};
use clock_client::{
    DISPID_ALARM, DISPID_STATE_CHANGED, DISPID_TICK, DispSink, Event, Log, VtableSink, advise,
    call_registration, create_clock, server_dll,
};
use windows::Win32::Foundation::{VARIANT_FALSE, VARIANT_TRUE};
use windows::Win32::System::Com::{
    COINIT_MULTITHREADED, CoInitializeEx, DISPATCH_PROPERTYGET, DISPATCH_PROPERTYPUT, DISPPARAMS,
    IDispatch,
};
use windows::Win32::System::Ole::{
    DISPID_PROPERTYPUT, GUIDKIND_DEFAULT_SOURCE_DISP_IID, IProvideClassInfo2,
};
use windows::Win32::System::Variant::{VARIANT, VT_I4};
use windows_core::{BSTR, GUID, Interface, PCWSTR, Result, w};

/// Joins this test's thread to the MTA and registers the server, once per process.
fn setup() -> IClock {
    static REGISTER: Once = Once::new();
    // SAFETY: no reserved pointer; COM stays initialised until the thread ends.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }
        .ok()
        .expect("CoInitializeEx");
    REGISTER.call_once(|| {
        let dll = server_dll().expect("clock_server.dll beside the test (cargo test builds it)");
        call_registration(&dll, "DllRegisterServer").expect("DllRegisterServer");
    });
    create_clock().expect("CoCreateInstance(CLSID_Clock)")
}

fn events(log: &Log) -> Vec<Event> {
    log.take()
}

fn seconds(clock: &IClock, to: i32) {
    // SAFETY: plain COM call.
    unsafe { clock.SetSeconds(to) }.expect("put Seconds");
}

#[test]
fn both_source_interfaces_receive_the_clocks_events() {
    let clock = setup();
    let log = Log::default();
    let (disp_point, disp_cookie) = advise(
        &clock,
        DIID_DClockEvents,
        &DispSink::sink(&log, VARIANT_FALSE),
    )
    .unwrap();
    let (vtable_point, vtable_cookie) = advise(
        &clock,
        IID_IClockSink,
        &VtableSink::sink(&log, VARIANT_FALSE),
    )
    .unwrap();

    // SAFETY: plain COM calls.
    unsafe { clock.Start() }.unwrap();
    assert_eq!(events(&log), [Event::StateChanged(Running.0, true)]);

    seconds(&clock, 30);
    assert_eq!(events(&log), [Event::Tick(30), Event::OnTick(30, 0.5)]);
    // SAFETY: plain COM calls.
    assert_eq!(unsafe { clock.Seconds() }.unwrap(), 30);

    // SAFETY: plain COM call.
    unsafe { clock.SetAlarm(&BSTR::from("tea"), 15) }.unwrap();
    seconds(&clock, 44);
    assert_eq!(
        events(&log),
        [Event::Tick(44), Event::OnTick(44, 44.0 / 60.0)]
    );
    seconds(&clock, 45);
    assert_eq!(
        events(&log),
        [
            Event::Tick(45),
            Event::OnTick(45, 0.75),
            Event::StateChanged(Alarmed.0, true),
            Event::Alarm("tea".into()),
            Event::OnAlarm("tea".into()),
        ]
    );
    // Nobody snoozed: the alarm is gone.
    seconds(&clock, 45 + 60);
    assert_eq!(events(&log), [Event::Tick(105), Event::OnTick(105, 0.75)]);

    // SAFETY: plain COM calls.
    unsafe {
        disp_point.Unadvise(disp_cookie).unwrap();
        vtable_point.Unadvise(vtable_cookie).unwrap();
    }
    seconds(&clock, 106);
    assert_eq!(events(&log), []);
}

/// `Alarm`'s `[in, out] VARIANT_BOOL* snooze` travels as `VT_BOOL | VT_BYREF`: the sink's
/// write reaches the server, which re-arms the alarm.
#[test]
fn a_dispinterface_sink_snoozes_through_the_by_ref_argument() {
    let clock = setup();
    let log = Log::default();
    advise(
        &clock,
        DIID_DClockEvents,
        &DispSink::sink(&log, VARIANT_TRUE),
    )
    .unwrap();
    // SAFETY: plain COM call.
    unsafe { clock.SetAlarm(&BSTR::from("wake"), 10) }.unwrap();
    seconds(&clock, 10);
    assert!(events(&log).contains(&Event::Alarm("wake".into())));
    seconds(&clock, 69);
    assert_eq!(events(&log), [Event::Tick(69)]);
    seconds(&clock, 70);
    assert!(
        events(&log).contains(&Event::Alarm("wake".into())),
        "snoozed alarm rings again"
    );
}

/// `OnAlarm`'s `[out] VARIANT_BOOL* snooze` likewise.
#[test]
fn a_vtable_sink_snoozes_through_the_out_argument() {
    let clock = setup();
    let log = Log::default();
    advise(
        &clock,
        IID_IClockSink,
        &VtableSink::sink(&log, VARIANT_TRUE),
    )
    .unwrap();
    // SAFETY: plain COM call.
    unsafe { clock.SetAlarm(&BSTR::from("wake"), 1) }.unwrap();
    seconds(&clock, 1);
    assert!(events(&log).contains(&Event::OnAlarm("wake".into())));
    seconds(&clock, 61);
    assert!(
        events(&log).contains(&Event::OnAlarm("wake".into())),
        "snoozed alarm rings again"
    );
}

/// GetGUID names the default source; GetClassInfo is the coclass in the type library the
/// server carries as a resource, whose default source has the DISPIDs the client decodes.
#[test]
fn provide_class_info2_describes_the_clock() -> Result<()> {
    let clock = setup();
    let info: IProvideClassInfo2 = clock.cast()?;
    // SAFETY: plain COM and type-info calls; each TYPEATTR is released after reading.
    unsafe {
        assert_eq!(
            info.GetGUID(GUIDKIND_DEFAULT_SOURCE_DISP_IID.0 as u32)?,
            DIID_DClockEvents
        );
        let class = info.GetClassInfo()?;
        let attr = class.GetTypeAttr()?;
        let (guid, count) = ((*attr).guid, (*attr).cImplTypes);
        class.ReleaseTypeAttr(attr);
        assert_eq!(guid, CLSID_Clock);
        assert_eq!(count, 3);
        // Implemented type 1 is `[default, source] dispinterface DClockEvents`.
        let source = class.GetRefTypeInfo(class.GetRefTypeOfImplType(1)?)?;
        let attr = source.GetTypeAttr()?;
        let guid: GUID = (*attr).guid;
        source.ReleaseTypeAttr(attr);
        assert_eq!(guid, DIID_DClockEvents);
        for (name, dispid) in [
            (w!("Tick"), DISPID_TICK),
            (w!("Alarm"), DISPID_ALARM),
            (w!("StateChanged"), DISPID_STATE_CHANGED),
        ] {
            let mut found = 0;
            source.GetIDsOfNames(&name, 1, &mut found)?;
            assert_eq!(found, dispid, "{}", name.display());
        }
    }
    Ok(())
}

/// IClock is dual: a late-bound client reaches the same methods (and events) by name.
#[test]
fn the_dual_interface_answers_late_bound_calls() -> Result<()> {
    let clock = setup();
    let log = Log::default();
    advise(
        &clock,
        DIID_DClockEvents,
        &DispSink::sink(&log, VARIANT_FALSE),
    )?;
    let dispatch: IDispatch = clock.cast()?;
    let mut dispid = 0;
    // SAFETY: plain COM calls; the DISPPARAMS' arrays outlive each call.
    unsafe {
        let name: PCWSTR = w!("Seconds");
        dispatch.GetIDsOfNames(&GUID::zeroed(), &name, 1, 0, &mut dispid)?;

        let mut value = VARIANT::from(12i32);
        let mut named = DISPID_PROPERTYPUT;
        let put = DISPPARAMS {
            rgvarg: &mut value,
            rgdispidNamedArgs: &mut named,
            cArgs: 1,
            cNamedArgs: 1,
        };
        dispatch.Invoke(
            dispid,
            &GUID::zeroed(),
            0,
            DISPATCH_PROPERTYPUT,
            &put,
            None,
            None,
            None,
        )?;
        assert_eq!(events(&log), [Event::Tick(12)]);

        let mut result = VARIANT::default();
        dispatch.Invoke(
            dispid,
            &GUID::zeroed(),
            0,
            DISPATCH_PROPERTYGET,
            &DISPPARAMS::default(),
            Some(&mut result),
            None,
            None,
        )?;
        let inner = &result.Anonymous.Anonymous;
        assert_eq!((inner.vt, inner.Anonymous.lVal), (VT_I4, 12));
    }
    Ok(())
}
