//! Typed sinks of SDK source interfaces: one for the windows crate's own `DWebBrowserEvents2`
//! receives what the generated WebBrowser proxy fires, and one connects, through the generated
//! advise guard, to a connectable object nobody here wrote (Wine's msxml DOMDocument60).
#![deny(warnings)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cpgen_sdk_events::{exdisp, msxml6};
use windows::Win32::Foundation::{VARIANT_BOOL, VARIANT_FALSE, VARIANT_TRUE};
use windows::Win32::System::Com::{
    CLSCTX_INPROC_SERVER, COINIT_MULTITHREADED, CoCreateInstance, CoInitializeEx, IConnectionPoint,
    IConnectionPointContainer, IConnectionPointContainer_Impl, IDispatch, IEnumConnectionPoints,
};
use windows::Win32::System::Variant::{VARIANT, VT_BSTR};
use windows::Win32::UI::Shell::DWebBrowserEvents2;
use windows_core::{BSTR, ComObject, GUID, IUnknown, IUnknownImpl, Interface, Result, implement};

fn enter_mta() {
    // SAFETY: plain COM initialisation of the test's thread.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }
        .ok()
        .unwrap();
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

/// A browser client that reads the URL, cancels every navigation, and counts its drops.
struct Navigations {
    urls: Arc<Mutex<Vec<String>>>,
    drops: Arc<AtomicUsize>,
}

impl Drop for Navigations {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

impl exdisp::DWebBrowserEvents2Handler for Navigations {
    fn BeforeNavigate2(
        &self,
        _disp: Option<&IDispatch>,
        url: &VARIANT,
        _flags: &VARIANT,
        _target: &VARIANT,
        _post_data: &VARIANT,
        _headers: &VARIANT,
        cancel: &mut VARIANT_BOOL,
    ) -> Result<()> {
        let url = if url.vt() == VT_BSTR {
            // SAFETY: a VT_BSTR VARIANT holds a BSTR.
            unsafe { url.Anonymous.Anonymous.Anonymous.bstrVal.to_string() }
        } else {
            format!("a VARIANT of type {}", url.vt().0)
        };
        self.urls.lock().unwrap().push(url);
        *cancel = VARIANT_TRUE;
        Ok(())
    }
}

impl msxml6::XMLDOMDocumentEventsHandler for Navigations {}

fn navigations() -> (Navigations, Arc<Mutex<Vec<String>>>, Arc<AtomicUsize>) {
    let (urls, drops) = (Arc::default(), Arc::default());
    let handler = Navigations {
        urls: Arc::clone(&urls),
        drops: Arc::clone(&drops),
    };
    (handler, urls, drops)
}

#[test]
fn a_typed_sink_of_a_windows_crate_interface_receives_the_generated_proxys_events() -> Result<()> {
    enter_mta();
    let browser = ComObject::new(Browser(exdisp::WebBrowserConnectionPoints::new()));
    let (handler, urls, drops) = navigations();
    let connection = exdisp::DWebBrowserEvents2Sink::advise(&browser.to_interface(), handler)?;
    // SAFETY: plain COM call.
    assert_eq!(
        unsafe { connection.point().GetConnectionInterface()? },
        DWebBrowserEvents2::IID
    );
    let url = VARIANT::from(BSTR::from("https://example.org/"));
    let empty = VARIANT::default();
    let mut cancel = VARIANT_FALSE;
    browser.0.DWebBrowserEvents2.Fire_BeforeNavigate2(
        None,
        &url,
        &empty,
        &empty,
        &empty,
        &empty,
        &mut cancel,
    )?;
    // Events the handler does not implement answer Ok.
    browser
        .0
        .DWebBrowserEvents2
        .Fire_StatusTextChange(&BSTR::from("done"))?;
    assert_eq!(cancel, VARIANT_TRUE);
    assert_eq!(*urls.lock().unwrap(), ["https://example.org/"]);
    drop(connection);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    Ok(())
}

#[test]
fn the_advise_guard_works_with_wines_own_connectable_objects() -> Result<()> {
    enter_mta();
    // SAFETY: a registered in-process class, created with no outer object.
    let document: IUnknown =
        unsafe { CoCreateInstance(&msxml6::CLSID_DOMDocument60, None, CLSCTX_INPROC_SERVER)? };
    let (handler, _, drops) = navigations();
    let connection = msxml6::XMLDOMDocumentEventsSink::advise(&document, handler)?;
    // SAFETY: plain COM call.
    let interface = unsafe { connection.point().GetConnectionInterface()? };
    assert_eq!(interface, msxml6::DIID_XMLDOMDocumentEvents);
    // Wine's document holds the sink while connected, and lets it go when the guard drops.
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(connection);
    assert_eq!(drops.load(Ordering::SeqCst), 1, "Wine still holds the sink");
    Ok(())
}
