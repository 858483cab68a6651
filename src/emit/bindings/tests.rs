use std::path::Path;

use super::render;
use crate::model::{self, Model};

fn load(path: &Path, include_dirs: Vec<std::path::PathBuf>) -> Model {
    let options = model::Options {
        preprocess: crate::preprocess::Options {
            include_dirs,
            ..Default::default()
        },
        ..Default::default()
    };
    model::load(path, &options).unwrap_or_else(|e| panic!("{}", e.render_plain()))
}

fn clock() -> Model {
    load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/clock.idl"),
        Vec::new(),
    )
}

/// The model of an IDL text written to a temporary file.
fn idl(text: &str) -> Model {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("test.idl");
    std::fs::write(&path, text).unwrap();
    load(&path, Vec::new())
}

/// `text` with all whitespace and the trailing commas of argument lists removed, so assertions
/// do not depend on layout: the renderer returns windows-bindgen's tokens unformatted.
fn squeeze(text: &str) -> String {
    text.split_whitespace()
        .collect::<String>()
        .replace(",)", ")")
}

#[test]
fn clock_renders_like_the_windows_crate() {
    let out = squeeze(&render(&clock()).unwrap());
    for expected in [
        // The dual interface: IDispatch as base, properties as the windows crate names them.
        "windows_core::imp::define_interface!(IClock,IClock_Vtbl,0x6f1a2b3c_4d5e_4f60_8172_93a4b5c6d7e9);",
        "pubtraitIClock_Impl:windows::Win32::System::Com::IDispatch_Impl{",
        "fnSeconds(&self)->windows_core::Result<i32>;",
        "fnSetSeconds(&self,seconds:i32)->windows_core::Result<()>;",
        "fnStart(&self)->windows_core::Result<()>;",
        "fnSetAlarm(&self,label:&windows_core::BSTR,after:i32)->windows_core::Result<()>;",
        "pubbase__:windows::Win32::System::Com::IDispatch_Vtbl,",
        // The custom interface: IUnknown as base, the trailing [out] as the return value.
        "pubstructIClockSink_Vtbl{pubbase__:windows_core::IUnknown_Vtbl,",
        "fnOnTick(&self,seconds:i32,fraction:f64)->windows_core::Result<()>;",
        "fnOnAlarm(&self,label:&windows_core::BSTR,)->windows_core::Result<windows::Win32::Foundation::VARIANT_BOOL>;",
        // The enum, with the value of `Running << 1`.
        "pubstructClockState(pubi32);",
        "pubconstAlarmed:ClockState=ClockState(2i32);",
    ] {
        assert!(
            out.contains(&squeeze(expected)),
            "missing {expected} in\n{out}"
        );
    }
    assert!(
        !out.contains("DClockEvents"),
        "dispinterfaces are not rendered here"
    );
}

#[test]
fn same_model_same_bytes() {
    let model = clock();
    assert_eq!(render(&model).unwrap(), render(&model).unwrap());
}

#[test]
fn exdisp_from_wine_renders_with_sdk_types() {
    let wine = Path::new("/usr/include/wine/wine/windows");
    if !wine.join("exdisp.idl").is_file() {
        eprintln!("SKIPPED: Wine's IDL files are not installed (apt-get install libwine-dev)");
        return;
    }
    let model = load(&wine.join("exdisp.idl"), vec![wine.into(), wine.join("..")]);
    let out = squeeze(&render(&model).unwrap());
    for expected in [
        "pubtraitIWebBrowser2_Impl:IWebBrowserApp_Impl{",
        "fnQueryStatusWB(&self,cmdid:windows::Win32::System::Ole::OLECMDID,)->windows_core::Result<windows::Win32::System::Ole::OLECMDF>;",
        "fnHWND(&self)->windows_core::Result<windows::Win32::Foundation::SHANDLE_PTR>;",
        "fnReadyState(&self)->windows_core::Result<windows::Win32::System::Ole::READYSTATE>;",
        "pubstructBrowserNavConstants(pubi32);",
    ] {
        assert!(out.contains(&squeeze(expected)), "missing {expected}");
    }
}

#[test]
fn unrenderable_parameter_is_named() {
    let model = idl(r#"
        [object, uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7f1)]
        interface IShapes : IUnknown
        {
            HRESULT Draw([in] long count, [in] struct Point *points);
        };
    "#);
    let error = render(&model).unwrap_err();
    assert_eq!(
        error.message(),
        "interface `IShapes`: method `Draw`, parameter `points`: \
         `struct Point` is not defined (with its fields) in the input"
    );
}

#[test]
fn structs_and_unions_render_as_the_windows_crate_has_them() {
    let model = idl(r#"
        typedef struct tagPoint { long x; long y; BYTE tag[4]; } Point;
        typedef struct { double w; double h; } SIZE2;
        union Number { long l; double d; };
        [object, uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7f3)]
        interface IShapes : IUnknown
        {
            HRESULT Draw([in] Point *at, [in] SIZE2 size, [in] union Number n,
                         [out, retval] struct tagPoint *end);
        };
    "#);
    let out = squeeze(&render(&model).unwrap());
    for expected in [
        "pubstructtagPoint{pubx:i32,puby:i32,pubtag:[u8;4],}",
        "pubstructSIZE2{pubw:f64,pubh:f64,}",
        "pubunionNumber{publ:i32,pubd:f64,}",
        "fnDraw(&self,at:*consttagPoint,size:&SIZE2,n:&Number,)->windows_core::Result<tagPoint>;",
    ] {
        assert!(
            out.contains(&squeeze(expected)),
            "missing {expected} in {out}"
        );
    }
}

#[test]
fn unknown_type_is_an_error_not_a_guess() {
    let model = idl(r#"
        [object, uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7f2)]
        interface IOdd : IUnknown
        {
            HRESULT Get([out, retval] MYSTERY *value);
        };
    "#);
    let message = render(&model).unwrap_err().message().to_string();
    assert!(
        message.starts_with("interface `IOdd`: method `Get`, parameter `value`: type `MYSTERY`"),
        "{message}"
    );
}

#[test]
fn a_coclass_used_as_a_type_is_its_default_interface() {
    let model = idl(r#"
        [object, uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7f4)]
        interface IPresentation : IUnknown { HRESULT Show(); };
        [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7f5)]
        coclass Presentation { [default] interface IPresentation; };
        [object, uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7f6)]
        interface IApplication : IUnknown
        {
            [propget] HRESULT ActivePresentation([out, retval] Presentation **value);
        };
    "#);
    let out = squeeze(&render(&model).unwrap());
    let expected = "fnActivePresentation(&self)->windows_core::Result<IPresentation>;";
    assert!(
        out.contains(&squeeze(expected)),
        "missing {expected} in {out}"
    );
}

#[test]
fn a_bit_field_is_refused_not_widened() {
    let model = idl(r#"
        struct Flags { long a : 3; long b; };
        [object, uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7f7)]
        interface IFlags : IUnknown { HRESULT Set([in] struct Flags f); };
    "#);
    let message = render(&model).unwrap_err().message().to_string();
    assert_eq!(
        message,
        "struct `Flags`: field `a`: bit-fields have no binding"
    );
}
