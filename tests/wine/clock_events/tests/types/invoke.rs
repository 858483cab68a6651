//! A typed sink's `IDispatch`, called as other sources call it: arguments of other VARIANT
//! types are converted when `VariantChangeType` can (and refused with their index when not),
//! by-reference arguments come as `VT_BYREF` or as `VT_VARIANT | VT_BYREF` and get their results
//! written back, and the call itself (IID, flags, count, named arguments, DISPID) is checked.

use std::sync::{Arc, Mutex};

use cpgen_clock_events::sinks::{
    Blue, DAllTypes, DAllTypesSink, Green, IDualEvents, IDualEventsSink, IDualPeer, IPeer, Red,
};
use windows::Win32::Foundation::{
    DISP_E_BADPARAMCOUNT, DISP_E_MEMBERNOTFOUND, DISP_E_PARAMNOTFOUND, DISP_E_TYPEMISMATCH,
    DISP_E_UNKNOWNINTERFACE, DISP_E_UNKNOWNNAME, S_OK, VARIANT_FALSE, VARIANT_TRUE,
};
use windows::Win32::System::Com::{
    DISPATCH_FLAGS, DISPATCH_METHOD, DISPATCH_PROPERTYGET, DISPPARAMS, IDispatch,
};
use windows::Win32::System::Ole::DISPID_UNKNOWN;
use windows::Win32::System::Variant::{
    VARENUM, VARIANT, VT_ARRAY, VT_BOOL, VT_BSTR, VT_DISPATCH, VT_I4, VT_R4, VT_VARIANT,
};
use windows_core::{BSTR, GUID, HRESULT, IUnknown, Interface, PCWSTR, w};

use crate::support::{
    Handler, Heard, Peer, Value, bstr_array, by_ref, destroy, dispatch_of, doubled, elements,
    enter_mta, lock, long_array, raw,
};

/// A typed DAllTypes sink as a source holds it, and what its handler heard.
fn sink() -> (IDispatch, Arc<Mutex<Vec<Heard>>>, IDispatch) {
    let (handler, heard) = Handler::new();
    let reply = dispatch_of(&handler.reply);
    let sink = DAllTypes::from(DAllTypesSink(handler));
    ((*sink).clone(), heard, reply)
}

/// `Invoke` with `args` (first parameter first; sent last first, as DISPPARAMS wants), IID_NULL
/// unless `iid` is given, `named` named-argument DISPIDs: its HRESULT and puArgErr.
fn call(
    sink: &IDispatch,
    dispid: i32,
    flags: DISPATCH_FLAGS,
    iid: GUID,
    named: &mut [i32],
    args: &mut [VARIANT],
) -> (HRESULT, u32) {
    args.reverse();
    let params = DISPPARAMS {
        rgvarg: args.as_mut_ptr(),
        rgdispidNamedArgs: named.as_mut_ptr(),
        cArgs: args.len() as u32,
        cNamedArgs: named.len() as u32,
    };
    let mut arg_err = u32::MAX;
    // SAFETY: a call through the sink's own vtable; everything it is lent outlives the call.
    let hr = unsafe {
        (sink.vtable().Invoke)(
            sink.as_raw(),
            dispid,
            &iid,
            0,
            flags,
            &params,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut arg_err,
        )
    };
    args.reverse();
    (hr, arg_err)
}

/// A plain event call.
pub(crate) fn invoke(sink: &IDispatch, dispid: i32, args: &mut [VARIANT]) -> (HRESULT, u32) {
    call(sink, dispid, DISPATCH_METHOD, GUID::zeroed(), &mut [], args)
}

/// A `VT_VARIANT | VT_BYREF` argument pointing at `target`.
fn variant_ref(target: &mut VARIANT) -> VARIANT {
    by_ref(VT_VARIANT, target)
}

const INTS: i32 = 1;
const FLOATS: i32 = 2;
const OBJECTS: i32 = 3;
const OUTS: i32 = 4;
const NEGATIVE: i32 = -5;

#[test]
fn arguments_of_other_types_are_converted() {
    enter_mta().unwrap();
    let (sink, heard, _) = sink();
    let mut args = [
        VARIANT::from("-5"),
        VARIANT::from(200),
        VARIANT::from(-300.0),
        VARIANT::from("60000"),
        VARIANT::from(-7i16),
        VARIANT::from(4_000_000_000u32),
        VARIANT::from("-5000000000"),
        VARIANT::from(1i64 << 40),
    ];
    assert_eq!(invoke(&sink, INTS, &mut args).0, S_OK);

    // By-reference in parameters, and a double for a DATE, a string for an enum.
    let (mut f, mut d, mut flag) = (1.5f32, VARIANT::from(-2.25), VARIANT_TRUE);
    let mut args = [
        by_ref(VT_R4, &mut f),
        variant_ref(&mut d),
        VARIANT::from(45000.5),
        by_ref(VT_BOOL, &mut flag),
        VARIANT::from("2"),
    ];
    assert_eq!(invoke(&sink, FLOATS, &mut args).0, S_OK);

    let peer = Peer::new();
    let (disp, unk): (IDispatch, IUnknown) = (dispatch_of(&peer), peer.to_interface());
    let (ipeer, dual): (IPeer, IDualPeer) = (peer.to_interface(), peer.to_interface());
    let mut any = VARIANT::from(17);
    let mut by_ref_disp = Some(disp.clone());
    let mut names = bstr_array(&["n"]);
    let mut args = [
        VARIANT::from(42),
        variant_ref(&mut any),
        VARIANT::from("ref"),
        by_ref(VT_DISPATCH, &mut by_ref_disp),
        // An IDispatch for an IUnknown, an IUnknown for an interface that travels as one, an
        // IDispatch for a dual interface: each queried for what the handler takes.
        VARIANT::from(disp.clone()),
        VARIANT::from(unk.clone()),
        VARIANT::from(disp.clone()),
        by_ref(VARENUM(VT_ARRAY.0 | VT_BSTR.0), &mut names),
    ];
    assert_eq!(invoke(&sink, OBJECTS, &mut args).0, S_OK);
    destroy(names);

    assert_eq!(
        *lock(&heard),
        [
            Heard::Ints(
                -5,
                200,
                -300,
                60000,
                -7,
                4_000_000_000,
                -5_000_000_000,
                1 << 40
            ),
            Heard::Floats(1.5, -2.25, 45000.5, VARIANT_TRUE, Green),
            Heard::Objects {
                text: "42".into(),
                any: Value::I4(17),
                any_ref: Value::Bstr("ref".into()),
                disp: raw(Some(&disp)),
                unk: raw(Some(&unk)),
                peer: raw(Some(&ipeer)),
                dual: raw(Some(&dual)),
                names: vec!["n".into()],
            },
        ]
    );
}

#[test]
fn an_argument_that_does_not_convert_is_a_type_mismatch_at_its_index() {
    enter_mta().unwrap();
    let (sink, heard, _) = sink();
    // `l`, the fifth of eight parameters, is fourth from the end of DISPPARAMS: index 3.
    let mut args: Vec<VARIANT> = (0..8).map(|_| VARIANT::from(1)).collect();
    args[4] = VARIANT::from("not a number");
    assert_eq!(invoke(&sink, INTS, &mut args), (DISP_E_TYPEMISMATCH, 3));

    // An object that does not have the interface (a sink has no IPeer): `peer`, index 2.
    let stranger: IUnknown = sink.cast().unwrap();
    let mut args = [
        VARIANT::from("t"),
        VARIANT::from(1),
        VARIANT::from(1),
        VARIANT::from(sink.clone()),
        VARIANT::from(stranger.clone()),
        VARIANT::from(stranger),
        VARIANT::from(sink.clone()),
        VARIANT::from(1),
    ];
    let (hr, arg_err) = invoke(&sink, OBJECTS, &mut args);
    assert_eq!((hr, arg_err), (DISP_E_TYPEMISMATCH, 2));

    // A by-reference parameter sent by value cannot carry its result back: `l`, index 10.
    let mut args: Vec<VARIANT> = (0..11).map(|_| VARIANT::from(1)).collect();
    assert_eq!(invoke(&sink, OUTS, &mut args), (DISP_E_TYPEMISMATCH, 10));
    assert!(
        lock(&heard).is_empty(),
        "a refused call reached the handler"
    );
}

#[test]
fn the_call_itself_is_checked() {
    enter_mta().unwrap();
    let (sink, heard, _) = sink();
    let one = || [VARIANT::from(1)];
    assert_eq!(invoke(&sink, INTS, &mut one()).0, DISP_E_BADPARAMCOUNT);
    assert_eq!(invoke(&sink, 99, &mut []).0, DISP_E_MEMBERNOTFOUND);
    let get = call(
        &sink,
        NEGATIVE,
        DISPATCH_PROPERTYGET,
        GUID::zeroed(),
        &mut [],
        &mut [],
    );
    assert_eq!(get.0, DISP_E_MEMBERNOTFOUND);
    let iid = call(
        &sink,
        NEGATIVE,
        DISPATCH_METHOD,
        IUnknown::IID,
        &mut [],
        &mut [],
    );
    assert_eq!(iid.0, DISP_E_UNKNOWNINTERFACE);
    let named = call(
        &sink,
        NEGATIVE,
        DISPATCH_METHOD,
        GUID::zeroed(),
        &mut [0],
        &mut one(),
    );
    // A named argument for an event without parameters names none of them.
    assert_eq!(named.0, DISP_E_PARAMNOTFOUND);
    assert!(lock(&heard).is_empty());
    // Visual Basic calls methods as DISPATCH_METHOD | DISPATCH_PROPERTYGET.
    let flags = DISPATCH_FLAGS(DISPATCH_METHOD.0 | DISPATCH_PROPERTYGET.0);
    assert_eq!(
        call(&sink, NEGATIVE, flags, GUID::zeroed(), &mut [], &mut []).0,
        S_OK
    );
    assert_eq!(*lock(&heard), [Heard::Negative]);
}

#[test]
fn by_reference_results_are_written_back_converted_or_in_place() {
    enter_mta().unwrap();
    let (sink, heard, reply) = sink();
    let peer = Peer::new();
    let (disp, unk): (IDispatch, IUnknown) = (dispatch_of(&peer), peer.to_interface());
    let mut l = 3;
    // What scripting clients pass by reference: VARIANTs, of whatever type they hold.
    let mut d = VARIANT::from("1.5");
    let mut when = VARIANT::from(100.0);
    let mut flag = VARIANT::from(0i16);
    let mut color = VARIANT::from(Red.0);
    let mut text = VARIANT::from("hi");
    let mut any = VARIANT::from(5);
    let mut out_disp = VARIANT::default();
    let mut out_unk = VARIANT::from(unk.clone());
    let mut out_dual = VARIANT::from(disp.clone());
    let mut numbers = long_array(&[9]);
    let mut args = [
        by_ref(VT_I4, &mut l),
        variant_ref(&mut d),
        variant_ref(&mut when),
        variant_ref(&mut flag),
        variant_ref(&mut color),
        variant_ref(&mut text),
        variant_ref(&mut any),
        variant_ref(&mut out_disp),
        variant_ref(&mut out_unk),
        variant_ref(&mut out_dual),
        by_ref(VARENUM(VT_ARRAY.0 | VT_I4.0), &mut numbers),
    ];
    assert_eq!(invoke(&sink, OUTS, &mut args).0, S_OK);
    drop(args);

    assert_eq!(
        *lock(&heard),
        [Heard::Outs {
            l: 3,
            d: 1.5,
            when: 100.0,
            flag: VARIANT_FALSE,
            color: Red,
            text: "hi".into(),
            any: Value::I4(5),
            disp: 0,
            unk: raw(Some(&unk)),
            dual: raw(Some(&peer.to_interface::<IDualPeer>())),
            numbers: vec![9],
        }]
    );
    assert_eq!(l, 7);
    // Converted ones come back as the parameter's type; the others in place.
    assert_eq!(Value::of(&d), Value::R8(doubled(1.5)));
    assert_eq!(Value::of(&when), Value::Date(101.0));
    assert_eq!(Value::of(&flag), Value::Bool(VARIANT_TRUE));
    assert_eq!(Value::of(&color), Value::I4(Blue.0));
    assert_eq!(Value::of(&text), Value::Bstr("hi!".into()));
    assert_eq!(Value::of(&any), Value::I4(99));
    assert_eq!(Value::of(&out_disp), Value::Dispatch(raw(Some(&reply))));
    assert_eq!(Value::of(&out_unk), Value::Unknown(0));
    // The handler's IDualPeer, sent back as the IDispatch it derives from.
    assert_eq!(Value::of(&out_dual), Value::Dispatch(raw(Some(&reply))));
    assert_eq!(elements::<i32>(numbers), [1, 2, 3]);
    destroy(numbers);
}

#[test]
fn get_ids_of_names_knows_events_and_parameters() {
    enter_mta().unwrap();
    let (sink, _, _) = sink();
    let ids = |names: &[PCWSTR]| {
        let mut ids = vec![0; names.len()];
        // SAFETY: `names` and `ids` have the same length and outlive the call.
        let hr = unsafe {
            (sink.vtable().GetIDsOfNames)(
                sink.as_raw(),
                &GUID::zeroed(),
                names.as_ptr(),
                names.len() as u32,
                0,
                ids.as_mut_ptr(),
            )
        };
        (hr, ids)
    };
    assert_eq!(ids(&[w!("outs")]), (S_OK, vec![OUTS]));
    assert_eq!(ids(&[w!("NEGATIVE")]), (S_OK, vec![NEGATIVE]));
    // Parameters are numbered by position.
    let (hr, renamed) = ids(&[w!("Renamed"), w!("type"), w!("HANDLER")]);
    assert_eq!((hr, &renamed[1..]), (S_OK, &[0, 2][..]));
    assert_eq!(renamed[0], 0x6000_0005, "MIDL numbers the sixth method");
    assert_eq!(
        ids(&[w!("Nope")]),
        (DISP_E_UNKNOWNNAME, vec![DISPID_UNKNOWN])
    );
    assert_eq!(
        ids(&[w!("Ints"), w!("zz")]),
        (DISP_E_UNKNOWNNAME, vec![INTS, DISPID_UNKNOWN])
    );
}

#[test]
fn a_dual_sink_answers_invoke_by_dispid() {
    enter_mta().unwrap();
    let (handler, heard) = Handler::new();
    let sink = IDualEvents::from(IDualEventsSink(handler));
    let dispatch: IDispatch = sink.cast().unwrap();
    assert_eq!(dispatch.as_raw(), sink.as_raw());
    let mut args = [VARIANT::from(3), VARIANT::from(BSTR::from("note"))];
    assert_eq!(invoke(&dispatch, 1, &mut args).0, S_OK);
    let mut value = 8;
    assert_eq!(
        invoke(&dispatch, 2, &mut [by_ref(VT_I4, &mut value)]).0,
        S_OK
    );
    assert_eq!(value, -8);
    // Through Invoke, the optional ones may be left out.
    assert_eq!(invoke(&dispatch, 3, &mut [VARIANT::from(4)]).0, S_OK);
    assert_eq!(invoke(&dispatch, 4, &mut []).0, DISP_E_MEMBERNOTFOUND);
    assert_eq!(
        *lock(&heard),
        [
            Heard::Ping(3, "note".into()),
            Heard::Swap(8),
            Heard::Tagged(4, None, None),
        ]
    );
}
