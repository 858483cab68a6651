//! A typed sink takes every call a real source makes (fixtures/notify.idl's
//! `Reading([in] long level, [in, defaultvalue(10)] long scale, [in, defaultvalue("V")] BSTR
//! unit, [in, optional] VARIANT note)`): trailing arguments left out or sent as `VT_ERROR` with
//! `DISP_E_PARAMNOTFOUND` become their defaults, named arguments land where their DISPIDs say
//! in any order, and what names no parameter is `DISP_E_PARAMNOTFOUND` with `puArgErr`; by hand
//! and through oleaut32's `DispInvoke` and `ITypeInfo::Invoke`. `Sample([in] long level, [in,
//! optional] long count, [in, optional] BSTR label, [in, optional] IUnknown *from)` has
//! optional parameters without a default: the handler gets `None` for one the caller left out.

use std::sync::{Arc, Mutex};

use cpgen_clock_events::notify::{DGaugeEvents, DGaugeEventsHandler, DGaugeEventsSink};
use windows::Win32::Foundation::{
    DISP_E_BADPARAMCOUNT, DISP_E_PARAMNOTFOUND, DISP_E_TYPEMISMATCH, S_OK,
};
use windows::Win32::System::Com::{DISPATCH_METHOD, DISPPARAMS, IDispatch};
use windows::Win32::System::Ole::DispInvoke;
use windows::Win32::System::Variant::{VARIANT, VT_ERROR, VT_I4};
use windows_core::{BSTR, GUID, HRESULT, IUnknown, Interface, Result, w};

use crate::support::{enter_mta, lock};

/// What the handler got: level, scale, unit and the note as (VT, scode or lVal).
type Reading = (i32, i32, String, (u16, i32));

/// What the handler got of a `Sample`: level, count, label and whether `from` was there.
type Sample = (i32, Option<i32>, Option<String>, bool);

#[derive(Clone, Default)]
struct Gauge(Arc<Mutex<Vec<Reading>>>, Arc<Mutex<Vec<Sample>>>);

impl DGaugeEventsHandler for Gauge {
    fn Reading(&self, level: i32, scale: i32, unit: &BSTR, note: &VARIANT) -> Result<()> {
        // SAFETY: the tag, then the field it names (scode and lVal share their place).
        let note = unsafe {
            let inner = &note.Anonymous.Anonymous;
            (inner.vt.0, inner.Anonymous.lVal)
        };
        lock(&self.0).push((level, scale, unit.to_string(), note));
        Ok(())
    }
    fn Sample(
        &self,
        level: i32,
        count: Option<i32>,
        label: Option<&BSTR>,
        from: Option<&IUnknown>,
    ) -> Result<()> {
        let sample = (level, count, label.map(BSTR::to_string), from.is_some());
        lock(&self.1).push(sample);
        Ok(())
    }
}

fn sink() -> (IDispatch, Gauge) {
    let gauge = Gauge::default();
    let sink = DGaugeEvents::from(DGaugeEventsSink(gauge.clone()));
    (sink.cast().unwrap(), gauge)
}

fn text(text: &str) -> VARIANT {
    VARIANT::from(BSTR::from(text))
}

fn missing() -> VARIANT {
    cpgen_runtime::receive::param_not_found()
}

/// `Invoke(Reading)` with `args` (DISPPARAMS order: named ones first, then positional ones
/// last first) and the named arguments' DISPIDs: its HRESULT and `puArgErr`.
fn invoke(sink: &IDispatch, args: &mut [VARIANT], named: &mut [i32]) -> (HRESULT, u32) {
    invoke_member(sink, 2, args, named)
}

/// `Invoke(dispid)`, as [`invoke`] does.
fn invoke_member(
    sink: &IDispatch,
    dispid: i32,
    args: &mut [VARIANT],
    named: &mut [i32],
) -> (HRESULT, u32) {
    let params = DISPPARAMS {
        rgvarg: args.as_mut_ptr(),
        rgdispidNamedArgs: named.as_mut_ptr(),
        cArgs: args.len() as u32,
        cNamedArgs: named.len() as u32,
    };
    let mut arg_err = u32::MAX;
    // SAFETY: every pointer outlives the call.
    let result = unsafe {
        sink.Invoke(
            dispid,
            &GUID::zeroed(),
            0,
            DISPATCH_METHOD,
            &params,
            None,
            None,
            Some(&mut arg_err),
        )
    };
    (result.map_or_else(|e| e.code(), |()| S_OK), arg_err)
}

const NOT_FOUND: (u16, i32) = (VT_ERROR.0, DISP_E_PARAMNOTFOUND.0);

#[test]
fn left_out_arguments_get_their_defaults() {
    enter_mta().unwrap();
    let (sink, gauge) = sink();
    let mut all = [VARIANT::from(7), text("mA"), 2.into(), 5.into()];
    assert_eq!(invoke(&sink, &mut all, &mut []).0, S_OK);
    // Fewer arguments: the trailing ones are left out.
    assert_eq!(invoke(&sink, &mut [5.into()], &mut []).0, S_OK);
    assert_eq!(invoke(&sink, &mut [3.into(), 5.into()], &mut []).0, S_OK);
    // VT_ERROR with DISP_E_PARAMNOTFOUND, as VB sends an omitted argument in the middle.
    assert_eq!(
        invoke(&sink, &mut [text("A"), missing(), 5.into()], &mut []).0,
        S_OK
    );
    assert_eq!(
        invoke(&sink, &mut [missing(), missing(), 5.into()], &mut []).0,
        S_OK
    );
    assert_eq!(
        *lock(&gauge.0),
        [
            (5, 2, "mA".into(), (VT_I4.0, 7)),
            (5, 10, "V".into(), NOT_FOUND),
            (5, 3, "V".into(), NOT_FOUND),
            (5, 10, "A".into(), NOT_FOUND),
            (5, 10, "V".into(), NOT_FOUND),
        ]
    );
    // The required one cannot be left out, nor sent as missing; nor can there be too many.
    assert_eq!(invoke(&sink, &mut [], &mut []).0, DISP_E_BADPARAMCOUNT);
    assert_eq!(
        invoke(&sink, &mut [missing()], &mut []),
        (DISP_E_TYPEMISMATCH, 0)
    );
    let mut five = [1.into(), 1.into(), 1.into(), 1.into(), 1.into()];
    assert_eq!(invoke(&sink, &mut five, &mut []).0, DISP_E_BADPARAMCOUNT);
    assert_eq!(lock(&gauge.0).len(), 5);
}

#[test]
fn named_arguments_land_where_their_dispids_say() {
    enter_mta().unwrap();
    let (sink, gauge) = sink();
    // The ids GetIDsOfNames gives, case-insensitively: the event's, then its parameters'.
    let names = [w!("reading"), w!("UNIT"), w!("scale"), w!("level"), w!("note")];
    let mut ids = [0; 5];
    // SAFETY: the arrays outlive the call.
    unsafe { sink.GetIDsOfNames(&GUID::zeroed(), names.as_ptr(), 5, 0, ids.as_mut_ptr()) }
        .unwrap();
    assert_eq!(ids, [2, 2, 1, 0, 3]);
    // level positional, then unit and scale by name, out of order.
    let mut args = [text("A"), 3.into(), 5.into()];
    assert_eq!(invoke(&sink, &mut args, &mut [2, 1]).0, S_OK);
    // Everything by name, the note in the middle, scale left out.
    let mut args = [6.into(), VARIANT::from(9), text("W")];
    assert_eq!(invoke(&sink, &mut args, &mut [0, 3, 2]).0, S_OK);
    assert_eq!(
        *lock(&gauge.0),
        [
            (5, 3, "A".into(), NOT_FOUND),
            (6, 10, "W".into(), (VT_I4.0, 9)),
        ]
    );
    // A name that is no parameter, one that a positional argument already fills, and one
    // given twice: DISP_E_PARAMNOTFOUND, with the named argument's index in puArgErr.
    let args = || [text("A"), 3.into(), 5.into()];
    assert_eq!(
        invoke(&sink, &mut args(), &mut [2, 7]),
        (DISP_E_PARAMNOTFOUND, 1)
    );
    assert_eq!(
        invoke(&sink, &mut args(), &mut [0, 1]),
        (DISP_E_PARAMNOTFOUND, 0)
    );
    assert_eq!(
        invoke(&sink, &mut args(), &mut [2, 2]),
        (DISP_E_PARAMNOTFOUND, 1)
    );
    // A required parameter no argument fills.
    assert_eq!(
        invoke(&sink, &mut [3.into()], &mut [1]).0,
        DISP_E_PARAMNOTFOUND
    );
    // A named argument's type is checked like any other: its own index in puArgErr.
    let mut args = [text("high"), 5.into()];
    assert_eq!(
        invoke(&sink, &mut args, &mut [1]),
        (DISP_E_TYPEMISMATCH, 0)
    );
    assert_eq!(lock(&gauge.0).len(), 2);
}

#[test]
fn oleaut32_calls_with_left_out_and_named_arguments_arrive() {
    enter_mta().unwrap();
    let (sink, gauge) = sink();
    let library = cpgen_clock_events::notify::type_library().unwrap();
    let info = cpgen_runtime::type_library::dispatch_of(&library, &DGaugeEvents::IID).unwrap();
    let mut named = [2];
    let mut args = [text("mV"), 4.into()];
    let mut params = DISPPARAMS {
        rgvarg: args.as_mut_ptr(),
        rgdispidNamedArgs: named.as_mut_ptr(),
        cArgs: 2,
        cNamedArgs: 1,
    };
    let mut arg_err = 0;
    // SAFETY: the sink is the IDispatch the type information describes; every pointer
    // outlives the calls.
    unsafe {
        DispInvoke(
            sink.as_raw(),
            &info,
            2,
            DISPATCH_METHOD.0,
            &mut params,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut arg_err,
        )
        .unwrap();
        let mut short = [VARIANT::from(8)];
        let mut params = DISPPARAMS {
            rgvarg: short.as_mut_ptr(),
            cArgs: 1,
            ..DISPPARAMS::default()
        };
        info.Invoke(
            sink.as_raw(),
            2,
            DISPATCH_METHOD,
            &mut params,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut arg_err,
        )
        .unwrap();
    }
    assert_eq!(
        *lock(&gauge.0),
        [
            (4, 10, "mV".into(), NOT_FOUND),
            (8, 10, "V".into(), NOT_FOUND),
        ]
    );
}

#[test]
fn optional_arguments_without_a_default_arrive_as_options() {
    enter_mta().unwrap();
    let (sink, gauge) = sink();
    let sample = |args: &mut [VARIANT], named: &mut [i32]| invoke_member(&sink, 3, args, named);
    let from = VARIANT::from(IUnknown::from(sink.clone()));
    assert_eq!(sample(&mut [text("x"), 4.into(), 1.into()], &mut []).0, S_OK);
    assert_eq!(sample(&mut [from, text("w"), 9.into(), 0.into()], &mut []).0, S_OK);
    // Left out at the end, sent as missing, or skipped by naming the one after.
    assert_eq!(sample(&mut [2.into()], &mut []).0, S_OK);
    assert_eq!(sample(&mut [text("y"), missing(), 3.into()], &mut []).0, S_OK);
    assert_eq!(sample(&mut [text("z"), 4.into()], &mut [2]).0, S_OK);
    // A value of the wrong type is still refused, with its index.
    assert_eq!(
        sample(&mut [text("many"), 5.into()], &mut []),
        (DISP_E_TYPEMISMATCH, 0)
    );
    // oleaut32, from the built type library, leaving both out.
    let library = cpgen_clock_events::notify::type_library().unwrap();
    let info = cpgen_runtime::type_library::dispatch_of(&library, &DGaugeEvents::IID).unwrap();
    let mut short = [VARIANT::from(6)];
    let mut params = DISPPARAMS {
        rgvarg: short.as_mut_ptr(),
        cArgs: 1,
        ..DISPPARAMS::default()
    };
    let mut arg_err = 0;
    // SAFETY: the sink is the IDispatch the type information describes; every pointer
    // outlives the call.
    unsafe {
        info.Invoke(
            sink.as_raw(),
            3,
            DISPATCH_METHOD,
            &mut params,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut arg_err,
        )
    }
    .unwrap();
    assert_eq!(
        *lock(&gauge.1),
        [
            (1, Some(4), Some("x".into()), false),
            (0, Some(9), Some("w".into()), true),
            (2, None, None, false),
            (3, None, Some("y".into()), false),
            (4, None, Some("z".into()), false),
            (6, None, None, false),
        ]
    );
}
