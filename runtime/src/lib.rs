//! The connection-point runtime that the code cpgen generates from MIDL (`.idl`) files builds
//! on: everything that is the same for every IDL, compiled, documented and tested once.
//!
//! A generated file holds what its IDL decides (GUIDs, bindings, one `<S>Proxy` with `Fire_`
//! methods per source interface `S`, typed sinks, `<Coclass>ConnectionPoints`, the type
//! library's tables) and names the items of this crate for the rest. One module per job:
//!
//! - [`sinks`]: [`Sinks`], one connection point's sink table, and firing;
//! - [`report`]: [`FireReport`] and [`SinkFailure`], what a fire did to each sink;
//! - [`connection_point`]: the `IConnectionPoint` object handed to clients, and the
//!   `IConnectionPointContainer` answers a coclass's connection points give;
//! - [`apartment`]: [`Global`](apartment::Global), sinks kept in the Global Interface
//!   Table, for objects that fire from any thread;
//! - [`dispatch`]: sending a dispinterface event through `IDispatch::Invoke`, and the VARIANT
//!   each `Fire_` parameter travels as;
//! - [`sink`]: the COM object behind every typed sink;
//! - [`receive`]: a typed sink's `IDispatch` half, which checks and unpacks `Invoke`'s
//!   arguments;
//! - [`connection`]: [`advise`] and the [`Connection`] that unadvises when dropped;
//! - [`property_notify`]: asking `IPropertyNotifySink` sinks whether a property may change;
//! - [`record`]: structs sent as `VT_RECORD`, with this crate's `IRecordInfo`;
//! - [`type_library`]: a type library built in memory from static tables;
//! - [`server`]: class factories, a DLL's exports ([`dll_exports!`]), an EXE's class objects,
//!   and registration, for files generated with `--server`;
//! - [`require_version!`]: the check that a generated file was made for this crate.
//!
//! Generated code uses it as below, for a source interface the windows crate already has
//! (`IPropertyNotifySink`): a proxy holding [`Sinks`], an object answering
//! `IConnectionPointContainer` through it, a client connecting a sink with [`advise`], and a
//! fire.
//!
//! ```
//! use std::sync::atomic::{AtomicI32, Ordering};
//!
//! use cpgen_runtime::Sinks;
//! use windows::Win32::System::Com::*;
//! use windows::Win32::System::Ole::{IPropertyNotifySink, IPropertyNotifySink_Impl};
//! use windows_core::*;
//!
//! #[implement(IConnectionPointContainer)]
//! #[derive(Default)]
//! struct Object {
//!     changes: Sinks<IPropertyNotifySink>,
//! }
//!
//! impl IConnectionPointContainer_Impl for Object_Impl {
//!     fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
//!         // SAFETY: COM passes null or a GUID.
//!         if unsafe { cpgen_runtime::requested_iid(riid) }? == IPropertyNotifySink::IID {
//!             Ok(self.changes.connection_point(&self.to_interface()))
//!         } else {
//!             Err(cpgen_runtime::no_connection_point())
//!         }
//!     }
//!     fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
//!         let point = self.changes.connection_point(&self.to_interface());
//!         Ok(cpgen_runtime::enum_connection_points(vec![point]))
//!     }
//! }
//!
//! #[implement(IPropertyNotifySink)]
//! #[derive(Default)]
//! struct Sink(AtomicI32);
//!
//! impl IPropertyNotifySink_Impl for Sink_Impl {
//!     fn OnChanged(&self, dispid: i32) -> Result<()> {
//!         self.0.store(dispid, Ordering::Relaxed);
//!         Ok(())
//!     }
//!     fn OnRequestEdit(&self, _dispid: i32) -> Result<()> {
//!         Ok(())
//!     }
//! }
//!
//! # fn main() -> Result<()> {
//! let object = ComObject::new(Object::default());
//! let counter = ComObject::new(Sink::default());
//! let sink: IPropertyNotifySink = counter.to_interface();
//! let connection = cpgen_runtime::advise(&object.to_interface(), &sink)?;
//! // A Fire_ method: every sink, outside the table's lock; the first error, if any.
//! let fired: Result<()> = object.changes.fire(|sink| unsafe { sink.OnChanged(7) });
//! fired?;
//! assert_eq!(counter.0.load(Ordering::Relaxed), 7);
//! connection.unadvise()
//! # }
//! ```

#![deny(missing_docs)]

pub mod apartment;
pub mod connection;
pub mod connection_point;
pub mod dispatch;
mod enumerators;
pub mod property_notify;
pub mod receive;
pub mod record;
pub mod report;
mod scope;
pub mod server;
pub mod sink;
pub mod sinks;
pub mod type_library;
mod version;

pub use connection::{Connection, advise, advise_iid};
pub use connection_point::{
    default_source_guid, enum_connection_points, no_connection_point, requested_iid,
};
pub use report::{FireReport, SinkFailure};
pub use scope::Scope;
pub use sinks::Sinks;
pub use version::VERSION;
