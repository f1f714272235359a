//! Embeds every template under `prompts/` into the binary, so `banso` runs
//! with no files beside it; `prompts_dir` in the config overrides them at run
//! time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    pack_relative_relocations();
    println!("cargo:rerun-if-changed=prompts");
    // `sqlx::migrate!` reads the folders when the crate compiles; a new
    // migration file must make it compile again.
    println!("cargo:rerun-if-changed=migrations");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("prompts");
    let mut files = Vec::new();
    collect_templates(&root, &mut files);
    files.sort();
    let mut generated =
        String::from("pub(crate) static EMBEDDED_TEMPLATES: &[(&str, &str)] = &[\n");
    for file in &files {
        let name = file
            .strip_prefix(&root)
            .expect("template lies under prompts/")
            .to_string_lossy()
            .replace('\\', "/");
        let name = name.trim_end_matches(".j2");
        writeln!(
            generated,
            "    ({name:?}, include_str!({:?})),",
            file.display()
        )
        .unwrap();
    }
    generated.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("embedded_templates.rs"), generated).expect("OUT_DIR is writable");
}

/// A position-independent `banso` carries one relocation per pointer in its
/// static data (vtables, string tables, panic locations): 1.6 MB that the
/// loader reads at every start. Packed (RELR) they take a few kilobytes,
/// with the same address-space randomisation (BENCHMARKS.md, memory). GNU
/// ld 2.38+ and glibc 2.36+; an older toolchain ignores the option.
fn pack_relative_relocations() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

fn collect_templates(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect_templates(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "j2") {
            println!("cargo:rerun-if-changed={}", path.display());
            files.push(path);
        }
    }
}
