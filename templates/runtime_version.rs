// Made for cpgen-runtime {{ version }}; another version fails here, saying what to do.
const _: () = cpgen_runtime::require_version!("{{ version }}");
