fn main() -> anyhow::Result<()> {
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?).join("events.rs");
    cpgen::Builder::new()
        .idl("clock.idl")
        .coclass("Clock")
        .out_file(out)
        .generate()
}
