//! `wasm-prune MODULE.wasm`: removes from the console's WebAssembly the code of asynchronous
//! hydration, which the console never runs, so that wasm-opt can drop it.
//!
//! Leptos 0.8 keeps two ways of hydrating every type-erased view (`AnyView`): `hydrate`, used
//! by `hydrate_body` (the console's entry point), and `hydrate_async`, used only by
//! `hydrate_lazy` for lazily loaded routes. Each `AnyView` stores a pointer to both, so the
//! linker keeps the asynchronous copy of every page's hydration code although nothing calls it:
//! about a fifth of the compressed module. (Leptos 0.9 puts it behind a feature.)
//!
//! This tool replaces the body of every function that belongs to `hydrate_async` (found by the
//! names wasm-bindgen leaves in the module) with `unreachable`, and the drop code of the
//! futures they create. Before writing, it checks that no code that stays calls one of them
//! directly; if some does, it changes nothing and fails. (Calls through a table it cannot
//! follow: there it relies on the names, and the browser tests run on the pruned build.) `frontend/prune/bin/wasm-opt` runs it
//! on the release build's module just before wasm-opt.

use std::{collections::HashMap, collections::HashSet, env, fs, process::ExitCode};
use wasm_encoder::{CodeSection, Function, Instruction, Module, RawSection, SectionId};
use wasmparser::{KnownCustom, Name, Operator, Parser, Payload};

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let (require, path) = match args.as_slice() {
        [flag, path] if flag == "--require" => (true, path),
        [path] => (false, path),
        _ => {
            eprintln!("usage: wasm-prune [--require] MODULE.wasm   (rewrites the file in place)");
            return ExitCode::from(2);
        }
    };
    let result = fs::read(path)
        .map_err(|e| format!("cannot read {path}: {e}"))
        .and_then(|input| prune(&input))
        .and_then(|pruned| match pruned {
            Some((output, summary)) => {
                fs::write(path, output).map_err(|e| format!("cannot write {path}: {e}"))?;
                Ok(summary)
            }
            // After a Leptos upgrade the names may have changed: the module would grow by a
            // fifth without anyone noticing, unless asked to fail.
            None if require => Err(NOTHING_FOUND.to_string() + "; --require: stopping"),
            None => Ok(NOTHING_FOUND.to_string() + "; module left as it was"),
        });
    match result {
        Ok(summary) => {
            eprintln!("wasm-prune: {summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("wasm-prune: {e}");
            ExitCode::FAILURE
        }
    }
}

const NOTHING_FOUND: &str = "no asynchronous hydration code found (by its names)";

/// The module without the bodies of asynchronous hydration, and a line saying what went; `None`
/// when there is nothing to remove.
fn prune(input: &[u8]) -> Result<Option<(Vec<u8>, String)>, String> {
    let module = read(input).map_err(|e| format!("not a WebAssembly module: {e}"))?;
    let mut dead: HashSet<u32> = module
        .names
        .iter()
        .filter(|(index, name)| **index >= module.imported && runs_only_in_async_hydration(name))
        .map(|(index, _)| *index)
        .collect();
    // A closure boxed inside `hydrate_async` is called through a vtable shim of its own
    // (`FnOnce::call_once{{vtable.shim}}`, whose name does not say whose): it goes with it.
    for (index, name) in &module.names {
        if name.contains("{{vtable.shim}}")
            && callees(input, &module, *index)?
                .iter()
                .any(|c| dead.contains(c))
        {
            dead.insert(*index);
        }
    }
    if dead.is_empty() {
        return Ok(None);
    }
    check_no_live_caller(input, &module, &dead)?;
    let output = write(input, &module, &dead).map_err(|e| e.to_string())?;
    let code: usize = dead
        .iter()
        .filter_map(|index| module.bodies.get((index - module.imported) as usize))
        .map(|range| range.len())
        .sum();
    let summary = format!(
        "{} functions of asynchronous hydration ({code} bytes of code) replaced by `unreachable`",
        dead.len()
    );
    Ok(Some((output, summary)))
}

/// What the two passes need: how many functions are imported (defined functions are numbered
/// after them), each function's name, and where each function body lies.
struct Layout {
    imported: u32,
    names: HashMap<u32, String>,
    bodies: Vec<std::ops::Range<usize>>,
    /// Functions the host or an indirect call can enter: exports, the start function and every
    /// function in a table.
    roots: Vec<u32>,
}

fn read(input: &[u8]) -> wasmparser::Result<Layout> {
    let mut layout = Layout {
        imported: 0,
        names: HashMap::new(),
        bodies: Vec::new(),
        roots: Vec::new(),
    };
    for payload in Parser::new(0).parse_all(input) {
        match payload? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    if matches!(
                        import?.ty,
                        wasmparser::TypeRef::Func(_) | wasmparser::TypeRef::FuncExact(_)
                    ) {
                        layout.imported += 1;
                    }
                }
            }
            Payload::ExportSection(exports) => {
                for export in exports {
                    let export = export?;
                    if matches!(
                        export.kind,
                        wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact
                    ) {
                        layout.roots.push(export.index);
                    }
                }
            }
            Payload::StartSection { func, .. } => layout.roots.push(func),
            Payload::ElementSection(elements) => {
                for element in elements {
                    match element?.items {
                        wasmparser::ElementItems::Functions(functions) => {
                            for function in functions {
                                layout.roots.push(function?);
                            }
                        }
                        wasmparser::ElementItems::Expressions(_, expressions) => {
                            for expression in expressions {
                                for operator in expression?.get_operators_reader() {
                                    if let Operator::RefFunc { function_index } = operator? {
                                        layout.roots.push(function_index);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => layout.bodies.push(usize_range(body.range())),
            Payload::CustomSection(section) => {
                if let KnownCustom::Name(names) = section.as_known() {
                    for name in names {
                        if let Name::Function(map) = name? {
                            for naming in map {
                                let naming = naming?;
                                layout.names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(layout)
}

/// A range of the input (which is in memory, so its offsets fit a `usize`).
fn usize_range(range: std::ops::Range<u64>) -> std::ops::Range<usize> {
    range.start as usize..range.end as usize
}

/// Whether a function (by its demangled name) is part of `hydrate_async`: the method itself,
/// a closure (or async body) within it, or the drop code of such a future. Type arguments do
/// not count (`Vec<…hydrate_async…>::push` is not one), nor do
/// named functions declared inside it (`…::hydrate_async::{{closure}}::get_guard` may be the
/// very code the synchronous path shares: the compiler merges identical functions).
fn runs_only_in_async_hydration(name: &str) -> bool {
    let name = strip_hash(name);
    let dropped = name
        .strip_prefix("core::ptr::drop_in_place<")
        .and_then(|t| t.strip_suffix('>'));
    is_async_hydration_path(dropped.unwrap_or(name))
}

/// `…::hydrate_async`, `…::hydrate_async<T>` or a closure within it, judged by the path's own
/// segments (not its type arguments).
fn is_async_hydration_path(path: &str) -> bool {
    let mut segments = top_level_segments(path)
        .map(|segment| segment.split_once('<').map_or(segment, |(head, _)| head))
        .skip_while(|segment| *segment != "hydrate_async");
    // Closures are `{{closure}}` in the legacy demangling, `{closure#N}` in v0.
    segments.next().is_some()
        && segments.all(|segment| segment.starts_with("{closure") || segment == "{{closure}}")
}

/// `path::to::fn::h0123456789abcdef` without the symbol hash.
fn strip_hash(name: &str) -> &str {
    match name.rsplit_once("::h") {
        Some((head, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            head
        }
        _ => name,
    }
}

/// The `::`-separated segments of a path that lie outside any `<…>`, `(…)` or `[…]`.
fn top_level_segments(path: &str) -> impl Iterator<Item = &str> {
    let mut segments = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' | b'(' | b'[' => depth += 1,
            b'>' | b')' | b']' => depth = depth.saturating_sub(1),
            b':' if depth == 0 && bytes.get(i + 1) == Some(&b':') => {
                segments.push(&path[start..i]);
                start = i + 2;
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    segments.push(&path[start..]);
    segments.into_iter()
}

/// Fails if code that can still run calls code that goes directly: the names would then have
/// misled us (say, two identical functions merged under the name of the asynchronous one).
/// Walks the direct calls from every root (export, start, table entry) that stays, without
/// entering the functions that go; none of them may be reached. A merged function reached only
/// through a table (a vtable) escapes this check.
fn check_no_live_caller(input: &[u8], module: &Layout, dead: &HashSet<u32>) -> Result<(), String> {
    let callees = |index: u32| callees(input, module, index);
    let mut seen: HashSet<u32> = HashSet::new();
    let mut queue: Vec<u32> = module
        .roots
        .iter()
        .copied()
        .filter(|f| !dead.contains(f))
        .collect();
    let mut offenders = Vec::new();
    while let Some(function) = queue.pop() {
        if !seen.insert(function) {
            continue;
        }
        for callee in callees(function)? {
            if dead.contains(&callee) {
                offenders.push((function, callee));
            } else if !seen.contains(&callee) {
                queue.push(callee);
            }
        }
    }
    if offenders.is_empty() {
        return Ok(());
    }
    let name = |i: &u32| module.names.get(i).map_or("?", String::as_str);
    let examples: Vec<String> = offenders
        .iter()
        .take(3)
        .map(|(caller, callee)| format!("{} calls {}", name(caller), name(callee)))
        .collect();
    Err(format!(
        "{} calls from code that stays into asynchronous hydration; nothing removed. {}",
        offenders.len(),
        examples.join("; ")
    ))
}

/// The functions a function calls directly or takes the address of (none for an import).
fn callees(input: &[u8], module: &Layout, index: u32) -> Result<Vec<u32>, String> {
    let Some(range) = index
        .checked_sub(module.imported)
        .and_then(|ordinal| module.bodies.get(ordinal as usize))
    else {
        return Ok(Vec::new());
    };
    let body = wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(
        &input[range.clone()],
        range.start as u64,
    ));
    let mut found = Vec::new();
    let mut operators = body.get_operators_reader().map_err(|e| e.to_string())?;
    while !operators.eof() {
        match operators.read().map_err(|e| e.to_string())? {
            Operator::Call { function_index }
            | Operator::ReturnCall { function_index }
            | Operator::RefFunc { function_index } => found.push(function_index),
            _ => {}
        }
    }
    Ok(found)
}

/// The module again, section by section as it was, with the chosen bodies replaced.
fn write(input: &[u8], module: &Layout, dead: &HashSet<u32>) -> wasmparser::Result<Vec<u8>> {
    let mut out = Module::new();
    for payload in Parser::new(0).parse_all(input) {
        let payload = payload?;
        if let Payload::CodeSectionStart { .. } = payload {
            let mut code = CodeSection::new();
            for (ordinal, range) in module.bodies.iter().enumerate() {
                if dead.contains(&(module.imported + ordinal as u32)) {
                    let mut stub = Function::new([]);
                    stub.instruction(&Instruction::Unreachable);
                    stub.instruction(&Instruction::End);
                    code.function(&stub);
                } else {
                    code.raw(&input[range.clone()]);
                }
            }
            out.section(&code);
        } else if let Some((id, range)) = payload.as_section()
            && id != SectionId::Code as u8
        {
            out.section(&RawSection {
                id,
                data: &input[usize_range(range)],
            });
        }
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests;
