use cpgen_runtime::{ {{- modules|join(", ") -}} };
{%- if event_args %}
use cpgen_runtime::dispatch::EventArg as _;
{%- endif %}
pub use cpgen_runtime::{Connection, FireReport, SinkFailure, advise, advise_iid};
