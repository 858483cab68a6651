//! Structs as event parameters (`fixtures/records.idl`), under Wine: a dispinterface sends them
//! as `VT_RECORD` (by value, a copy) and `VT_RECORD | VT_BYREF` (by reference, the caller's
//! struct) with the runtime's `IRecordInfo`; a typed sink receives them and writes back; a
//! hand-written `Invoke` reads them with oleaut32 (`VariantCopy`, `VariantCopyInd`, `GetField`,
//! `PutField`) and with the `IRecordInfo` oleaut32 makes from widl's type library of the same
//! file; the record's description (size, field names, types and offsets) is widl's; a vtable
//! source passes them directly.
#![deny(warnings)]
#![allow(non_snake_case)]

use std::mem::ManuallyDrop;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use cpgen_realworld::RECORDS_WIDL;
use cpgen_realworld::records::{
    DIID_DShapeEvents, DShapeEvents, DShapeEvents_Impl, DShapeEventsHandler, DShapeEventsSink,
    IShapeEventsHandler, IShapeEventsSink, Keyed, Labelled, RECTANGLE, ShapeConnectionPoints,
};
use cpgen_runtime::record::Described;
use windows::Win32::Foundation::{E_NOTIMPL, VARIANT_TRUE};
use windows::Win32::System::Com::{
    COINIT_MULTITHREADED, CoInitializeEx, DISPATCH_FLAGS, DISPPARAMS, EXCEPINFO, IConnectionPoint,
    IConnectionPointContainer, IConnectionPointContainer_Impl, IDispatch_Impl,
    IEnumConnectionPoints, ITypeInfo, ITypeLib, TKIND_RECORD,
};
use windows::Win32::System::Ole::{
    GetRecordInfoFromTypeInfo, IRecordInfo, LoadTypeLibEx, REGKIND_NONE,
};
use windows::Win32::System::Variant::{
    VARENUM, VARIANT, VARIANT_0_0, VT_BYREF, VT_RECORD, VariantCopy, VariantCopyInd,
};
use windows_core::{
    BSTR, ComObject, GUID, HSTRING, IUnknown, IUnknownImpl, PCWSTR, Result, implement,
};

#[implement(IConnectionPointContainer)]
struct Control(ShapeConnectionPoints);

impl IConnectionPointContainer_Impl for Control_Impl {
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        self.0.enum_connection_points(&self.to_interface())
    }
    fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
        self.0.find_connection_point(&self.to_interface(), riid)
    }
}

fn control() -> ComObject<Control> {
    // SAFETY: plain COM initialisation of the test's thread.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }.unwrap();
    ComObject::new(Control(ShapeConnectionPoints::new()))
}

fn labelled(label: &str, count: i16) -> Labelled {
    Labelled {
        Label: ManuallyDrop::new(BSTR::from(label)),
        Checked: VARIANT_TRUE,
        Weight: 1.5,
        Count: count,
    }
}

fn free(mut value: Labelled) {
    // SAFETY: the struct's own string, freed once.
    unsafe { ManuallyDrop::drop(&mut value.Label) };
}

struct Typed(&'static Mutex<Vec<String>>);

impl DShapeEventsHandler for Typed {
    fn Drawn(&self, drawingRectangle: &mut RECTANGLE, flags: i32) -> Result<()> {
        let r = &*drawingRectangle;
        let seen = format!(
            "Drawn {} {} {} {} {flags}",
            r.Left, r.Top, r.Right, r.Bottom
        );
        self.0.lock().unwrap().push(seen);
        drawingRectangle.Right = 640;
        drawingRectangle.Bottom = 480;
        Ok(())
    }

    fn Labelled(&self, label: &Labelled, edited: &mut Labelled) -> Result<()> {
        let seen = format!(
            "Labelled {} {} {} {} / {} {}",
            *label.Label, label.Checked.0, label.Weight, label.Count, *edited.Label, edited.Count
        );
        self.0.lock().unwrap().push(seen);
        // Frees the caller's old string, as a by-reference callee does.
        *edited.Label = BSTR::from("edited by the sink");
        edited.Count = 42;
        Ok(())
    }
}

#[test]
fn a_typed_sink_receives_records_and_writes_back() -> Result<()> {
    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let object = control();
    let source: IUnknown = object.to_interface();
    let connection = DShapeEventsSink::advise(&source, Typed(&SEEN))?;
    let mut rectangle = RECTANGLE {
        Left: 1,
        Top: 2,
        Right: 3,
        Bottom: 4,
    };
    object.0.DShapeEvents.Fire_Drawn(&mut rectangle, 7)?;
    assert_eq!(
        rectangle,
        RECTANGLE {
            Left: 1,
            Top: 2,
            Right: 640,
            Bottom: 480
        }
    );
    let label = labelled("sent", 3);
    let mut edited = labelled("before", 9);
    object.0.DShapeEvents.Fire_Labelled(&label, &mut edited)?;
    assert_eq!(*edited.Label, "edited by the sink");
    assert_eq!(edited.Count, 42);
    assert_eq!(
        (*label.Label).to_string(),
        "sent",
        "a by-value struct is sent as a copy"
    );
    assert_eq!(
        *SEEN.lock().unwrap(),
        ["Drawn 1 2 3 4 7", "Labelled sent -1 1.5 3 / before 9"]
    );
    free(label);
    free(edited);
    connection.unadvise()
}

/// What a hand-written `Invoke` saw of one record argument.
#[derive(Debug, Default, Clone, PartialEq)]
struct Seen {
    vt: u16,
    name: String,
    guid: GUID,
    size: u32,
    /// Each field as `GetField` returns it (VARIANT type, value), by `GetFieldNames`' order.
    fields: Vec<(String, u16, String)>,
    /// The same through oleaut32's `IRecordInfo` of widl's description of the struct.
    widl_fields: Vec<(String, String)>,
    /// `GetField` of the `VariantCopy` (or `VariantCopyInd`) of the argument.
    copied: Vec<String>,
}

#[implement(DShapeEvents)]
struct Raw(&'static Mutex<Vec<Seen>>);

impl DShapeEvents_Impl for Raw_Impl {}

impl IDispatch_Impl for Raw_Impl {
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
        _dispid: i32,
        _: *const GUID,
        _: u32,
        _: DISPATCH_FLAGS,
        params: *const DISPPARAMS,
        _: *mut VARIANT,
        _: *mut EXCEPINFO,
        _: *mut u32,
    ) -> Result<()> {
        // SAFETY: COM hands a live DISPPARAMS with cArgs VARIANTs (last parameter first).
        let params = unsafe { &*params };
        for index in (0..params.cArgs as usize).rev() {
            // SAFETY: as above; the caller lends the argument for the call.
            let arg = unsafe { &mut *params.rgvarg.add(index) };
            if arg.vt().0 & !VT_BYREF.0 == VT_RECORD.0 {
                let seen = read_record(arg)?;
                self.0.lock().unwrap().push(seen);
                if arg.vt().0 & VT_BYREF.0 != 0 {
                    write_back(arg)?;
                }
            }
        }
        Ok(())
    }
}

/// The record's data and `IRecordInfo`.
fn record_of(arg: &VARIANT) -> (*mut core::ffi::c_void, IRecordInfo) {
    // SAFETY: a VT_RECORD VARIANT (by value or by reference) holds a BRECORD.
    unsafe {
        let inner = &*(&raw const arg.Anonymous.Anonymous).cast::<VARIANT_0_0>();
        let record = &inner.Anonymous.Anonymous;
        (
            record.pvRecord,
            (*record.pRecInfo).clone().expect("an IRecordInfo"),
        )
    }
}

fn show(value: &VARIANT) -> String {
    // VariantChangeType to a string, as a client displaying a field would.
    let mut text = VARIANT::default();
    // SAFETY: plain oleaut32 conversion of a live VARIANT.
    match unsafe {
        windows::Win32::System::Variant::VariantChangeType(
            &mut text,
            value,
            windows::Win32::System::Variant::VAR_CHANGE_FLAGS(0),
            windows::Win32::System::Variant::VT_BSTR,
        )
    } {
        // SAFETY: a VT_BSTR VARIANT holds a BSTR (read directly: Wine 8 lacks propsys).
        Ok(()) => unsafe {
            let inner = &*(&raw const text.Anonymous.Anonymous).cast::<VARIANT_0_0>();
            inner.Anonymous.bstrVal.to_string()
        },
        Err(error) => format!("{error:?}"),
    }
}

/// Each field's VARIANT type and value, read with `GetField` or (`in_place`) `GetFieldNoCopy`.
fn fields(
    info: &IRecordInfo,
    data: *const core::ffi::c_void,
    in_place: bool,
) -> Result<Vec<(String, u16, String)>> {
    // SAFETY: plain IRecordInfo calls on live data; names are freed as BSTRs.
    unsafe {
        // Wine's oleaut32 answers at most the count it is given, even without an array.
        let mut count = u32::MAX;
        info.GetFieldNames(&mut count, std::ptr::null_mut())?;
        let mut names = vec![BSTR::new(); count as usize];
        info.GetFieldNames(&mut count, names.as_mut_ptr())?;
        names
            .iter()
            .map(|name| {
                let name_w = HSTRING::from(name.to_string());
                let value = if in_place {
                    let mut value = VARIANT::default();
                    let mut place = std::ptr::null_mut();
                    info.GetFieldNoCopy(data, &name_w, &mut value, &mut place)?;
                    value
                } else {
                    info.GetField(data, &name_w)?
                };
                Ok((name.to_string(), value.vt().0, show(&value)))
            })
            .collect()
    }
}

fn widl_library() -> Result<ITypeLib> {
    let bytes = RECORDS_WIDL.expect("widl's type library of fixtures/records.idl");
    // One file per load: a loaded library keeps its file open.
    static LOADS: AtomicUsize = AtomicUsize::new(0);
    let load = LOADS.fetch_add(1, Ordering::Relaxed);
    let path =
        std::env::temp_dir().join(format!("cpgen-records-{}-{load}.tlb", std::process::id()));
    std::fs::write(&path, bytes).expect("write widl's type library to a temporary file");
    // SAFETY: a NUL-terminated path.
    unsafe { LoadTypeLibEx(&HSTRING::from(path.as_os_str()), REGKIND_NONE) }
}

fn read_record(arg: &VARIANT) -> Result<Seen> {
    let (data, info) = record_of(arg);
    // SAFETY: plain oleaut32 and IRecordInfo calls on live VARIANTs and records.
    unsafe {
        let guid = info.GetGuid()?;
        let widl = GetRecordInfoFromTypeInfo(&widl_library()?.GetTypeInfoOfGuid(&guid)?)?;
        // In place: Wine's oleaut32 answers GetField of a BSTR field with the record's own
        // string, not a copy, which freeing the VARIANT would free.
        let widl_fields = fields(&widl, data, true)?
            .into_iter()
            .map(|(name, _, value)| (name, value))
            .collect();
        let mut copy = VARIANT::default();
        if arg.vt().0 & VT_BYREF.0 != 0 {
            VariantCopyInd(&mut copy, arg)?;
        } else {
            VariantCopy(&mut copy, arg)?;
        }
        let (copied_data, copied_info) = record_of(&copy);
        let copied = fields(&copied_info, copied_data, false)?
            .into_iter()
            .map(|(_, _, value)| value)
            .collect();
        Ok(Seen {
            vt: arg.vt().0,
            name: info.GetName()?.to_string(),
            guid,
            size: info.GetSize()?,
            fields: fields(&info, data, false)?,
            widl_fields,
            copied,
        })
    }
}

/// `PutField` on a by-reference record: the source finds it in its struct.
fn write_back(arg: &VARIANT) -> Result<()> {
    let (data, info) = record_of(arg);
    // SAFETY: the caller's record, lent by reference for the call.
    unsafe {
        let name = info.GetName()?;
        if name == "RECTANGLE" {
            info.PutField(2, data, &HSTRING::from("Right"), &VARIANT::from(800i32))
        } else if name == "Keyed" {
            info.PutField(2, data, &HSTRING::from("match"), &VARIANT::from(60i32))
        } else {
            info.PutField(
                2,
                data,
                &HSTRING::from("Label"),
                &VARIANT::from(BSTR::from("put")),
            )?;
            info.PutField(2, data, &HSTRING::from("Count"), &VARIANT::from(7i32))
        }
    }
}

fn by_ref(vt: VARENUM) -> u16 {
    vt.0 | VT_BYREF.0
}

#[test]
fn oleaut32_and_widl_read_the_records_a_dispinterface_sends() -> Result<()> {
    static SEEN: Mutex<Vec<Seen>> = Mutex::new(Vec::new());
    let object = control();
    let point = object
        .0
        .find_connection_point(&object.to_interface(), &DIID_DShapeEvents)?;
    let sink: DShapeEvents = Raw(&SEEN).into();
    // SAFETY: a live sink.
    let cookie = unsafe { point.Advise(&sink)? };
    let mut rectangle = RECTANGLE {
        Left: 10,
        Top: 20,
        Right: 30,
        Bottom: 40,
    };
    object.0.DShapeEvents.Fire_Drawn(&mut rectangle, 1)?;
    let label = labelled("sent", 3);
    let mut edited = labelled("before", 9);
    object.0.DShapeEvents.Fire_Labelled(&label, &mut edited)?;
    let mut keyed = Keyed {
        r#type: 5,
        r#match: 6,
    };
    object.0.DShapeEvents.Fire_Keyed(&mut keyed)?;
    assert_eq!(keyed.r#match, 60);
    // SAFETY: the cookie Advise returned.
    unsafe { point.Unadvise(cookie)? };

    assert_eq!(
        rectangle.Right, 800,
        "PutField through VT_RECORD | VT_BYREF"
    );
    assert_eq!(*edited.Label, "put");
    assert_eq!(edited.Count, 7);
    assert_eq!(*label.Label, "sent");
    let seen = SEEN.lock().unwrap().clone();
    assert_eq!(seen.len(), 4, "{seen:?}");
    // Fields named as Rust keywords (`r#type`) are described by their IDL names.
    assert_eq!(
        seen[3].fields,
        [
            ("type".to_string(), 3u16, "5".to_string()),
            ("match".to_string(), 2, "6".to_string())
        ]
    );
    assert_eq!(
        seen[3].widl_fields,
        [
            ("type".to_string(), "5".to_string()),
            ("match".to_string(), "6".to_string())
        ]
    );
    let long = |name: &str, value: &str| (name.to_string(), 3u16, value.to_string());
    assert_eq!(seen[0].vt, by_ref(VT_RECORD));
    assert_eq!(seen[0].name, "RECTANGLE");
    assert_eq!(seen[0].guid, RECTANGLE::record().guid);
    assert_eq!(seen[0].size, 16);
    assert_eq!(
        seen[0].fields,
        [
            long("Left", "10"),
            long("Top", "20"),
            long("Right", "30"),
            long("Bottom", "40")
        ]
    );
    let values = |s: &Seen| {
        s.fields
            .iter()
            .map(|f| (f.0.clone(), f.2.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        seen[0].widl_fields,
        values(&seen[0]),
        "widl's record reads the same fields"
    );
    assert_eq!(seen[0].copied, ["10", "20", "30", "40"]);
    // The sink reads the parameters first to last: `label` (a copy), then `edited`.
    let (label_seen, edited_seen) = (&seen[1], &seen[2]);
    assert_eq!(edited_seen.vt, by_ref(VT_RECORD));
    assert_eq!(label_seen.vt, VT_RECORD.0);
    assert_eq!(label_seen.name, "Labelled");
    assert_eq!(label_seen.size as usize, size_of::<Labelled>());
    let expected = [
        ("Label", 8u16, "sent"),
        ("Checked", 11, "-1"),
        ("Weight", 5, "1.5"),
        ("Count", 2, "3"),
    ]
    .map(|(n, vt, v)| (n.to_string(), vt, v.to_string()));
    assert_eq!(label_seen.fields, expected);
    assert_eq!(label_seen.widl_fields, values(label_seen));
    assert_eq!(label_seen.copied, ["sent", "-1", "1.5", "3"]);
    assert_eq!(edited_seen.copied, ["before", "-1", "1.5", "9"]);
    free(label);
    free(edited);
    Ok(())
}

#[test]
fn the_record_description_is_widls() -> Result<()> {
    let _ = control();
    let library = widl_library()?;
    for (record, data) in [
        (
            RECTANGLE::record(),
            std::ptr::from_ref(&RECTANGLE::default()).cast::<core::ffi::c_void>(),
        ),
        (
            Labelled::record(),
            std::ptr::from_ref(&Labelled::default()).cast(),
        ),
        (
            Keyed::record(),
            std::ptr::from_ref(&Keyed::default()).cast(),
        ),
    ] {
        let info = record.info();
        // SAFETY: widl's descriptions are read, then released, as oleaut32 lends them.
        unsafe {
            let widl = library.GetTypeInfoOfGuid(&record.guid)?;
            let attr = widl.GetTypeAttr()?;
            assert_eq!((*attr).typekind, TKIND_RECORD);
            // The built type library's description, which GetTypeInfo answers with.
            let built = info.GetTypeInfo()?;
            let built_attr = built.GetTypeAttr()?;
            assert_eq!(
                (
                    (*built_attr).typekind,
                    (*built_attr).cVars,
                    (*built_attr).guid
                ),
                (TKIND_RECORD, (*attr).cVars, record.guid)
            );
            built.ReleaseTypeAttr(built_attr);
            assert_eq!(info.GetSize()?, (*attr).cbSizeInstance, "{}", record.name);
            let count = (*attr).cVars;
            widl.ReleaseTypeAttr(attr);
            let mut names = 0u32;
            info.GetFieldNames(&mut names, std::ptr::null_mut())?;
            assert_eq!(names, u32::from(count));
            for index in 0..u32::from(count) {
                let var = widl.GetVarDesc(index)?;
                let mut name = BSTR::new();
                widl.GetDocumentation(
                    (*var).memid,
                    Some(&mut name),
                    None,
                    std::ptr::null_mut(),
                    None,
                )?;
                let mut field = VARIANT::default();
                let mut place = std::ptr::null_mut();
                info.GetFieldNoCopy(
                    data,
                    &HSTRING::from(name.to_string()),
                    &mut field,
                    &mut place,
                )?;
                let offset = place as usize - data as usize;
                assert_eq!(
                    (field.vt().0, offset as u32),
                    (by_ref((*var).elemdescVar.tdesc.vt), (*var).Anonymous.oInst),
                    "{}.{name}",
                    record.name
                );
                let built_var = built.GetVarDesc(index)?;
                let mut built_name = BSTR::new();
                built.GetDocumentation(
                    (*built_var).memid,
                    Some(&mut built_name),
                    None,
                    std::ptr::null_mut(),
                    None,
                )?;
                assert_eq!(
                    (
                        built_name.to_string(),
                        (*built_var).elemdescVar.tdesc.vt,
                        (*built_var).Anonymous.oInst,
                        (*built_var).varkind
                    ),
                    (
                        name.to_string(),
                        (*var).elemdescVar.tdesc.vt,
                        (*var).Anonymous.oInst,
                        (*var).varkind
                    ),
                    "the built library's {}.{name}",
                    record.name
                );
                built.ReleaseVarDesc(built_var);
                widl.ReleaseVarDesc(var);
            }
        }
    }
    Ok(())
}

struct Vtable(&'static Mutex<Vec<String>>);

impl IShapeEventsHandler for Vtable {
    fn Moved(&self, from: &RECTANGLE, to: &mut RECTANGLE, label: &mut Labelled) -> Result<()> {
        self.0.lock().unwrap().push(format!(
            "{} {} {} {}",
            from.Left, to.Left, *label.Label, label.Count
        ));
        to.Left = -1;
        *label.Label = BSTR::from("moved");
        Ok(())
    }
}

#[test]
fn a_vtable_source_passes_structs_directly() -> Result<()> {
    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let object = control();
    let source: IUnknown = object.to_interface();
    let connection = IShapeEventsSink::advise(&source, Vtable(&SEEN))?;
    let from = RECTANGLE {
        Left: 5,
        ..Default::default()
    };
    let mut to = RECTANGLE {
        Left: 6,
        ..Default::default()
    };
    let mut label = labelled("start", 2);
    object
        .0
        .IShapeEvents
        .Fire_Moved(&from, &mut to, &mut label)?;
    assert_eq!(to.Left, -1);
    assert_eq!(*label.Label, "moved");
    assert_eq!(*SEEN.lock().unwrap(), ["5 6 start 2"]);
    free(label);
    connection.unadvise()
}

/// `VT_RECORD | VT_BYREF` to `data`, with `info` (borrowed: the VARIANT does not own it).
fn record_by_ref(data: *mut core::ffi::c_void, info: &IRecordInfo) -> VARIANT {
    let mut variant = VARIANT::default();
    // SAFETY: the VARIANT's own fields, written as a by-reference record's.
    unsafe {
        let inner = &mut *(&raw mut variant.Anonymous.Anonymous).cast::<VARIANT_0_0>();
        inner.vt = VARENUM(by_ref(VT_RECORD));
        let record = &mut inner.Anonymous.Anonymous;
        record.pvRecord = data;
        record.pRecInfo = ManuallyDrop::new(Some(std::mem::transmute_copy(info)));
    }
    variant
}

#[test]
fn a_typed_sink_takes_records_that_oleaut32_describes() -> Result<()> {
    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let _ = control();
    let sink: DShapeEvents = DShapeEventsSink(Typed(&SEEN)).into();
    let sink: windows::Win32::System::Com::IDispatch = windows_core::Interface::cast(&sink)?;
    // The IRecordInfo a client gets from the type library MIDL (here widl) compiled.
    // SAFETY: plain oleaut32 calls.
    let info = unsafe {
        GetRecordInfoFromTypeInfo(&widl_library()?.GetTypeInfoOfGuid(&RECTANGLE::record().guid)?)?
    };
    let mut rectangle = RECTANGLE {
        Left: 7,
        Top: 8,
        Right: 9,
        Bottom: 10,
    };
    // Last parameter first.
    let mut args = [
        VARIANT::from(3i32),
        record_by_ref(std::ptr::from_mut(&mut rectangle).cast(), &info),
    ];
    let params = DISPPARAMS {
        rgvarg: args.as_mut_ptr(),
        rgdispidNamedArgs: std::ptr::null_mut(),
        cArgs: 2,
        cNamedArgs: 0,
    };
    // SAFETY: a live sink; the arguments outlive the call.
    unsafe {
        sink.Invoke(
            1,
            &GUID::zeroed(),
            0,
            windows::Win32::System::Com::DISPATCH_METHOD,
            &params,
            None,
            None,
            None,
        )?;
    }
    assert_eq!(*SEEN.lock().unwrap(), ["Drawn 7 8 9 10 3"]);
    assert_eq!((rectangle.Right, rectangle.Bottom), (640, 480));
    // A record of another type is a type mismatch, not a misread struct.
    let mut label = labelled("not a rectangle", 1);
    // SAFETY: as above.
    let other = unsafe {
        GetRecordInfoFromTypeInfo(&widl_library()?.GetTypeInfoOfGuid(&Labelled::record().guid)?)?
    };
    args[1] = record_by_ref(std::ptr::from_mut(&mut label).cast(), &other);
    // SAFETY: as above.
    let mismatch = unsafe {
        sink.Invoke(
            1,
            &GUID::zeroed(),
            0,
            windows::Win32::System::Com::DISPATCH_METHOD,
            &params,
            None,
            None,
            None,
        )
    };
    assert_eq!(
        mismatch.unwrap_err().code(),
        windows::Win32::Foundation::DISP_E_TYPEMISMATCH
    );
    free(label);
    Ok(())
}
