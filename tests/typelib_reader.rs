//! Checks the MSFT type library reader that the widl differential test relies
//! on: on a library whose content is known (fixtures/typelib/events.idl,
//! compiled by widl at test time) it must return exactly what the IDL says,
//! and on damaged files it must return an error instead of panicking.

mod common;

use common::typelib::{self, Href, InvokeKind, TYPEFLAG_FDUAL, TypeKind, TypeLib};
use std::path::Path;

/// The fixture's type library, or `None` when widl is unavailable (skipped).
fn events_tlb() -> Option<Vec<u8>> {
    let wine = common::wine_or_skip("typelib_reader")?;
    let idl = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/typelib/events.idl");
    Some(wine.type_library(&idl).expect("widl builds the fixture"))
}

/// The fixture's GUIDs differ only in the last digit of the first group.
fn guid(last: char) -> String {
    format!("5f3c7a1{last}-1b2c-4d3e-8f40-a1b2c3d4e5f6")
}

/// (name, DISPID, invoke kind) of every function of the type named `name`.
fn funcs(lib: &TypeLib, name: &str) -> Vec<(String, i32, InvokeKind)> {
    let ti = lib
        .types
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no {name}"));
    ti.funcs
        .iter()
        .map(|f| (f.name.clone(), f.memid, f.invoke))
        .collect()
}

fn owned(v: &[(&str, i32, InvokeKind)]) -> Vec<(String, i32, InvokeKind)> {
    v.iter().map(|&(n, id, k)| (n.to_owned(), id, k)).collect()
}

#[test]
fn reads_what_the_fixture_declares() {
    let Some(data) = events_tlb() else { return };
    let lib = typelib::parse(&data).expect("parse widl's type library");
    assert_eq!(lib.name, "EventsLib");
    assert_eq!(lib.guid.to_string(), guid('0'));

    let summary: Vec<(&str, TypeKind, bool, String)> = lib
        .types
        .iter()
        .map(|t| {
            (
                t.name.as_str(),
                t.kind,
                t.flags & TYPEFLAG_FDUAL != 0,
                t.guid.expect("a uuid").to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("IClock", TypeKind::Dispatch, true, guid('2')),
            ("IClockAdmin", TypeKind::Interface, false, guid('3')),
            ("_ClockEvents", TypeKind::Dispatch, false, guid('1')),
            ("_ClockLegacyEvents", TypeKind::Dispatch, false, guid('4')),
            ("Clock", TypeKind::Coclass, false, guid('5')),
        ]
    );

    use InvokeKind::*;
    assert_eq!(
        funcs(&lib, "_ClockEvents"),
        owned(&[
            ("Tick", 1, Func),
            ("Alarm", 0x20, Func),
            // widl numbers an unnumbered dispinterface method 0x60000000 + its index.
            ("Stopped", 0x6000_0002, Func),
            ("Interval", 7, PropGet),
            ("Interval", 7, PropPut),
        ])
    );
    assert_eq!(
        funcs(&lib, "IClock"),
        // ... and a dual interface's 0x6000_0000 | (inherited interfaces << 16) | index.
        owned(&[
            ("Start", 3, Func),
            ("Stop", 0x6002_0001, Func),
            ("Running", 0x6002_0002, PropGet)
        ])
    );
    assert_eq!(
        funcs(&lib, "IClockAdmin"),
        owned(&[("Reset", 0x6001_0000, Func)])
    );
    assert_eq!(
        funcs(&lib, "_ClockLegacyEvents"),
        owned(&[("Tick", 1, Func)])
    );

    let clock = &lib.types[4];
    let members: Vec<(&Href, u32)> = clock
        .impl_types
        .iter()
        .map(|m| (&m.target, m.flags))
        .collect();
    assert_eq!(
        members,
        [
            (&Href::Local(0), 1),
            (&Href::Local(1), 4),
            (&Href::Local(2), 1 | 2),
            (&Href::Local(3), 2 | 4)
        ]
    );
}

#[test]
fn every_truncation_is_an_error() {
    let Some(data) = events_tlb() else { return };
    typelib::parse(&data).expect("the whole file parses");
    for len in 0..data.len() {
        assert!(
            typelib::parse(&data[..len]).is_err(),
            "a {len}-byte prefix parsed"
        );
    }
}

#[test]
fn corrupt_words_do_not_panic() {
    let Some(data) = events_tlb() else { return };
    let mut corrupt = data.clone();
    for at in (0..data.len() & !3).step_by(4) {
        for word in [u32::MAX, 0x7fff_ffff, 0x8000_0000, 0x0000_ffff] {
            corrupt[at..at + 4].copy_from_slice(&word.to_le_bytes());
            let _ = typelib::parse(&corrupt);
        }
        corrupt[at..at + 4].copy_from_slice(&data[at..at + 4]);
    }
    let err = typelib::parse(b"SLTG and other things").unwrap_err();
    assert!(err.contains("not an MSFT type library"), "{err}");
}
