//! A type library built from static tables, as a generated `type_library()` builds it.

use cpgen_runtime::type_library::*;
use windows::Win32::System::Com::*;
use windows::Win32::System::Variant::*;
use windows_core::{BSTR, GUID, w};

const EVENTS: GUID = GUID::from_u128(0x6f1a2b3c_4d5e_4f60_8172_93a4b5c6d701);
const COCLASS: GUID = GUID::from_u128(0x6f1a2b3c_4d5e_4f60_8172_93a4b5c6d702);

static LIBRARY: Library = Library {
    name: "TestLib",
    guid: GUID::from_u128(0x6f1a2b3c_4d5e_4f60_8172_93a4b5c6d700),
    version: (1, 2),
    doc: "a test library",
    types: &[
        Type {
            name: "DEvents",
            guid: EVENTS,
            kind: Kind::Dispatch,
            flags: 0x1000,
            doc: "events",
            alias: None,
            implements: &[Implemented::new(Ref::IDISPATCH, 0)],
            funcs: &[Func {
                name: "Ask",
                memid: 7,
                invoke: 1,
                flags: 0x40,
                optional: 0,
                slot: -1,
                params: &[
                    Param::new("question", Desc::Vt(VT_BSTR), 0x1),
                    Param::new("answer", Desc::Ptr(&Desc::Vt(VT_BOOL)), 0x3),
                    Param::with_default("times", Desc::Local(3), 0x31, Value::Int(VT_I4, 3)),
                ],
                returns: Desc::Vt(VT_VOID),
                doc: "asks",
            }],
            vars: &[],
        },
        Type {
            name: "State",
            guid: GUID::zeroed(),
            kind: Kind::Enum,
            flags: 0,
            doc: "",
            alias: None,
            implements: &[],
            funcs: &[],
            vars: &[Var::constant("Off", 0, ""), Var::constant("On", 1, "lit")],
        },
        Type {
            name: "Thing",
            guid: COCLASS,
            kind: Kind::Coclass,
            flags: 0x2,
            doc: "",
            alias: None,
            implements: &[Implemented::new(Ref::Local(0), 0x3)],
            funcs: &[],
            vars: &[],
        },
        Type {
            name: "Count",
            guid: GUID::zeroed(),
            kind: Kind::Alias,
            flags: 0,
            doc: "",
            alias: Some(Desc::Vt(VT_I4)),
            implements: &[],
            funcs: &[],
            vars: &[],
        },
    ],
};

#[test]
fn the_tables_become_a_type_library_built_once() {
    static CACHE: Cache = Cache::new();
    let library = CACHE.get(&LIBRARY).unwrap();
    assert_eq!(CACHE.get(&LIBRARY).unwrap(), library);
    // SAFETY: plain oleaut32 calls; the attributes are released once read.
    unsafe {
        let attr = library.GetLibAttr().unwrap();
        assert_eq!(
            ((*attr).guid, (*attr).wMajorVerNum, (*attr).wMinorVerNum),
            (LIBRARY.guid, 1, 2)
        );
        library.ReleaseTLibAttr(attr);
        let events = dispatch_of(&library, &EVENTS).unwrap();
        // Found by name: Wine's oleaut32 lists a built dispinterface's functions after
        // IDispatch's.
        let mut memid = 0;
        events.GetIDsOfNames(&w!("Ask"), 1, &mut memid).unwrap();
        let mut names = [BSTR::new(), BSTR::new(), BSTR::new(), BSTR::new()];
        let mut count = 0;
        events.GetNames(memid, &mut names, &mut count).unwrap();
        assert_eq!((memid, count), (7, 4));
        assert_eq!(
            names.map(|n| n.to_string()),
            ["Ask", "question", "answer", "times"]
        );
        // The function's flags, and the third parameter's alias type and default value.
        let index = (0..16)
            .find(|&i| {
                let desc = events.GetFuncDesc(i).unwrap();
                let found = (*desc).memid == 7;
                events.ReleaseFuncDesc(desc);
                found
            })
            .unwrap();
        let desc = events.GetFuncDesc(index).unwrap();
        assert_eq!((*desc).wFuncFlags.0, 0x40);
        let times = &*(*desc).lprgelemdescParam.add(2);
        assert_eq!(times.tdesc.vt, VT_USERDEFINED);
        let alias = events
            .GetRefTypeInfo(times.tdesc.Anonymous.hreftype)
            .unwrap();
        let attr = alias.GetTypeAttr().unwrap();
        assert_eq!(
            ((*attr).typekind, (*attr).tdescAlias.vt),
            (TKIND_ALIAS, VT_I4)
        );
        alias.ReleaseTypeAttr(attr);
        let param = &times.Anonymous.paramdesc;
        assert_eq!(param.wParamFlags.0, 0x31);
        let default = &(*param.pparamdescex).varDefaultValue.Anonymous.Anonymous;
        assert_eq!((default.vt, default.Anonymous.lVal), (VT_I4, 3));
        events.ReleaseFuncDesc(desc);
        let coclass = library.GetTypeInfoOfGuid(&COCLASS).unwrap();
        let implemented = coclass
            .GetRefTypeInfo(coclass.GetRefTypeOfImplType(0).unwrap())
            .unwrap();
        let attr = implemented.GetTypeAttr().unwrap();
        assert_eq!((*attr).guid, EVENTS);
        implemented.ReleaseTypeAttr(attr);
        assert_eq!(coclass.GetImplTypeFlags(0).unwrap(), IMPLTYPEFLAGS(0x3));
        let state = library.GetTypeInfo(1).unwrap();
        let var = state.GetVarDesc(1).unwrap();
        let value = &*(*var).Anonymous.lpvarValue;
        assert_eq!(value.Anonymous.Anonymous.Anonymous.lVal, 1);
        state.ReleaseVarDesc(var);
    }
}
