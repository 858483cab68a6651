//! cpgen's reference output for fixtures/clock.idl, driven under Wine
//! through every runtime rule of issue 4: by Rust clients and sinks, and by
//! clients nobody here wrote (Wine's atl.dll and oleaut32).
#![deny(warnings)]

mod advise;
mod apartments;
mod atl;
mod connection;
mod described;
mod enumerators;
mod firing;
mod lifetime;
mod omitted_and_named;
mod property_notify;
mod pruning;
mod reentrancy;
mod registration;
mod registry;
mod std_dispatch;
mod support;
mod type_library;
mod typed_sinks;
mod typelib;
