//! The crate's module graph read off the source text: which module names
//! which, from `use` trees and from `crate::`/`super::`/`self::` paths in
//! the code. Enough of Rust's syntax to find those paths; comments, strings
//! and character literals are skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module by its path from the crate root (`["bot", "consultations"]`).
pub type ModulePath = Vec<String>;

/// Every module of a source tree and the modules each one names.
#[derive(Debug, Default)]
pub struct ModuleGraph {
    /// The file of each module.
    pub files: BTreeMap<ModulePath, PathBuf>,
    /// Module -> the modules its code names (resolved to the deepest known
    /// module of each path).
    pub uses: BTreeMap<ModulePath, BTreeSet<ModulePath>>,
}

/// The `.rs` files under `dir`, sorted.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("source folder exists") {
        let path = entry.expect("readable entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The module a library file holds: `src/lib.rs` is the root,
/// `src/a/mod.rs` and `src/a.rs` are `a`. `None` for the binary's
/// `main.rs`, which is a crate of its own.
fn module_of(src: &Path, file: &Path) -> Option<ModulePath> {
    let relative = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = parts.pop()?;
    match last.as_str() {
        "lib.rs" if parts.is_empty() => Some(parts),
        "main.rs" if parts.is_empty() => None,
        "mod.rs" => Some(parts),
        other => {
            parts.push(other.trim_end_matches(".rs").to_owned());
            Some(parts)
        }
    }
}

impl ModuleGraph {
    /// Reads every library file under `src`.
    pub fn of_source_tree(src: &Path) -> Self {
        let mut graph = ModuleGraph::default();
        for file in rust_files(src) {
            if let Some(module) = module_of(src, &file) {
                graph.files.insert(module, file);
            }
        }
        let modules: BTreeSet<ModulePath> = graph.files.keys().cloned().collect();
        for (module, file) in &graph.files {
            let text = std::fs::read_to_string(file).expect("readable source");
            graph.uses.entry(module.clone()).or_default();
            for (inline, path) in paths_in(&text) {
                // An inline module (`mod tests { … }`) is a module of its own.
                let mut from = module.clone();
                from.extend(inline);
                if let Some(target) = resolve(&modules, &from, &path) {
                    graph.uses.entry(from).or_default().insert(target);
                }
            }
        }
        graph
    }

    /// Edges between siblings: `a` uses `b` when code in `a` or below it
    /// names `b` or something below it, and `a`, `b` have the same parent.
    /// A module naming its own ancestors (`super::Bot`) or descendants is
    /// not an edge: a parent is built of its children.
    pub fn sibling_edges(&self) -> BTreeMap<ModulePath, BTreeSet<(String, String)>> {
        let mut edges: BTreeMap<ModulePath, BTreeSet<(String, String)>> = BTreeMap::new();
        for (from, targets) in &self.uses {
            for to in targets {
                let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
                if common == from.len() || common == to.len() {
                    continue;
                }
                let parent = from[..common].to_vec();
                edges
                    .entry(parent)
                    .or_default()
                    .insert((from[common].clone(), to[common].clone()));
            }
        }
        edges
    }

    /// Every cycle among siblings, each as `parent: a -> b -> a`.
    pub fn cycles(&self) -> Vec<String> {
        let mut found = Vec::new();
        for (parent, edges) in self.sibling_edges() {
            for cycle in cycles_in(&edges) {
                let parent = if parent.is_empty() {
                    String::from("crate")
                } else {
                    parent.join("::")
                };
                found.push(format!("{parent}: {}", cycle.join(" -> ")));
            }
        }
        found
    }

    /// The top-level modules that `top` (or anything below it) names,
    /// leaving out its unit tests (modules named `tests`), which may build
    /// their fixtures from any layer: nothing depends on a test.
    pub fn top_level_uses(&self, top: &str) -> BTreeSet<String> {
        self.uses
            .iter()
            .filter(|(from, _)| from.first().is_some_and(|first| first == top))
            .filter(|(from, _)| !from.iter().any(|segment| segment == "tests"))
            .flat_map(|(_, targets)| targets)
            .filter_map(|to| to.first())
            .filter(|to| *to != top)
            .cloned()
            .collect()
    }
}

/// One cycle per strongly connected group of two or more, found by a walk
/// from each node in name order; reported once, starting at its smallest
/// name.
fn cycles_in(edges: &BTreeSet<(String, String)>) -> Vec<Vec<String>> {
    let next = |node: &str| -> Vec<&String> {
        edges
            .iter()
            .filter(|(from, _)| from == node)
            .map(|(_, to)| to)
            .collect()
    };
    let nodes: BTreeSet<&String> = edges.iter().map(|(from, _)| from).collect();
    let mut cycles: Vec<Vec<String>> = Vec::new();
    for start in nodes {
        // Breadth-first back to `start`: the shortest cycle through it.
        let mut came_from: BTreeMap<&String, &String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut closed = None;
        while let Some(node) = queue.pop_front() {
            for to in next(node) {
                if to == start {
                    closed = Some(node);
                    break;
                }
                if !came_from.contains_key(to) {
                    came_from.insert(to, node);
                    queue.push_back(to);
                }
            }
            if closed.is_some() {
                break;
            }
        }
        let Some(mut node) = closed else { continue };
        let mut cycle = vec![start.clone()];
        let mut back = Vec::new();
        while node != start {
            back.push(node.clone());
            node = came_from[node];
        }
        cycle.extend(back.into_iter().rev());
        let smallest = cycle.iter().min().expect("not empty").clone();
        let turn = cycle.iter().position(|name| *name == smallest).unwrap_or(0);
        cycle.rotate_left(turn);
        cycle.push(smallest);
        if !cycles.contains(&cycle) {
            cycles.push(cycle);
        }
    }
    cycles
}

/// The deepest module of `modules` that `path`, written in module `from`,
/// points into. Paths into other crates give `None`.
fn resolve(modules: &BTreeSet<ModulePath>, from: &[String], path: &[String]) -> Option<ModulePath> {
    let mut absolute: Vec<String> = from.to_vec();
    let mut segments = path.iter().peekable();
    match segments.peek().map(|segment| segment.as_str()) {
        Some("crate") => {
            absolute.clear();
            segments.next();
        }
        Some("self") => {
            segments.next();
        }
        Some("super") => {
            while segments.peek().is_some_and(|segment| *segment == "super") {
                segments.next();
                absolute.pop()?;
            }
        }
        _ => return None,
    }
    for segment in segments {
        let mut deeper = absolute.clone();
        deeper.push(segment.clone());
        if !modules.contains(&deeper) {
            break;
        }
        absolute = deeper;
    }
    Some(absolute)
}

/// The source as tokens: identifiers, `::`, and single punctuation
/// characters; comments, strings and character literals left out.
fn tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == '"' || (c == 'r' && matches!(next, Some('"' | '#'))) {
            i = skip_string(&chars, i);
        } else if c == '\'' {
            i = skip_char_or_lifetime(&chars, i);
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else if c == ':' && next == Some(':') {
            tokens.push(String::from("::"));
            i += 2;
        } else {
            if !c.is_whitespace() {
                tokens.push(c.to_string());
            }
            i += 1;
        }
    }
    tokens
}

/// Past a string literal starting at `i` (plain, raw `r#"…"#`).
fn skip_string(chars: &[char], mut i: usize) -> usize {
    if chars[i] == 'r' {
        i += 1;
        let mut hashes = 0;
        while chars.get(i) == Some(&'#') {
            hashes += 1;
            i += 1;
        }
        if chars.get(i) != Some(&'"') {
            // `r#ident`: a raw identifier, not a string.
            return i;
        }
        i += 1;
        while i < chars.len() {
            if chars[i] == '"' && chars[i + 1..].iter().take(hashes).all(|c| *c == '#') {
                return i + 1 + hashes;
            }
            i += 1;
        }
        return i;
    }
    i += 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// Past `'x'`, `'\n'` or a lifetime `'a`.
fn skip_char_or_lifetime(chars: &[char], i: usize) -> usize {
    if chars.get(i + 1) == Some(&'\\') {
        let mut j = i + 2;
        while j < chars.len() && chars[j] != '\'' {
            j += 1;
        }
        return j + 1;
    }
    if chars.get(i + 2) == Some(&'\'') {
        return i + 3;
    }
    i + 1
}

/// Every path in the code that starts with `crate`, `super` or `self`,
/// with the inline modules (`mod tests { … }`) it sits in.
fn paths_in(text: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let tokens = tokens(text);
    let mut found = Vec::new();
    // Inline modules open at a brace depth.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i].as_str();
        match token {
            "{" => depth += 1,
            "}" => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, at)| *at == depth) {
                    inline.pop();
                }
            }
            "mod" if tokens.get(i + 2).is_some_and(|t| t == "{") => {
                inline.push((tokens[i + 1].clone(), depth));
            }
            "use" => {
                let end = (i..tokens.len())
                    .find(|j| tokens[*j] == ";")
                    .unwrap_or(tokens.len());
                let inside: Vec<String> = inline.iter().map(|(name, _)| name.clone()).collect();
                for path in use_tree(&tokens[i + 1..end]) {
                    found.push((inside.clone(), path));
                }
                i = end;
                continue;
            }
            "crate" | "super" | "self" if tokens.get(i + 1).is_some_and(|t| t == "::") => {
                let previous = i.checked_sub(1).map(|j| tokens[j].as_str());
                if previous != Some("::") {
                    let mut path = vec![token.to_owned()];
                    let mut j = i + 1;
                    while tokens.get(j).is_some_and(|t| t == "::")
                        && tokens.get(j + 1).is_some_and(|t| is_identifier(t))
                    {
                        path.push(tokens[j + 1].clone());
                        j += 2;
                    }
                    let inside = inline.iter().map(|(name, _)| name.clone()).collect();
                    found.push((inside, path));
                    i = j;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

fn is_identifier(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// The paths of a use tree (`a::{b, c::{d, e}}` -> `a::b`, `a::c::d`, `a::c::e`).
fn use_tree(tokens: &[String]) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut position = 0;
    expand(tokens, &mut position, Vec::new(), &mut paths);
    paths
}

fn expand(tokens: &[String], at: &mut usize, prefix: Vec<String>, paths: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    while *at < tokens.len() {
        let token = tokens[*at].as_str();
        match token {
            "::" => *at += 1,
            "{" => {
                *at += 1;
                loop {
                    expand(tokens, at, path.clone(), paths);
                    match tokens.get(*at).map(String::as_str) {
                        Some(",") => *at += 1,
                        Some("}") => {
                            *at += 1;
                            return;
                        }
                        _ => return,
                    }
                    if tokens.get(*at).is_some_and(|t| t == "}") {
                        *at += 1;
                        return;
                    }
                }
            }
            "," | "}" => break,
            "as" => *at += 2,
            "*" => *at += 1,
            _ => {
                path.push(token.to_owned());
                *at += 1;
            }
        }
    }
    if !path.is_empty() {
        paths.push(path);
    }
}
