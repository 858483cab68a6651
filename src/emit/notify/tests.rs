use std::path::Path;

use super::super::{Options, generate};

fn gauge(property_notify: bool, coclass: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/notify.idl");
    let model = crate::load(&path, &Default::default()).unwrap();
    let options = Options {
        coclasses: vec![coclass.into()],
        module: "t_idl".into(),
        property_notify,
        ..Default::default()
    };
    squeeze(&generate(&model, &options).unwrap().code)
}

/// The code without whitespace and trailing commas.
fn squeeze(code: &str) -> String {
    let code: String = code.split_whitespace().collect();
    code.replace(",)", ")").replace(",]", "]")
}

#[test]
fn a_coclass_gets_the_connection_point_on_request() {
    let plain = gauge(false, "Gauge");
    // No connection point (the type library still describes the interface, which another
    // coclass of the library lists).
    assert!(!plain.contains("IPropertyNotifySinkProxy"), "{plain}");
    let code = gauge(true, "Gauge");
    for expected in [
        "pubIPropertyNotifySink:IPropertyNotifySinkProxy,",
        "ifiid==<windows::Win32::System::Ole::IPropertyNotifySinkaswindows_core::Interface>::IID{\
         returnOk(self.IPropertyNotifySink.0.connection_point(container));}",
        "self.DGaugeEvents.0.connection_point(container),\
         self.IPropertyNotifySink.0.connection_point(container)])",
        // The typed sink of the interface comes with it.
        "pubtraitIPropertyNotifySinkHandler",
    ] {
        assert!(code.contains(expected), "{expected} not in {code}");
    }
}

#[test]
fn bindable_and_requestedit_properties_get_their_methods() {
    // Meter lists IPropertyNotifySink itself: no flag needed.
    let code = gauge(false, "Meter");
    for expected in [
        "pubconstDISPID_Level:i32=1;",
        "pubconstDISPID_Locked:i32=2;",
        "pubconstDISPID_Unit:i32=3;",
        "pubconstDISPID_Caption:i32=-518;",
        "pubfnchanged(&self,dispid:i32)->windows_core::Result<()>{\
         self.IPropertyNotifySink.Fire_OnChanged(dispid)}",
        "pubfnrequest_edit(&self,dispid:i32)->windows_core::Result<bool>{\
         cpgen_runtime::property_notify::request_edit(&self.IPropertyNotifySink.0,dispid)}",
        "pubfnLevel_changed(&self)->windows_core::Result<()>{self.changed(Self::DISPID_Level)}",
        "pubfnLocked_request_edit(&self)->windows_core::Result<bool>{\
         self.request_edit(Self::DISPID_Locked)}",
        "pubfnUnit_changed(",
        "pubfnUnit_request_edit(",
        "pubfnCaption_changed(",
    ] {
        assert!(code.contains(expected), "{expected} not in {code}");
    }
    for absent in [
        "Level_request_edit",
        "Locked_changed",
        "DISPID_Plain",
        "Caption_request_edit",
    ] {
        assert!(!code.contains(absent), "{absent} in {code}");
    }
    // The listed source is not added twice.
    assert_eq!(code.matches("pubIPropertyNotifySink:").count(), 1);
}

#[test]
fn the_sink_interface_is_declared_when_the_input_does_not_import_it() {
    let dir = tempfile::tempdir().unwrap();
    let idl = dir.path().join("t.idl");
    std::fs::write(
        &idl,
        r#"
        [uuid(3c0e6a51-2b7d-4e1f-9a60-5d8f0c2b1a11)] library L {
            [uuid(3c0e6a51-2b7d-4e1f-9a60-5d8f0c2b1a12)]
            dispinterface DProps {
                properties: [id(7), bindable, requestedit] long Size;
                methods: [id(1)] void Resized();
            };
            [uuid(3c0e6a51-2b7d-4e1f-9a60-5d8f0c2b1a13)]
            coclass C { [default] dispinterface DProps; [default, source] dispinterface DProps; };
        };"#,
    )
    .unwrap();
    let model = crate::load(&idl, &Default::default()).unwrap();
    let options = Options {
        module: "t_idl".into(),
        property_notify: true,
        ..Default::default()
    };
    let code = squeeze(&generate(&model, &options).unwrap().code);
    for expected in [
        "pubfnFire_OnChanged(&self,dispID:i32)",
        "pubconstDISPID_Size:i32=7;",
        "pubfnSize_changed(",
        "pubfnSize_request_edit(",
    ] {
        assert!(code.contains(expected), "{expected} not in {code}");
    }
}
