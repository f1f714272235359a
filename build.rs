//! Embeds every template under `prompts/` into the binary, so `banso` runs
//! with no files beside it; `prompts_dir` in the config overrides them at run
//! time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=prompts");
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
