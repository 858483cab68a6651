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
            implements: &[Implemented::new(Ref::IDISPATCH, 0)],
            funcs: &[Func {
                name: "Ask",
                memid: 7,
                invoke: 1,
                params: &[
                    Param::new("question", Desc::Vt(VT_BSTR), 0x1),
                    Param::new("answer", Desc::Ptr(&Desc::Vt(VT_BOOL)), 0x3),
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
            implements: &[Implemented::new(Ref::Local(0), 0x3)],
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
        let mut names = [BSTR::new(), BSTR::new(), BSTR::new()];
        let mut count = 0;
        events.GetNames(memid, &mut names, &mut count).unwrap();
        assert_eq!((memid, count), (7, 3));
        assert_eq!(names.map(|n| n.to_string()), ["Ask", "question", "answer"]);
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
