use std::path::Path;

use super::{CrossApartment, Options, generate, module_name, parse_uuid};
use crate::Model;

fn load(text: &str) -> Model {
    let dir = tempfile::tempdir().unwrap();
    let idl = dir.path().join("t.idl");
    std::fs::write(&idl, text).unwrap();
    crate::load(&idl, &Default::default()).unwrap_or_else(|e| panic!("{}", e.render_plain()))
}

fn clock() -> Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/clock.idl");
    crate::load(&path, &Default::default()).unwrap()
}

fn options() -> Options {
    Options {
        coclasses: Vec::new(),
        module: "t_idl".into(),
        cross_apartment: Default::default(),
        property_notify: false,
        server: None,
        cache_dir: None,
    }
}

/// The code without whitespace and trailing commas, so assertions do not depend on where
/// prettyplease breaks lines.
fn squeeze(code: &str) -> String {
    let code: String = code.split_whitespace().collect();
    code.replace(",)", ")")
        .replace(",]", "]")
        .replace(",}", "}")
        .replace(",>", ">")
}

const SOURCE_HEADER: &str = r#"
    import "oaidl.idl";
    [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e8)] library L {
"#;

#[test]
fn clock_has_the_contracts_items() {
    let out = generate(&clock(), &options()).unwrap();
    let code = squeeze(&out.code);
    for item in [
        "pubconstLIBID_ClockLib:windows_core::GUID=",
        "pubconstIID_IClock:windows_core::GUID=",
        "pubconstDIID_DClockEvents:windows_core::GUID=",
        "pubconstIID_IClockSink:windows_core::GUID=",
        "pubconstCLSID_Clock:windows_core::GUID=",
        "pubunsafetraitDClockEvents:windows::Win32::System::Com::IDispatch{}",
        "pubstructDClockEventsProxy(cpgen_runtime::Sinks<DClockEvents>);",
        "pubstructIClockSinkProxy(cpgen_runtime::Sinks<IClockSink>);",
        "pubfnFire_Tick(&self,seconds:i32)->windows_core::Result<()>",
        "pubfnFire_Alarm(&self,label:&windows_core::BSTR,snooze:&mutwindows::Win32::Foundation::VARIANT_BOOL)",
        "pubfnFire_StateChanged(&self,state:ClockState,clock:Option<&windows::Win32::System::Com::IDispatch>)",
        "pubfnFire_OnTick(&self,seconds:i32,fraction:f64)",
        "(windows_core::Interface::vtable(sink).OnAlarm)(windows_core::Interface::as_raw(sink),\
         core::mem::transmute_copy(label),core::ptr::from_mut(&mut*snooze).cast()).ok()",
        "pubstructClockConnectionPoints{pubDClockEvents:DClockEventsProxy,pubIClockSink:IClockSinkProxy}",
        "pubtypeCConnectionPoints=ClockConnectionPoints;",
        "pubfnfind_connection_point(&self,container:&windows::Win32::System::Com::IConnectionPointContainer,riid:*constwindows_core::GUID)->windows_core::Result<windows::Win32::System::Com::IConnectionPoint>",
        "pubfnenum_connection_points(&self,container:&windows::Win32::System::Com::IConnectionPointContainer)->windows_core::Result<windows::Win32::System::Com::IEnumConnectionPoints>",
        // Arguments last first, the enum as its i32, the unnumbered event at 0x60000002.
        "pubconstDISPID_StateChanged:i32=0x60000002;",
        "letmutargs=[clock.into_variant(),state.0.into_variant()];\
         Ok(self.0.fire(|sink|dispatch::invoke(sink,Self::DISPID_StateChanged,&mutargs)))",
        "pubconstDISPID_Alarm:i32=2;",
        "letmutargs=[dispatch::by_ref(windows::Win32::System::Variant::VT_BOOL.0,&mut*snooze),label.into_variant()];\
         Ok(self.0.fire(|sink|dispatch::invoke(sink,Self::DISPID_Alarm,&mutargs)))",
        // The first error for Fire_, every sink's outcome for the report, one body for both.
        "pubfnFire_Tick(&self,seconds:i32)->windows_core::Result<()>{\
         self.send_Tick::<windows_core::Result<()>>(seconds)?}",
        "pubfnFire_Tick_report(&self,seconds:i32)->windows_core::Result<FireReport>{self.send_Tick(seconds)}",
        "fnsend_Tick<O:cpgen_runtime::report::Outcome>(&self,seconds:i32)->windows_core::Result<O>",
        "pubfnset_prune_dead_sinks(&self,prune:bool){self.0.set_prune(prune);}",
        "#[derive(Clone)]pubstructIClockSinkProxy(cpgen_runtime::Sinks<IClockSink>);",
        // The runtime it was made for, and the runtime's types its API shows.
        "const_:()=cpgen_runtime::require_version!(\"0.1\");",
        "pubusecpgen_runtime::{Connection,FireReport,SinkFailure,advise,advise_iid};",
        "pubuset_idl::*;",
    ] {
        assert!(code.contains(item), "missing {item}\n{}", out.code);
    }
    assert_eq!(
        out.features,
        [
            "Win32_Foundation",
            "Win32_System_Com",
            "Win32_System_Variant"
        ]
    );
}

#[test]
fn same_model_same_bytes() {
    let model = clock();
    assert_eq!(
        generate(&model, &options()).unwrap().code,
        generate(&model, &options()).unwrap().code
    );
}

#[test]
fn every_mapped_type_reaches_fire_and_the_variant() {
    let model = load(&format!(
        r#"{SOURCE_HEADER}
        typedef enum Color {{ Red, Green }} Color;
        [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e9)] dispinterface D {{ properties: methods:
            [id(1)] void E([in] short s, [in] unsigned char b, [in] hyper h, [in] float f,
                           [in] DATE when, [in] Color c, [in] VARIANT v, [in] VARIANT* pv,
                           [in] SAFEARRAY(BSTR) names, [in] IUnknown* u, [in, out] long* pl,
                           [in, out] Color* pc, [out] BSTR* pb, [out] IDispatch** ppd,
                           [in] long type);
        }};
        [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7ea)] coclass K {{ [default, source] dispinterface D; }};
        }};"#
    ));
    let code = squeeze(&generate(&model, &options()).unwrap().code);
    let signature = "pubfnFire_E(&self,s:i16,b:u8,h:i64,f:f32,when:f64,c:Color,\
        v:&windows::Win32::System::Variant::VARIANT,pv:&windows::Win32::System::Variant::VARIANT,\
        names:*mutwindows::Win32::System::Com::SAFEARRAY,u:Option<&windows_core::IUnknown>,\
        pl:&muti32,pc:&mutColor,pb:&mutwindows_core::BSTR,\
        ppd:&mutOption<windows::Win32::System::Com::IDispatch>,r#type:i32)";
    assert!(code.contains(signature), "{code}");
    let args = "letmutargs=[r#type.into_variant(),\
        dispatch::by_ref(windows::Win32::System::Variant::VT_DISPATCH.0,&mut*ppd),\
        dispatch::by_ref(windows::Win32::System::Variant::VT_BSTR.0,&mut*pb),\
        dispatch::by_ref(windows::Win32::System::Variant::VT_I4.0,&mutpc.0),\
        dispatch::by_ref(windows::Win32::System::Variant::VT_I4.0,&mut*pl),\
        u.into_variant(),\
        unsafe{dispatch::safe_array(windows::Win32::System::Variant::VT_ARRAY.0|windows::Win32::System::Variant::VT_BSTR.0,names)}?,\
        dispatch::InVariantRef(pv).into_variant(),v.into_variant(),c.0.into_variant(),\
        dispatch::Date(when).into_variant(),f.into_variant(),h.into_variant(),\
        b.into_variant(),s.into_variant()];";
    assert!(code.contains(args), "{code}");
}

#[test]
fn an_unmapped_parameter_is_an_error_that_names_it() {
    let model = load(&format!(
        r#"{SOURCE_HEADER}
        typedef union P {{ long x; double y; }} P;
        [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e9)] dispinterface D {{ properties: methods:
            [id(1)] void Moved([in] P where); }};
        [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7ea)] coclass K {{ [default, source] dispinterface D; }};
        }};"#
    ));
    let error = generate(&model, &options()).unwrap_err();
    assert!(
        error
            .message()
            .contains("`D::Moved`: parameter `where` has type `P`, a union"),
        "{error}"
    );
}

#[test]
fn coclass_selection() {
    let model = clock();
    let only = |name: &str| Options {
        coclasses: vec![name.into()],
        ..options()
    };
    assert!(generate(&model, &only("Clock")).is_ok());
    let error = generate(&model, &only("Clok")).unwrap_err();
    assert_eq!(
        error.message(),
        "there is no coclass `Clok` in the input; did you mean `Clock`?"
    );
    let none = load(
        r#"[uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e8)] library L {
             [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7ea)] coclass K { interface IUnknown; }; };"#,
    );
    let error = generate(&none, &options()).unwrap_err();
    assert!(
        error
            .message()
            .contains("no coclass in the input has a [source] interface")
    );
    let error = generate(&none, &only("K")).unwrap_err();
    assert!(
        error
            .message()
            .contains("coclass `K` has no [source] interface")
    );
}

#[test]
fn clock_has_typed_sinks_and_advise_guards() {
    let out = generate(&clock(), &options()).unwrap();
    let code = squeeze(&out.code);
    for item in [
        "pubtraitDClockEventsHandler{",
        "fnTick(&self,seconds:i32)->windows_core::Result<()>{Ok(())}",
        // The handler takes what Fire_ takes.
        "fnAlarm(&self,label:&windows_core::BSTR,snooze:&mutwindows::Win32::Foundation::VARIANT_BOOL)",
        "pubstructDClockEventsSink<H>(pubH);",
        "impl<H>sink::AdapterforDClockEventsSink<H>whereH:DClockEventsHandler+'static",
        "constVTABLE:&'staticDClockEvents_Vtbl=&DClockEvents_Vtbl{base__:sink::Object::<Self>::DISPATCH};",
        "receive::Member::new(\"StateChanged\",0x60000002,&[\"state\",\"clock\"])",
        // Parameters by position; the enum from its i32; by-reference results written back.
        "letlabel=args.value::<windows_core::BSTR>(0)?;letmutsnooze=args.by_ref::<windows::Win32::Foundation::VARIANT_BOOL>(1)?;\
         args.handled(DClockEventsHandler::Alarm(&self.0,&label,&mutsnooze))?;snooze.finish();Ok(())",
        "args.handled(DClockEventsHandler::StateChanged(&self.0,ClockState(*state),(*clock).as_ref()))?;",
        "pubtraitIClockSinkHandler{",
        "constVTABLE:&'staticIClockSink_Vtbl=&IClockSink_Vtbl{base__:sink::Object::<Self>::UNKNOWN,OnTick:Self::OnTick,OnAlarm:Self::OnAlarm};",
        // The slot's very signature, the [out] parameter started empty.
        "unsafeextern\"system\"fnOnAlarm(this:*mutcore::ffi::c_void,label:*mutcore::ffi::c_void,snooze:*mutwindows::Win32::Foundation::VARIANT_BOOL)->windows_core::HRESULT",
        "letsnooze=sink::out(snooze.cast(),Default::default())?;IClockSinkHandler::OnAlarm(handler,sink::borrow(&label),snooze)",
    ] {
        assert!(code.contains(item), "missing {item}\n{}", out.code);
    }
}

#[test]
fn typed_sinks_of_every_kind_of_source() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sinks.idl");
    let model = crate::load(&path, &Default::default()).unwrap();
    let code = squeeze(&generate(&model, &options()).unwrap().code);
    for item in [
        // A derived interface's vtable nests its base's; a property setter is its slot.
        "&IVtableEvents_Vtbl{base__:IBaseEvents_Vtbl{base__:sink::Object::<Self>::UNKNOWN,Started:Self::Started},\
         Scalars:Self::Scalars,Objects:Self::Objects,Outs:Self::Outs,Notify:Self::Notify,SetLevel:Self::SetLevel}",
        "constIIDS:&'static[windows_core::GUID]=&[<IVtableEventsaswindows_core::Interface>::IID,<IBaseEventsaswindows_core::Interface>::IID];",
        // A void slot returns nothing; the handler's error goes nowhere.
        "unsafeextern\"system\"fnNotify(this:*mutcore::ffi::c_void,code:i32){",
        "let_=sink::call(||{IVtableEventsHandler::Notify(handler,code)});",
        // A caller's by-value VARIANT is not the sink's to clear.
        "letany=core::mem::ManuallyDrop::new(any);",
        "letkept=sink::in_out(kept.cast())?;",
        "letnumbers=sink::out(numbers.cast(),core::ptr::null_mut())?;",
        // A dual source answers IDispatch by DISPID too.
        "&IDualEvents_Vtbl{base__:sink::Object::<Self>::DISPATCH,Ping:Self::Ping,Swap:Self::Swap,Tagged:Self::Tagged}",
        // A vtable call sends an optional argument; Invoke may leave it out.
        "IDualEventsHandler::Tagged(handler,n,Some(count),Some(sink::borrow(&label)))",
        "letcount=args.value_opt::<i32>(1)?;",
        "impl<H>receive::DispatchforIDualEventsSink<H>",
        "<windows::Win32::System::Com::IDispatchaswindows_core::Interface>::IID]",
        // Names the sink's code uses are kept clear of; a keyword stays raw.
        "letr#type=args.value::<i32>(0)?;letargs_=args.value::<i32>(1)?;lethandler_=args.value::<i32>(2)?;\
         args.handled(DAllTypesHandler::Renamed(&self.0,*r#type,*args_,*handler_))?;",
        "-5=>{args.handled(DAllTypesHandler::Negative(&self.0))?;Ok(())}",
        // An [in, out] enum travels as its i32; another interface as IDispatch, queried.
        "letmutcolor=args.by_ref::<i32>(4)?;letmutcolor__=Color(*color);",
        "*color=color__.0;color.finish();",
        "letmutdual__=args.interface::<IDualPeer>(9,true)?;",
        "*dual=dual__.map(|i|windows_core::Interface::cast(&i)).transpose()?;",
        "letwhen=args.value::<cpgen_runtime::dispatch::Date>(2)?;",
        "letnames=args.array(7,windows::Win32::System::Variant::VT_ARRAY.0|windows::Win32::System::Variant::VT_BSTR.0)?;",
    ] {
        assert!(code.contains(item), "missing {item}\n{code}");
    }
}

#[test]
fn a_typed_sink_name_the_input_declares_is_an_error() {
    let model = load(&format!(
        r#"{SOURCE_HEADER}
        [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e9)] dispinterface D {{ properties: methods:
            [id(1)] void E(); }};
        [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7eb), object] interface DSink : IUnknown {{}};
        [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7ea)] coclass K {{ [default, source] dispinterface D; }};
        }};"#
    ));
    let error = generate(&model, &options()).unwrap_err();
    assert!(
        error
            .message()
            .contains("`DSink` names both something the input declares"),
        "{error}"
    );
}

#[test]
fn the_type_library_describes_the_coclass_its_sources_and_what_they_use() {
    let out = generate(&clock(), &options()).unwrap();
    let code = squeeze(&out.code);
    for item in [
        "pubfntype_library()->windows_core::Result<windows::Win32::System::Com::ITypeLib>",
        "usecpgen_runtime::type_library::*;",
        "name:\"ClockLib\",guid:GUID::from_u128(0x6f1a2b3c4d5e4f60817293a4b5c6d7e8),version:(1,0)",
        // Every interface in full: the dual member too, with its [defaultvalue].
        "name:\"IClock\",guid:GUID::from_u128(0x6f1a2b3c4d5e4f60817293a4b5c6d7e9),\
         kind:Kind::Interface,flags:0x1140,doc:\"Theclock'sownmethods\",alias:::core::option::Option::None,\
         implements:&[Implemented::new(Ref::IDISPATCH,0x0)],funcs:&[Func{name:\"Seconds\"",
        "Param::with_default(\"after\",Desc::Vt(VT_I4),0x31,Value::Int(VT_I4,60))",
        "Func{name:\"StateChanged\",memid:0x60000002,invoke:1,flags:0x0,optional:0,slot:-1,params:&[\
         Param::new(\"state\",Desc::Local(0),0x1),Param::new(\"clock\",Desc::Vt(VT_DISPATCH),0x1)],\
         returns:Desc::Vt(VT_VOID),doc:\"\"}",
        // oleaut32 numbers a custom interface's methods.
        "Func{name:\"OnAlarm\",memid:-1,invoke:1,flags:0x0,optional:0,",
        "Param::new(\"snooze\",Desc::Ptr(&Desc::Vt(VT_BOOL)),0x2)",
        // The enum its GUID, its constants typed int.
        "name:\"ClockState\",guid:GUID::from_u128(0x6f1a2b3c4d5e4f60817293a4b5c6d7f0),kind:Kind::Enum",
        "Var::constant(\"Alarmed\",2,\"\")",
        "name:\"Clock\",guid:GUID::from_u128(0x6f1a2b3c4d5e4f60817293a4b5c6d7ec),kind:Kind::Coclass,flags:0x2",
        "implements:&[Implemented::new(Ref::Local(1),0x1),Implemented::new(Ref::Local(2),0x3),\
         Implemented::new(Ref::Local(3),0x2)]",
        // The typed sink answers GetTypeInfo from it.
        "cpgen_runtime::type_library::dispatch_of(&type_library()?,&<DClockEventsaswindows_core::Interface>::IID)",
    ] {
        assert!(code.contains(item), "missing {item}\n{}", out.code);
    }
}

#[test]
fn without_a_library_uuid_there_is_no_type_library() {
    let model = load(
        r#"import "oaidl.idl";
        library L {
            [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e9)] dispinterface D { properties: methods:
                [id(1)] void E(); };
            [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7ea)] coclass K { [default, source] dispinterface D; };
        };"#,
    );
    let code = generate(&model, &options()).unwrap().code;
    assert!(!code.contains("fn type_library"), "{code}");
    assert!(!code.contains("dispatch_of"), "{code}");
}

#[test]
fn cross_apartment_sources_keep_their_sinks_in_the_global_interface_table() {
    let model = clock();
    let with = |cross_apartment: CrossApartment| {
        squeeze(
            &generate(
                &model,
                &Options {
                    cross_apartment,
                    ..options()
                },
            )
            .unwrap()
            .code,
        )
    };
    let dispatch = "pubstructDClockEventsProxy(cpgen_runtime::Sinks<DClockEvents,\
        apartment::Global<windows::Win32::System::Com::IDispatch>>);";
    let vtable = "pubstructIClockSinkProxy(cpgen_runtime::Sinks<IClockSink,\
        apartment::Global<IClockSink>>);";
    let all = with(CrossApartment::All);
    assert!(all.contains(dispatch) && all.contains(vtable), "{all}");
    assert!(all.contains("usecpgen_runtime::{apartment,dispatch,receive,sink};"));
    let one = with(CrossApartment::Sources(vec!["IClockSink".into()]));
    assert!(one.contains(vtable) && !one.contains(dispatch), "{one}");
    assert!(one.contains("pubstructDClockEventsProxy(cpgen_runtime::Sinks<DClockEvents>);"));
    // The module is named only when a source needs it.
    assert!(with(CrossApartment::None).contains("usecpgen_runtime::{dispatch,receive,sink};"));
    let error = generate(
        &model,
        &Options {
            cross_apartment: CrossApartment::Sources(vec!["IClockSnk".into()]),
            ..options()
        },
    )
    .unwrap_err();
    assert_eq!(
        error.message(),
        "--cross-apartment: `IClockSnk` is not a source interface of the output; \
         did you mean `IClockSink`?"
    );
}

#[test]
fn an_event_named_like_another_events_report_is_refused() {
    let model = load(&format!(
        r#"{SOURCE_HEADER}
        [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e9)] dispinterface D {{ properties: methods:
            [id(1)] void Moved(); [id(2)] void Moved_report(); }};
        [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7ea)] coclass K {{ [default, source] dispinterface D; }};
        }};"#
    ));
    let error = generate(&model, &options()).unwrap_err();
    assert_eq!(
        error.message(),
        "source interface `D`: `Fire_Moved_report` would name both event `Moved_report` and \
         the report form of event `Moved`"
    );
}

#[test]
fn module_names_are_identifiers() {
    assert_eq!(module_name("clock"), "clock_idl");
    assert_eq!(module_name("My-Object.v2"), "my_object_v2_idl");
    assert_eq!(module_name("3d"), "_3d_idl");
}

#[test]
fn uuids_read_most_significant_first() {
    assert_eq!(
        parse_uuid("00020400-0000-0000-c000-000000000046"),
        Some(0x00020400_0000_0000_c000_000000000046)
    );
    assert_eq!(parse_uuid("00020400-0000-0000-c000"), None);
    assert_eq!(parse_uuid("0002040z-0000-0000-c000-000000000046"), None);
}
