/*"items*/
{%- for c in constants %}
/*"-*/
{%- if let Some(doc) = c.doc %}
/// {{ doc }}
///
{%- endif %}
/// The uuid of `{{ c.of }}`.
pub const {{ c.name }}: windows_core::GUID = windows_core::GUID::from_u128(0x{{ c.hex }});
{%- endfor %}

/*"end*/
