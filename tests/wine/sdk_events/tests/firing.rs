//! Generated connection points of SDK coclasses, driven under Wine: exdisp's `WebBrowser`
//! fires through the windows crate's own `DWebBrowserEvents2` (the SDK type cpgen reuses
//! rather than generating), mshtml's `HTMLDocument` through the dispinterface types cpgen
//! generates (the windows crate 0.62 has no mshtml).
#![deny(warnings)]

use cpgen_wine_support::Calls;

use cpgen_sdk_events::{exdisp, mshtml};
use windows::Win32::Foundation::{VARIANT_FALSE, VARIANT_TRUE};
use windows::Win32::System::Com::{
    COINIT_MULTITHREADED, CoInitializeEx, DISPATCH_FLAGS, DISPPARAMS, EXCEPINFO, IConnectionPoint,
    IConnectionPointContainer, IConnectionPointContainer_Impl, IDispatch, IDispatch_Impl,
    IEnumConnectionPoints,
};
use windows::Win32::System::Variant::{
    VARENUM, VARIANT, VT_BOOL, VT_BSTR, VT_BYREF, VT_DISPATCH, VT_VARIANT,
};
use windows::Win32::UI::Shell::{DWebBrowserEvents2, DWebBrowserEvents2_Impl};
use windows_core::{BSTR, ComObject, GUID, IUnknown, IUnknownImpl, Interface, Result, implement};

/// What a sink saw of one Invoke: the DISPID and each argument's VARIANT type, in DISPPARAMS
/// order (last parameter first).
#[derive(Debug, Clone, PartialEq)]
struct Call {
    dispid: i32,
    types: Vec<VARENUM>,
}

#[implement(DWebBrowserEvents2, mshtml::HTMLDocumentEvents2)]
struct Sink {
    calls: Calls<Call>,
}

impl DWebBrowserEvents2_Impl for Sink_Impl {}
impl mshtml::HTMLDocumentEvents2_Impl for Sink_Impl {}

impl IDispatch_Impl for Sink_Impl {
    cpgen_wine_support::dispatch_without_type_info!();
    fn Invoke(
        &self,
        dispid: i32,
        _: *const GUID,
        _: u32,
        _: DISPATCH_FLAGS,
        params: *const DISPPARAMS,
        _: *mut VARIANT,
        _: *mut EXCEPINFO,
        _: *mut u32,
    ) -> Result<()> {
        // SAFETY: COM hands a live DISPPARAMS with cArgs VARIANTs.
        let params = unsafe { &*params };
        let args = (0..params.cArgs as usize).map(|i| unsafe { &*params.rgvarg.add(i) });
        let mut types = Vec::new();
        for arg in args {
            types.push(arg.vt());
            if arg.vt() == VARENUM(VT_BOOL.0 | VT_BYREF.0) {
                // SAFETY: a by-reference VARIANT_BOOL points at the firing side's value.
                unsafe {
                    let target = arg.Anonymous.Anonymous.Anonymous.pboolVal;
                    *target = VARIANT_TRUE;
                }
            }
        }
        self.calls.record(Call { dispid, types });
        Ok(())
    }
}

#[implement(IConnectionPointContainer)]
struct Browser(exdisp::WebBrowserConnectionPoints);

impl IConnectionPointContainer_Impl for Browser_Impl {
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        self.0.enum_connection_points(&self.to_interface())
    }
    fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
        self.0.find_connection_point(&self.to_interface(), riid)
    }
}

#[implement(IConnectionPointContainer)]
struct Document(mshtml::HTMLDocumentConnectionPoints);

impl IConnectionPointContainer_Impl for Document_Impl {
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        self.0.enum_connection_points(&self.to_interface())
    }
    fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
        self.0.find_connection_point(&self.to_interface(), riid)
    }
}

fn enter_mta() {
    // SAFETY: plain COM initialisation of the test's thread.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }
        .ok()
        .unwrap();
}

fn by_ref(tag: VARENUM) -> VARENUM {
    VARENUM(tag.0 | VT_BYREF.0)
}

#[test]
fn web_browser_fires_before_navigate2_through_the_windows_crate_sink_type() -> Result<()> {
    enter_mta();
    let browser = ComObject::new(Browser(exdisp::WebBrowserConnectionPoints::new()));
    let container: IConnectionPointContainer = browser.to_interface();
    let sink = ComObject::new(Sink {
        calls: Calls::default(),
    });
    // SAFETY: the GUID outlives the call.
    let point = unsafe { container.FindConnectionPoint(&DWebBrowserEvents2::IID)? };
    let unknown: IUnknown = sink.to_interface();
    // SAFETY: a live sink.
    let cookie = unsafe { point.Advise(&unknown)? };

    let url = VARIANT::from(BSTR::from("https://example.org/"));
    let empty = VARIANT::default();
    let mut cancel = VARIANT_FALSE;
    browser.0.DWebBrowserEvents2.Fire_BeforeNavigate2(
        None::<&IDispatch>,
        &url,
        &empty,
        &empty,
        &empty,
        &empty,
        &mut cancel,
    )?;
    browser
        .0
        .DWebBrowserEvents2
        .Fire_StatusTextChange(&BSTR::from("done"))?;
    // The old DWebBrowserEvents point exists too, with no sinks: firing reaches nobody.
    browser
        .0
        .DWebBrowserEvents
        .Fire_StatusTextChange(&BSTR::from("nobody"))?;

    assert_eq!(
        cancel, VARIANT_TRUE,
        "the sink's write comes back through Cancel"
    );
    let calls = sink.calls.seen();
    let in_variant = by_ref(VT_VARIANT);
    assert_eq!(
        calls,
        [
            Call {
                dispid: 250,
                types: vec![
                    by_ref(VT_BOOL),
                    in_variant,
                    in_variant,
                    in_variant,
                    in_variant,
                    in_variant,
                    VT_DISPATCH,
                ],
            },
            Call {
                dispid: 102,
                types: vec![VT_BSTR],
            },
        ]
    );
    // SAFETY: the cookie Advise returned.
    unsafe { point.Unadvise(cookie)? };
    Ok(())
}

#[test]
fn html_document_fires_through_generated_dispinterfaces() -> Result<()> {
    enter_mta();
    let document = ComObject::new(Document(mshtml::HTMLDocumentConnectionPoints::new()));
    let container: IConnectionPointContainer = document.to_interface();
    // SAFETY: no out-of-band arguments.
    let points = unsafe { container.EnumConnectionPoints()? };
    let mut found = [None, None];
    let mut fetched = 0;
    // SAFETY: room for two.
    unsafe { points.Next(&mut found, &mut fetched) }.ok()?;
    assert_eq!(fetched, 2, "HTMLDocumentEvents and HTMLDocumentEvents2");

    let sink = ComObject::new(Sink {
        calls: Calls::default(),
    });
    // SAFETY: the GUID outlives the call.
    let point = unsafe { container.FindConnectionPoint(&mshtml::DIID_HTMLDocumentEvents2)? };
    let unknown: IUnknown = sink.to_interface();
    // SAFETY: a live sink.
    unsafe { point.Advise(&unknown)? };
    // `VARIANT_BOOL onclick([in] IHTMLEventObj* pEvtObj)`: an IDispatch-derived interface,
    // sent as VT_DISPATCH.
    document.0.HTMLDocumentEvents2.Fire_onclick(None)?;
    let calls = sink.calls.seen();
    assert_eq!(
        calls,
        [Call {
            dispid: -600,
            types: vec![VT_DISPATCH],
        }]
    );
    Ok(())
}
