//! `int` and `unsigned int` travel as `VT_INT` and `VT_UINT` (as MIDL describes them in type
//! libraries), by value and by reference: a typed sink takes `VT_INT | VT_BYREF` and
//! `VT_UINT | VT_BYREF` and its writes come back to the source's variables; and, from sources
//! that pack a reference to an `int` as `VT_I4 | VT_BYREF` (same layout, other name), those too.

use std::sync::{Arc, Mutex};

use cpgen_clock_events::sinks::{DAllTypes, DAllTypesHandler, DAllTypesSink};
use windows::Win32::Foundation::S_OK;
use windows::Win32::System::Variant::{VARIANT, VT_I4, VT_UI4};
use windows_core::Result;

use crate::invoke::invoke;
use crate::support::{Source, by_ref, enter_mta, lock};

/// What `Counts` received: count, total, delta, limit.
type Received = (i32, u32, i32, u32);

/// Records what `Counts` received and writes back through both references.
struct Counter(Arc<Mutex<Vec<Received>>>);

impl DAllTypesHandler for Counter {
    fn Counts(&self, count: &mut i32, total: &mut u32, delta: i32, limit: u32) -> Result<()> {
        lock(&self.0).push((*count, *total, delta, limit));
        *count += delta;
        *total = limit - 1;
        Ok(())
    }
}

#[test]
fn int_references_reach_the_typed_sink_and_come_back() -> Result<()> {
    enter_mta()?;
    let source = Source::new();
    let heard = Arc::default();
    let _connection = DAllTypesSink::advise(&source.to_interface(), Counter(Arc::clone(&heard)))?;
    let (mut count, mut total) = (-10, 3_000_000_000);
    source
        .events
        .DAllTypes
        .Fire_Counts(&mut count, &mut total, -4, 4_000_000_000)?;
    assert_eq!(*lock(&heard), [(-10, 3_000_000_000, -4, 4_000_000_000)]);
    assert_eq!((count, total), (-14, 3_999_999_999));
    Ok(())
}

#[test]
fn long_references_are_taken_for_int_references() -> Result<()> {
    enter_mta()?;
    let heard = Arc::default();
    let sink = DAllTypes::from(DAllTypesSink(Counter(Arc::clone(&heard))));
    let (mut count, mut total) = (7i32, 9u32);
    let mut args = [
        by_ref(VT_I4, &mut count),
        by_ref(VT_UI4, &mut total),
        VARIANT::from(5),
        VARIANT::from(100u32),
    ];
    // `Counts` is DISPID 5 in fixtures/sinks.idl.
    assert_eq!(invoke(&sink, 5, &mut args).0, S_OK);
    assert_eq!(*lock(&heard), [(7, 9, 5, 100)]);
    assert_eq!((count, total), (12, 99));
    Ok(())
}
