//! The rendered exdisp.idl interfaces are the SDK's: same IIDs as the
//! windows crate's, same inheritance, and methods shaped like its own.
#![deny(warnings)]

use cpgen_wine_bindings_check::exdisp::{IWebBrowser, IWebBrowser2, IWebBrowserApp};
use windows::Win32::System::Com::IDispatch;
use windows_core::{GUID, Interface};

#[test]
fn iids_are_exdisp_uuids() {
    assert_eq!(
        IWebBrowser2::IID,
        GUID::from_u128(0xd30c1661_cdaf_11d0_8a3e_00c04fc9e26e)
    );
}

#[test]
fn interfaces_derive_like_the_idl() {
    // Compile-time: each interface converts to its bases.
    fn bases(browser: &IWebBrowser2) -> (&IWebBrowserApp, &IWebBrowser, &IDispatch) {
        (browser, browser, browser)
    }
    let _ = bases;
}
