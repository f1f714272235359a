//! The crate's module graph read off the source text: which module names
//! which, from `use` trees and from `crate::`/`super::`/`self::` paths in
//! the code, following re-exports (`pub use`) to the module an item comes
//! from. Enough of Rust's syntax to find those paths; comments, strings
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
    /// `(module, name)` -> the path it re-exports, as written in that module.
    reexports: BTreeMap<(ModulePath, String), (ModulePath, Vec<String>)>,
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
        let mut found = Vec::new();
        for (module, file) in &graph.files {
            let text = std::fs::read_to_string(file).expect("readable source");
            for named in paths_in(&text) {
                // An inline module (`mod tests { … }`) is a module of its own.
                let mut from = module.clone();
                from.extend(named.inline);
                if let Some(name) = named.reexported_as {
                    let key = (from.clone(), name);
                    let value = (from.clone(), named.path.clone());
                    graph.reexports.insert(key, value);
                }
                found.push((module.clone(), from, named.path));
            }
        }
        for (module, from, path) in found {
            graph.uses.entry(module).or_default();
            if let Some(target) = graph.resolve(&from, &path, 0) {
                graph.uses.entry(from).or_default().insert(target);
            }
        }
        graph
    }

    fn is_module(&self, path: &[String]) -> bool {
        self.files.contains_key(path)
    }

    /// The deepest module that `path`, written in module `from`, points
    /// into, through re-exports. Paths into other crates give `None`.
    fn resolve(&self, from: &[String], path: &[String], depth: usize) -> Option<ModulePath> {
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
            // A path from a child module (`use child::item;`).
            Some(first) if self.is_module(&[from, &[first.to_owned()]].concat()) => {}
            _ => return None,
        }
        for segment in segments {
            let mut deeper = absolute.clone();
            deeper.push(segment.clone());
            if self.is_module(&deeper) {
                absolute = deeper;
                continue;
            }
            // An item re-exported here lives where its `pub use` points.
            let reexport = self.reexports.get(&(absolute.clone(), segment.clone()));
            if let Some((written_in, target)) = reexport
                && depth < 8
                && let Some(origin) = self.resolve(written_in, target, depth + 1)
                && origin != absolute
            {
                absolute = origin;
                continue;
            }
            break;
        }
        Some(absolute)
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

/// The source with comments, strings and character literals blanked
/// (their line breaks kept), so that neither can hide or fake code.
pub fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut code = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let end = if c == '/' && next == Some('/') {
            (i..chars.len())
                .find(|j| chars[*j] == '\n')
                .unwrap_or(chars.len())
        } else if c == '/' && next == Some('*') {
            let mut j = i + 2;
            while j + 1 < chars.len() && !(chars[j] == '*' && chars[j + 1] == '/') {
                j += 1;
            }
            (j + 2).min(chars.len())
        } else if c == '"'
            || (c == 'r' && matches!(next, Some('"' | '#')) && !continues_word(&chars, i))
        {
            skip_string(&chars, i)
        } else if c == '\'' {
            skip_char_or_lifetime(&chars, i)
        } else {
            code.push(c);
            i += 1;
            continue;
        };
        let skipped = &chars[i..end.max(i + 1).min(chars.len())];
        // A raw identifier (`r#type`) is code, not a string.
        if skipped.first() == Some(&'r') && skipped.get(2) != Some(&'"') && skipped.len() <= 2 {
            code.extend(skipped);
        } else {
            code.push(' ');
            code.extend(skipped.iter().filter(|c| **c == '\n'));
        }
        i = end.max(i + 1);
    }
    code
}

/// Whether the character before `i` makes it part of a word (`for"` is not
/// `r"`).
fn continues_word(chars: &[char], i: usize) -> bool {
    i.checked_sub(1)
        .is_some_and(|j| chars[j].is_alphanumeric() || chars[j] == '_')
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

/// The code as tokens: identifiers, `::`, and single punctuation
/// characters.
pub fn tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = strip_comments_and_strings(text).chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
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

/// A path found in the code.
struct NamedPath {
    /// The inline modules (`mod tests { … }`) it sits in.
    inline: Vec<String>,
    path: Vec<String>,
    /// For a `pub use`, the name it is re-exported as.
    reexported_as: Option<String>,
}

/// Every `use` path, and every path in the code that starts with `crate`,
/// `super` or `self`.
fn paths_in(text: &str) -> Vec<NamedPath> {
    let tokens = tokens(text);
    let mut found = Vec::new();
    // Inline modules open at a brace depth.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i].as_str();
        let inside = || inline.iter().map(|(name, _)| name.clone()).collect();
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
                let public = is_public(&tokens[..i]);
                let end = (i..tokens.len())
                    .find(|j| tokens[*j] == ";")
                    .unwrap_or(tokens.len());
                for (path, name) in use_tree(&tokens[i + 1..end]) {
                    let reexported_as = (public && name != "*").then_some(name);
                    found.push(NamedPath {
                        inline: inside(),
                        path,
                        reexported_as,
                    });
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
                    found.push(NamedPath {
                        inline: inside(),
                        path,
                        reexported_as: None,
                    });
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

/// Whether the `use` after `before` is `pub`, `pub(crate)`, `pub(super)`…
fn is_public(before: &[String]) -> bool {
    match before {
        [.., last] if last == "pub" => true,
        [.., pub_, open, _, close] if pub_ == "pub" && open == "(" && close == ")" => true,
        _ => false,
    }
}

fn is_identifier(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// The paths of a use tree with the name each binds
/// (`a::{b, c::{self, d as e}}` -> `a::b` as `b`, `a::c` as `c`, `a::c::d` as `e`).
fn use_tree(tokens: &[String]) -> Vec<(Vec<String>, String)> {
    let mut paths = Vec::new();
    let mut position = 0;
    expand(tokens, &mut position, Vec::new(), &mut paths);
    paths
}

fn expand(
    tokens: &[String],
    at: &mut usize,
    prefix: Vec<String>,
    paths: &mut Vec<(Vec<String>, String)>,
) {
    let mut path = prefix;
    let mut alias = None;
    while *at < tokens.len() {
        let token = tokens[*at].as_str();
        match token {
            "::" => *at += 1,
            "{" => {
                *at += 1;
                loop {
                    if tokens.get(*at).is_some_and(|t| t == "}") {
                        *at += 1;
                        return;
                    }
                    expand(tokens, at, path.clone(), paths);
                    match tokens.get(*at).map(String::as_str) {
                        Some(",") => *at += 1,
                        Some("}") => {
                            *at += 1;
                            return;
                        }
                        _ => return,
                    }
                }
            }
            "," | "}" => break,
            "as" => {
                alias = tokens.get(*at + 1).cloned();
                *at += 2;
            }
            "*" => {
                alias = Some(String::from("*"));
                *at += 1;
            }
            _ => {
                path.push(token.to_owned());
                *at += 1;
            }
        }
    }
    // `a::b::self` binds `b`.
    if path.last().is_some_and(|last| last == "self") {
        path.pop();
    }
    if let Some(last) = path.last() {
        let name = alias.unwrap_or_else(|| last.clone());
        paths.push((path, name));
    }
}
