//! What cpgen generates for every coclass with `[source]` members in five of Wine's SDK IDL
//! files, compiled for Windows as a user's crate would include it, under `#![deny(warnings)]`;
//! the tests fire through a few of them under Wine.
#![deny(warnings)]

pub mod exdisp {
    include!(concat!(env!("OUT_DIR"), "/exdisp.rs"));
}
pub mod mshtml {
    include!(concat!(env!("OUT_DIR"), "/mshtml.rs"));
}
pub mod msxml6 {
    include!(concat!(env!("OUT_DIR"), "/msxml6.rs"));
}
pub mod shldisp {
    include!(concat!(env!("OUT_DIR"), "/shldisp.rs"));
}
pub mod wmp {
    include!(concat!(env!("OUT_DIR"), "/wmp.rs"));
}
