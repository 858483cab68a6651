//! A typed sink's handler error as a client reads it: `DISP_E_EXCEPTION` with `EXCEPINFO`
//! filled when the caller passed one, the handler's HRESULT when not; and back into an error
//! carrying the text on the source side (`dispatch::invoke`, what every `Fire_` calls).

use std::mem::ManuallyDrop;

use cpgen_runtime::dispatch::{self, EventArg};
use cpgen_runtime::receive::{self, Args, Member};
use cpgen_runtime::sink::{Adapter, Object};
use windows::Win32::Foundation::*;
use windows::Win32::System::Com::*;
use windows::Win32::System::Ole::CreateErrorInfo;
use windows_core::*;

/// A sink of one event, `Fail([in] long how)`, whose handler fails: `how` 1 with a bare
/// HRESULT, 2 with an error that names its source and description, 0 not at all.
struct Failing;

impl Adapter for Failing {
    type Interface = IDispatch;
    const VTABLE: &'static IDispatch_Vtbl = &Object::<Self>::DISPATCH;
    const IIDS: &'static [GUID] = &[IDispatch::IID];
}

impl receive::Dispatch for Failing {
    const INTERFACE: &'static str = "DGaugeEvents";
    const MEMBERS: &'static [Member] = &[Member::new("Fail", 1, &["how"])];

    fn invoke(&self, _dispid: i32, args: &Args<'_>) -> Result<()> {
        let how = args.value::<i32>(0)?;
        args.handled(match *how {
            0 => Ok(()),
            1 => Err(Error::from_hresult(E_ABORT)),
            _ => Err(described(E_ABORT, "Gauge.1", "the gauge is stuck")),
        })
    }
}

/// An error with an IErrorInfo, made as COM code makes one (not `Error::new`, whose
/// RoOriginateErrorW aborts under Wine 8).
fn described(code: HRESULT, source: &str, description: &str) -> Error {
    // SAFETY: plain oleaut32 calls; the strings outlive them.
    unsafe {
        let info = CreateErrorInfo().unwrap();
        info.SetSource(&HSTRING::from(source)).unwrap();
        info.SetDescription(&HSTRING::from(description)).unwrap();
        SetErrorInfo(0, &info.cast::<IErrorInfo>().unwrap()).unwrap();
    }
    Error::from(code)
}

/// `Invoke(1)` with `how`, with or without an EXCEPINFO: its HRESULT and the EXCEPINFO's
/// (scode, source, description).
fn call(sink: &IDispatch, how: i32, with_exception: bool) -> (HRESULT, i32, String, String) {
    let mut args = [how.into_variant()];
    let params = DISPPARAMS {
        rgvarg: args.as_mut_ptr(),
        rgdispidNamedArgs: std::ptr::null_mut(),
        cArgs: 1,
        cNamedArgs: 0,
    };
    let mut exception = EXCEPINFO::default();
    // SAFETY: every pointer outlives the call.
    let result = unsafe {
        sink.Invoke(
            1,
            &GUID::zeroed(),
            0,
            DISPATCH_METHOD,
            &params,
            None,
            with_exception.then_some(&mut exception),
            None,
        )
    };
    let code = result.map_or_else(|e| e.code(), |()| S_OK);
    let source = ManuallyDrop::into_inner(std::mem::take(&mut exception.bstrSource));
    let description = ManuallyDrop::into_inner(std::mem::take(&mut exception.bstrDescription));
    (
        code,
        exception.scode,
        source.to_string(),
        description.to_string(),
    )
}

#[test]
fn a_handlers_error_fills_the_callers_excepinfo() {
    let sink: IDispatch = Object::create(Failing);
    let (code, scode, source, description) = call(&sink, 2, true);
    assert_eq!((code, HRESULT(scode)), (DISP_E_EXCEPTION, E_ABORT));
    assert_eq!(
        (source.as_str(), description.as_str()),
        ("Gauge.1", "the gauge is stuck")
    );
    // An error that names no source: the interface's name, and the HRESULT's own message.
    let (code, scode, source, description) = call(&sink, 1, true);
    assert_eq!((code, HRESULT(scode)), (DISP_E_EXCEPTION, E_ABORT));
    assert_eq!(source, "DGaugeEvents");
    assert_eq!(description, Error::from_hresult(E_ABORT).message());
    // Without an EXCEPINFO: the handler's HRESULT itself.
    assert_eq!(call(&sink, 2, false).0, E_ABORT);
    // Success, and Invoke's own errors, are not exceptions.
    assert_eq!(call(&sink, 0, true).0, S_OK);
    let mut none = [];
    let params = DISPPARAMS {
        rgvarg: none.as_mut_ptr(),
        ..DISPPARAMS::default()
    };
    let mut exception = EXCEPINFO::default();
    // SAFETY: every pointer outlives the call.
    let count = unsafe {
        sink.Invoke(
            1,
            &GUID::zeroed(),
            0,
            DISPATCH_METHOD,
            &params,
            None,
            Some(&mut exception),
            None,
        )
    };
    assert_eq!(count.unwrap_err().code(), DISP_E_BADPARAMCOUNT);
    assert_eq!(exception.scode, 0);
}

#[test]
fn the_source_gets_the_handlers_error_back_with_its_text() {
    let sink: IDispatch = Object::create(Failing);
    // What a Fire_ method does with each sink.
    let error = dispatch::invoke(&sink, 1, &mut [2.into_variant()]).unwrap_err();
    assert_eq!(error.code(), E_ABORT);
    assert_eq!(error.message(), "the gauge is stuck");
    let error = dispatch::invoke(&sink, 1, &mut [1.into_variant()]).unwrap_err();
    assert_eq!(error.code(), E_ABORT);
    assert_eq!(error.message(), Error::from_hresult(E_ABORT).message());
    dispatch::invoke(&sink, 1, &mut [0.into_variant()]).unwrap();
}
