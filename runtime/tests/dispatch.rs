//! Dispinterface events both ways: `dispatch` packs `Fire_` arguments and calls `Invoke`;
//! a typed sink built on `sink::Object` and `receive` unpacks them, converting and writing
//! back as COM specifies.

use std::sync::Mutex;

use cpgen_runtime::dispatch::{self, EventArg};
use cpgen_runtime::receive::{self, Args, Member};
use cpgen_runtime::sink::{self, Adapter, Object};
use windows::Win32::Foundation::*;
use windows::Win32::System::Com::*;
use windows::Win32::System::Variant::*;
use windows_core::*;

/// A typed sink of a two-event dispinterface: `Count([in] long n)` and
/// `Ask([in] BSTR question, [in, out] VARIANT_BOOL* answer)`.
struct Recorder {
    seen: Mutex<Vec<String>>,
}

impl Adapter for Recorder {
    type Interface = IDispatch;
    const VTABLE: &'static IDispatch_Vtbl = &Object::<Self>::DISPATCH;
    const IIDS: &'static [GUID] = &[IDispatch::IID];
}

impl receive::Dispatch for Recorder {
    const INTERFACE: &'static str = "DRecorded";
    const MEMBERS: &'static [Member] = &[
        Member::new("Count", 1, &["n"]),
        Member::new("Ask", 2, &["question", "answer"]),
    ];

    fn invoke(&self, dispid: i32, args: &Args<'_>) -> Result<()> {
        match dispid {
            1 => {
                let n = args.value::<i32>(0)?;
                self.seen.lock().unwrap().push(format!("Count({})", *n));
                Ok(())
            }
            2 => {
                let question = args.value::<BSTR>(0)?;
                let mut answer = args.by_ref::<VARIANT_BOOL>(1)?;
                self.seen
                    .lock()
                    .unwrap()
                    .push(format!("Ask({})", *question));
                *answer = VARIANT_TRUE;
                answer.finish();
                Ok(())
            }
            _ => Err(receive::member_not_found()),
        }
    }
}

fn recorder() -> (IDispatch, &'static Recorder) {
    let sink = Object::create(Recorder {
        seen: Mutex::new(Vec::new()),
    });
    // SAFETY: `sink` is a live object made for `Recorder`, kept alive by the test (leaked).
    let adapter = unsafe { Object::<Recorder>::adapter(sink.as_raw()) };
    std::mem::forget(sink.clone());
    (sink, adapter)
}

#[test]
fn fired_arguments_reach_the_sink_and_by_reference_results_come_back() {
    let (sink, recorder) = recorder();
    let mut answer = VARIANT_FALSE;
    let question = BSTR::from("ready?");
    let mut args = [
        dispatch::by_ref(VT_BOOL.0, &mut answer),
        (&question).into_variant(),
    ];
    dispatch::invoke(&sink, 2, &mut args).unwrap();
    drop(args);
    assert_eq!(answer, VARIANT_TRUE);
    dispatch::invoke(&sink, 1, &mut [41.into_variant()]).unwrap();
    assert_eq!(*recorder.seen.lock().unwrap(), ["Ask(ready?)", "Count(41)"]);
    let unknown = dispatch::invoke(&sink, 3, &mut []);
    assert_eq!(unknown.unwrap_err().code(), DISP_E_MEMBERNOTFOUND);
}

/// `Invoke` as another source calls it, with hand-built DISPPARAMS; its result and `puArgErr`.
fn invoke(sink: &IDispatch, dispid: i32, args: &mut [VARIANT]) -> (Result<()>, u32) {
    let params = DISPPARAMS {
        rgvarg: args.as_mut_ptr(),
        rgdispidNamedArgs: std::ptr::null_mut(),
        cArgs: args.len() as u32,
        cNamedArgs: 0,
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
    (result, arg_err)
}

#[test]
fn invoke_converts_what_converts_and_refuses_the_rest() {
    let (sink, recorder) = recorder();
    // A string for a long converts.
    assert!(
        invoke(&sink, 1, &mut [VARIANT::from(BSTR::from("12"))])
            .0
            .is_ok()
    );
    // A by-value VARIANT cannot carry a result back: index 0 in DISPPARAMS is the last one.
    let (refused, arg_err) = invoke(
        &sink,
        2,
        &mut [VARIANT::from(true), VARIANT::from(BSTR::from("q"))],
    );
    assert_eq!(
        (refused.unwrap_err().code(), arg_err),
        (DISP_E_TYPEMISMATCH, 0)
    );
    // VT_VARIANT | VT_BYREF to a VARIANT of another type: converted, and written back.
    let mut target = VARIANT::from(0i32);
    let by_ref = dispatch::by_ref(VT_VARIANT.0, &mut target);
    let (done, _) = invoke(&sink, 2, &mut [by_ref, VARIANT::from(BSTR::from("q"))]);
    done.unwrap();
    // SAFETY: reading the tag, then the field it names.
    unsafe {
        let written = &target.Anonymous.Anonymous;
        assert_eq!(
            (written.vt, written.Anonymous.boolVal),
            (VT_BOOL, VARIANT_TRUE)
        );
    }
    let (count, _) = invoke(&sink, 1, &mut []);
    assert_eq!(count.unwrap_err().code(), DISP_E_BADPARAMCOUNT);
    assert_eq!(*recorder.seen.lock().unwrap(), ["Count(12)", "Ask(q)"]);
}

#[test]
fn get_ids_of_names_knows_events_and_parameters() {
    let (sink, _) = recorder();
    let names = [w!("ask"), w!("ANSWER")];
    let mut ids = [0; 2];
    // SAFETY: the arrays outlive the call.
    unsafe { sink.GetIDsOfNames(&GUID::zeroed(), names.as_ptr(), 2, 0, ids.as_mut_ptr()) }.unwrap();
    assert_eq!(ids, [2, 1]);
    // SAFETY: a plain COM call.
    assert_eq!(unsafe { sink.GetTypeInfoCount() }.unwrap(), 0);
    let borrowed = sink::call(|| Err(Error::from_hresult(E_FAIL)));
    assert_eq!(borrowed, E_FAIL);
}

/// An object that says when it is gone.
#[implement(IPersist)]
struct Watched(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl IPersist_Impl for Watched_Impl {
    fn GetClassID(&self) -> Result<GUID> {
        Ok(GUID::zeroed())
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A sink that answers every event with an interface, as a sink may although events are `void`.
#[implement(IDispatch)]
struct Answering(IUnknown);

impl IDispatch_Impl for Answering_Impl {
    fn GetTypeInfoCount(&self) -> Result<u32> {
        Ok(0)
    }
    fn GetTypeInfo(&self, _: u32, _: u32) -> Result<ITypeInfo> {
        Err(E_NOTIMPL.into())
    }
    fn GetIDsOfNames(
        &self,
        _: *const GUID,
        _: *const PCWSTR,
        _: u32,
        _: u32,
        _: *mut i32,
    ) -> Result<()> {
        Err(E_NOTIMPL.into())
    }
    fn Invoke(
        &self,
        _: i32,
        _: *const GUID,
        _: u32,
        _: DISPATCH_FLAGS,
        _: *const DISPPARAMS,
        result: *mut VARIANT,
        _: *mut EXCEPINFO,
        _: *mut u32,
    ) -> Result<()> {
        // SAFETY: the caller passed an empty result VARIANT to fill; the answer holds a
        // reference of its own.
        unsafe { std::ptr::write(result, Some(&self.0).into_variant()) };
        Ok(())
    }
}

#[test]
fn what_a_sink_answers_an_event_with_is_freed() {
    let gone = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watched: IUnknown = Watched(gone.clone()).into();
    let sink: IDispatch = Answering(watched.clone()).into();
    dispatch::invoke(&sink, 1, &mut [1.into_variant()]).unwrap();
    drop(sink);
    drop(watched);
    assert!(
        gone.load(std::sync::atomic::Ordering::SeqCst),
        "the answer's reference was kept: the result VARIANT was not cleared"
    );
}
