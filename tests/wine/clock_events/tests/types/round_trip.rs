//! Every mapped type from the generated `Fire_` methods to the generated typed sinks and, for
//! by-reference parameters, back: a Rust client receiving a Rust source's events.

use cpgen_clock_events::sinks::{
    Blue, DAllTypesSink, Green, IDualEventsSink, IDualPeer, IPeer, IVtableEventsSink, Red,
};
use windows::Win32::Foundation::{VARIANT_FALSE, VARIANT_TRUE};
use windows::Win32::System::Com::IDispatch;
use windows::Win32::System::Variant::VARIANT;
use windows_core::{BSTR, IUnknown, Result};

use crate::support::{
    Handler, Heard, Peer, Source, Value, bstr_array, destroy, dispatch_of, doubled, elements,
    enter_mta, lock, long_array, raw,
};

#[test]
fn dispinterface_events_carry_every_type_both_ways() -> Result<()> {
    enter_mta()?;
    let source = Source::new();
    let (handler, heard) = Handler::new();
    let reply = handler.reply.clone();
    let _connection = DAllTypesSink::advise(&source.to_interface(), handler)?;
    let events = &source.events.DAllTypes;

    events.Fire_Ints(
        -5,
        200,
        -300,
        60000,
        -70000,
        4_000_000_000,
        -5_000_000_000,
        1 << 40,
    )?;
    events.Fire_Floats(1.5, -2.25, 45000.5, VARIANT_TRUE, Green)?;
    let peer = Peer::new();
    let (disp, unk): (IDispatch, IUnknown) = (dispatch_of(&peer), peer.to_interface());
    let (ipeer, dual): (IPeer, IDualPeer) = (peer.to_interface(), peer.to_interface());
    let names = bstr_array(&["a", "b"]);
    events.Fire_Objects(
        &BSTR::from("text"),
        &VARIANT::from(17),
        &VARIANT::from(BSTR::from("ref")),
        Some(&disp),
        Some(&unk),
        Some(&ipeer),
        Some(&dual),
        names,
    )?;
    destroy(names);

    let (mut l, mut d, mut when, mut flag, mut color) = (3, 1.25, 100.0, VARIANT_FALSE, Red);
    let mut text = BSTR::from("hi");
    let mut any = VARIANT::from(BSTR::from("v"));
    let (mut out_disp, mut out_unk, mut out_dual) = (None, Some(unk.clone()), None);
    let mut numbers = long_array(&[9]);
    events.Fire_Outs(
        &mut l,
        &mut d,
        &mut when,
        &mut flag,
        &mut color,
        &mut text,
        &mut any,
        &mut out_disp,
        &mut out_unk,
        &mut out_dual,
        &mut numbers,
    )?;
    events.Fire_Negative()?;
    events.Fire_Renamed(1, 2, 3)?;

    // The handler's results, back in the caller's variables.
    assert_eq!(
        (l, d, when, flag, color),
        (7, doubled(1.25), 101.0, VARIANT_TRUE, Blue)
    );
    assert_eq!(
        (text.to_string(), Value::of(&any)),
        ("hi!".to_string(), Value::I4(99))
    );
    let reply_disp = dispatch_of(&reply);
    let reply_dual: IDualPeer = reply.to_interface();
    assert_eq!(raw(out_disp.as_ref()), raw(Some(&reply_disp)));
    assert_eq!(out_unk, None);
    assert_eq!(raw(out_dual.as_ref()), raw(Some(&reply_dual)));
    assert_eq!(elements::<i32>(numbers), [1, 2, 3]);
    destroy(numbers);

    assert_eq!(
        *lock(&heard),
        [
            Heard::Ints(
                -5,
                200,
                -300,
                60000,
                -70000,
                4_000_000_000,
                -5_000_000_000,
                1 << 40
            ),
            Heard::Floats(1.5, -2.25, 45000.5, VARIANT_TRUE, Green),
            Heard::Objects {
                text: "text".into(),
                any: Value::I4(17),
                any_ref: Value::Bstr("ref".into()),
                disp: raw(Some(&disp)),
                unk: raw(Some(&unk)),
                peer: raw(Some(&ipeer)),
                dual: raw(Some(&dual)),
                names: vec!["a".into(), "b".into()],
            },
            Heard::Outs {
                l: 3,
                d: 1.25,
                when: 100.0,
                flag: VARIANT_FALSE,
                color: Red,
                text: "hi".into(),
                any: Value::Bstr("v".into()),
                disp: 0,
                unk: raw(Some(&unk)),
                dual: 0,
                numbers: vec![9],
            },
            Heard::Negative,
            Heard::Renamed(1, 2, 3),
        ]
    );
    Ok(())
}

#[test]
fn vtable_events_carry_every_type_both_ways() -> Result<()> {
    enter_mta()?;
    let source = Source::new();
    let (handler, heard) = Handler::new();
    let reply = handler.reply.clone();
    let _connection = IVtableEventsSink::advise(&source.to_interface(), handler)?;
    let events = &source.events.IVtableEvents;

    events.Fire_Started(1)?;
    events.Fire_Scalars(
        -5,
        200,
        -300,
        60000,
        -70000,
        4_000_000_000,
        -5_000_000_000,
        1 << 40,
        1.5,
        -2.25,
        45000.5,
        VARIANT_TRUE,
        Green,
    )?;
    let peer = Peer::new();
    let (disp, unk, ipeer): (IDispatch, IUnknown, IPeer) =
        (dispatch_of(&peer), peer.to_interface(), peer.to_interface());
    let names = bstr_array(&["x"]);
    events.Fire_Objects(
        &BSTR::from("text"),
        &VARIANT::from(17),
        &VARIANT::from(BSTR::from("ref")),
        Some(&disp),
        Some(&unk),
        Some(&ipeer),
        names,
    )?;
    destroy(names);

    // The [out] targets hold something: the sink must start them empty, not read them. (COM's
    // [out] rule: the callee overwrites without freeing; these values are plain data.)
    let (mut l, mut d, mut flag, mut color) = (3, 1.25, VARIANT_FALSE, Red);
    let (mut text, mut kept) = (BSTR::new(), BSTR::from("kept"));
    let mut any = VARIANT::default();
    let (mut out_disp, mut out_peer) = (None, Some(ipeer.clone()));
    let mut numbers = std::ptr::null_mut();
    events.Fire_Outs(
        &mut l,
        &mut d,
        &mut flag,
        &mut color,
        &mut text,
        &mut kept,
        &mut any,
        &mut out_disp,
        &mut out_peer,
        &mut numbers,
    )?;
    events.Fire_Notify(4)?;
    events.Fire_SetLevel(5)?;

    assert_eq!((l, d, flag, color), (7, doubled(1.25), VARIANT_TRUE, Blue));
    assert_eq!(
        (text.to_string(), kept.to_string()),
        ("out".into(), "kept!".into())
    );
    assert_eq!(Value::of(&any), Value::Bstr("any".into()));
    let reply_disp = dispatch_of(&reply);
    assert_eq!(raw(out_disp.as_ref()), raw(Some(&reply_disp)));
    assert_eq!(out_peer, None);
    assert_eq!(elements::<i32>(numbers), [4, 5]);
    destroy(numbers);

    assert_eq!(
        *lock(&heard),
        [
            Heard::Started(1),
            Heard::Scalars(
                -5,
                200,
                -300,
                60000,
                -70000,
                4_000_000_000,
                -5_000_000_000,
                1 << 40,
                1.5,
                -2.25,
                45000.5,
                VARIANT_TRUE,
                Green
            ),
            Heard::VtableObjects {
                text: "text".into(),
                any: Value::I4(17),
                any_ref: Value::Bstr("ref".into()),
                disp: raw(Some(&disp)),
                unk: raw(Some(&unk)),
                peer: raw(Some(&ipeer)),
                names: vec!["x".into()],
            },
            Heard::VtableOuts {
                empty: true,
                d: 1.25,
                flag: VARIANT_FALSE,
                color: Red,
                kept: "kept".into(),
                peer: raw(Some(&ipeer)),
            },
            Heard::Notify(4),
            Heard::Level(5),
        ]
    );
    Ok(())
}

#[test]
fn dual_events_reach_the_typed_sink_through_the_vtable() -> Result<()> {
    enter_mta()?;
    let source = Source::new();
    let (handler, heard) = Handler::new();
    let _connection = IDualEventsSink::advise(&source.to_interface(), handler)?;
    let events = &source.events.IDualEvents;
    events.Fire_Ping(3, &BSTR::from("note"))?;
    let mut value = 8;
    events.Fire_Swap(&mut value)?;
    assert_eq!(value, -8);
    // A vtable call sends every argument: the optional ones arrive as `Some`.
    events.Fire_Tagged(5, 6, &BSTR::from("t"))?;
    assert_eq!(
        *lock(&heard),
        [
            Heard::Ping(3, "note".into()),
            Heard::Swap(8),
            Heard::Tagged(5, Some(6), Some("t".into())),
        ]
    );
    Ok(())
}
