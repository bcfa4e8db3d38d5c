//! What wasm-prune removes and what it leaves, on small modules built here.

use super::*;

#[test]
fn async_hydration_is_recognised_by_its_own_path_only() {
    for name in [
        "<T as tachys::view::any_view::IntoAny>::into_any::hydrate_async::h0123456789abcdef",
        "<T as tachys::view::any_view::IntoAny>::into_any::hydrate_async::{{closure}}",
        "tachys::reactive_graph::<impl tachys::view::RenderHtml for F>::hydrate_async::{{closure}}::{{closure}}",
        "core::ptr::drop_in_place<<leptos::into_view::View<T> as tachys::view::RenderHtml>::hydrate_async::{{closure}}>",
        "<T as tachys::view::any_view::IntoAny>::into_any::hydrate_async::{closure#0}",
    ] {
        assert!(runs_only_in_async_hydration(name), "{name}");
    }
    for name in [
        "<T as tachys::view::any_view::IntoAny>::into_any::hydrate_from_server",
        "leptos::mount::hydrate_from_async::{{closure}}",
        "<tachys::html::element::HtmlElement<E,At,Ch> as tachys::view::RenderHtml>::hydrate",
        "alloc::vec::Vec<<T as x::IntoAny>::into_any::hydrate_async::{{closure}}>::push",
        "hydrate_asynchronously",
        "core::ptr::drop_in_place<alloc::vec::Vec<u8>>",
        "core::ptr::drop_in_place<(u8, <A as B>::hydrate_async::{{closure}})>",
        "tachys::reactive_graph::<impl RenderHtml for F>::hydrate_async::{{closure}}::get_guard",
    ] {
        assert!(!runs_only_in_async_hydration(name), "{name}");
    }
}

/// A module with an import and three functions named like the console's; the exported one
/// calls the synchronous one, or (`live_calls_dead`) the asynchronous one.
fn module(live_calls_dead: bool) -> Vec<u8> {
    use wasm_encoder::{
        EntityType, ExportKind, ExportSection, FunctionSection, ImportSection, NameMap,
        NameSection, TypeSection,
    };
    let mut types = TypeSection::new();
    types.ty().function([], [wasm_encoder::ValType::I32]);
    let mut imports = ImportSection::new();
    imports.import("env", "f", EntityType::Function(0));
    let mut functions = FunctionSection::new();
    for _ in 0..3 {
        functions.function(0);
    }
    let mut exports = ExportSection::new();
    exports.export("build", ExportKind::Func, 3);
    let mut code = CodeSection::new();
    let mut constant = Function::new([]);
    constant.instruction(&Instruction::I32Const(7));
    constant.instruction(&Instruction::End);
    let mut caller = Function::new([]);
    caller.instruction(&Instruction::Call(if live_calls_dead { 2 } else { 1 }));
    caller.instruction(&Instruction::End);
    code.function(&constant)
        .function(&constant)
        .function(&caller);
    let mut names = NameMap::new();
    names.append(1, "app::page::hydrate");
    names.append(
        2,
        "<T as tachys::view::any_view::IntoAny>::into_any::hydrate_async",
    );
    names.append(3, "app::page::build");
    let mut name_section = NameSection::new();
    name_section.functions(&names);
    let mut module = Module::new();
    module
        .section(&types)
        .section(&imports)
        .section(&functions)
        .section(&exports)
        .section(&code)
        .section(&name_section);
    module.finish()
}

#[test]
fn only_the_async_body_is_replaced_and_the_rest_is_kept_byte_for_byte() {
    let input = module(false);
    let (output, summary) = prune(&input).expect("prunes").expect("something to prune");
    assert!(summary.starts_with("1 functions"), "{summary}");
    let layout = read(&output).expect("valid module");
    let body = |i: usize| &output[layout.bodies[i].clone()];
    assert_eq!(
        body(0),
        &input[read(&input).expect("valid").bodies[0].clone()]
    );
    assert_eq!(
        body(1),
        [0x00, 0x00, 0x0b],
        "locals: none; unreachable; end"
    );
    assert_eq!(
        body(2),
        &input[read(&input).expect("valid").bodies[2].clone()]
    );
    wasmparser::validate(&output).expect("still valid");
}

#[test]
fn a_module_without_async_hydration_is_left_alone() {
    let mut input = module(false);
    // Rename the async function: nothing matches any more.
    let at = input
        .windows(13)
        .position(|w| w == b"hydrate_async")
        .expect("name present");
    input[at..at + 13].copy_from_slice(b"hydrate_other");
    assert_eq!(prune(&input), Ok(None));
}

#[test]
fn a_live_caller_of_async_code_stops_the_pruning() {
    let err = prune(&module(true)).expect_err("must refuse");
    assert!(err.contains("app::page::build calls"), "{err}");
}

/// A module whose table holds a vtable shim calling the asynchronous closure, and a second
/// entry that calls the closure too (`live_calls_dead`) or not.
fn module_with_table(live_calls_dead: bool) -> Vec<u8> {
    use wasm_encoder::{
        ConstExpr, ElementSection, Elements, FunctionSection, NameMap, NameSection, RefType,
        TableSection, TableType, TypeSection,
    };
    let mut types = TypeSection::new();
    types.ty().function([], [wasm_encoder::ValType::I32]);
    let mut functions = FunctionSection::new();
    for _ in 0..3 {
        functions.function(0);
    }
    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        table64: false,
        minimum: 2,
        maximum: None,
        shared: false,
    });
    let mut elements = ElementSection::new();
    let entries = [1u32, 2];
    elements.active(
        None,
        &ConstExpr::i32_const(0),
        Elements::Functions(std::borrow::Cow::Borrowed(&entries)),
    );
    let mut closure = Function::new([]);
    closure.instruction(&Instruction::I32Const(7));
    closure.instruction(&Instruction::End);
    let mut shim = Function::new([]);
    shim.instruction(&Instruction::Call(0));
    shim.instruction(&Instruction::End);
    let mut other = Function::new([]);
    if live_calls_dead {
        other.instruction(&Instruction::Call(0));
    } else {
        other.instruction(&Instruction::I32Const(1));
    }
    other.instruction(&Instruction::End);
    let mut code = CodeSection::new();
    code.function(&closure).function(&shim).function(&other);
    let mut names = NameMap::new();
    names.append(0, "<T as IntoAny>::into_any::hydrate_async::{{closure}}");
    names.append(1, "core::ops::function::FnOnce::call_once{{vtable.shim}}");
    names.append(2, "app::page::on_click");
    let mut name_section = NameSection::new();
    name_section.functions(&names);
    let mut module = Module::new();
    module
        .section(&types)
        .section(&functions)
        .section(&tables)
        .section(&elements)
        .section(&code)
        .section(&name_section);
    module.finish()
}

#[test]
fn a_vtable_shim_of_an_async_closure_goes_with_it() {
    let input = module_with_table(false);
    let (output, summary) = prune(&input).expect("prunes").expect("something to prune");
    assert!(summary.starts_with("2 functions"), "{summary}");
    let layout = read(&output).expect("valid module");
    assert_eq!(layout.roots, [1, 2], "both table entries are roots");
    assert_eq!(&output[layout.bodies[1].clone()], [0x00, 0x00, 0x0b]);
    assert_ne!(&output[layout.bodies[2].clone()], [0x00, 0x00, 0x0b]);
    wasmparser::validate(&output).expect("still valid");
}

#[test]
fn a_table_entry_calling_async_code_stops_the_pruning() {
    let err = prune(&module_with_table(true)).expect_err("must refuse");
    assert!(err.contains("app::page::on_click calls"), "{err}");
}
