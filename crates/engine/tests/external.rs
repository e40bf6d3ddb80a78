// Memory outside the JS object graph (analysis::external) on a hand-written snapshot: the kinds,
// the holders found up the dominator tree, the embedder classes and the relation to Statistics.

use crate::support::Graph;
use heapwise_engine::{ExternalKind, NodeOrd, Quiet, Window};

/// ```text
///   (root) ─shortcut─► global ─leak──► Array ─elements─► (object elements) ─1─► Buffer ─buffer─► ArrayBuffer ─backing_store─► JSArrayBufferData(1000)
///                        │                                                └─2─► Buffer ─buffer─► ArrayBuffer ─backing_store─► JSArrayBufferData(3000)
///                        ├─sab──► SharedArrayBuffer ─backing_store─► JSArrayBufferData(500)
///                        ├─text─► "big" string(2048) ─map─► system / Map (ExternalOneByteString)(0)
///                        └─w────► Wrapper ─internal─► native "Node / Foo"(40, detached)
///   (root) ─element─► (C++ roots) ─► native "Node / Bar"(100) ─► native "Node / Bar"(60)
///   extra_native_bytes: 7777
///
///   arrayBuffers      3  4500   holders: Array (leak) 2 / 4000, global 1 / 500 (shared)
///   externalStrings   1  2048   holder:  global
///   extraNativeBytes  0  7777
///   embedder          2   160   holder:  none (held from C++ roots)
///   detachedEmbedder  1    40   holder:  global (past its wrapper)
/// ```
fn external_graph() -> (Graph, [usize; 4]) {
    let mut g = Graph::new();
    g.extra_native_bytes = Some(7777);
    let r = g.root();
    let global = g.obj("global", 50);
    g.shortcut(r, global);
    let leak = g.obj("Array", 16);
    g.prop(global, "leak", leak);
    let elements = g.node("array", "(object elements)", 32);
    g.internal(leak, "elements", elements);
    for size in [1000, 3000] {
        let view = g.obj("Buffer", 104);
        let ab = g.obj("ArrayBuffer", 96);
        let data = g.node("native", "system / JSArrayBufferData", size);
        g.el(elements, view);
        g.internal(view, "buffer", ab);
        g.internal(ab, "backing_store", data);
    }
    let sab = g.obj("SharedArrayBuffer", 96);
    let sab_data = g.node("native", "system / JSArrayBufferData", 500);
    g.prop(global, "sab", sab);
    g.internal(sab, "backing_store", sab_data);
    let text = g.node("string", "big", 2048);
    let map = g.node("hidden", "system / Map (ExternalOneByteString)", 0);
    g.prop(global, "text", text);
    g.internal(text, "map", map);
    let wrapper = g.obj("Wrapper", 24);
    let detached = g.node("native", "Node / Foo", 40);
    g.set_detachedness(detached, 2);
    g.prop(global, "w", wrapper);
    g.internal(wrapper, "javascript_to_native", detached);
    let cpp = g.node("synthetic", "(C++ roots)", 0);
    g.el(r, cpp);
    let bar = g.node("native", "Node / Bar", 100);
    let bar2 = g.node("native", "Node / Bar", 60);
    g.el(cpp, bar);
    g.el(bar, bar2);
    (g, [global, leak, wrapper, bar])
}

#[test]
fn kinds_holders_classes_and_statistics() {
    let (g, [global, leak, _wrapper, bar]) = external_graph();
    let a = g.analyse();
    let x = a.external_memory(&Quiet).unwrap();
    let t = |k| {
        let v = x.total(k);
        (v.count, v.bytes)
    };
    assert_eq!(t(ExternalKind::ArrayBuffers), (3, 4500.0));
    assert_eq!(t(ExternalKind::ExternalStrings), (1, 2048.0));
    assert_eq!(t(ExternalKind::ExtraNativeBytes), (0, 7777.0));
    assert_eq!(t(ExternalKind::Embedder), (2, 160.0));
    assert_eq!(t(ExternalKind::DetachedEmbedder), (1, 40.0));
    assert_eq!(
        (x.shared_array_buffers.count, x.shared_array_buffers.bytes),
        (1, 500.0)
    );
    let holders: Vec<(ExternalKind, Option<usize>, u64, f64)> = x
        .holders
        .iter()
        .map(|h| {
            (
                h.kind,
                h.holder.map(|o| o.index()),
                h.amount.count,
                h.amount.bytes,
            )
        })
        .collect();
    assert_eq!(
        holders,
        [
            (ExternalKind::ArrayBuffers, Some(leak), 2, 4000.0),
            (ExternalKind::ExternalStrings, Some(global), 1, 2048.0),
            (ExternalKind::ArrayBuffers, Some(global), 1, 500.0),
            (ExternalKind::Embedder, None, 2, 160.0),
            (ExternalKind::DetachedEmbedder, Some(global), 1, 40.0),
        ]
    );
    // Pages of one kind.
    let page = x.holders_page(Some(ExternalKind::ArrayBuffers), Window::new(1, 5));
    assert_eq!((page.total, page.offset, page.items.len()), (2, 1, 1));
    assert_eq!(page.items[0].holder, Some(NodeOrd(global as u32)));
    // Classes: the detached one renamed by DevTools' propagation.
    let classes: Vec<(String, u64, f64)> = x
        .classes
        .iter()
        .map(|c| (c.name.to_string(), c.amount.count, c.amount.bytes))
        .collect();
    assert_eq!(
        classes,
        [
            ("Node / Bar".to_owned(), 2, 160.0),
            ("Detached Node / Foo".to_owned(), 1, 40.0)
        ]
    );
    assert_eq!(
        x.classes[0].largest,
        [NodeOrd(bar as u32), NodeOrd(bar as u32 + 1)]
    );
    // The relation to Statistics.
    let s = a.statistics();
    assert_eq!(s.typed_arrays, 4500.0);
    assert_eq!(s.other_non_js_objects, 160.0 + 40.0 + 7777.0);
    assert_eq!(x.reconcile.typed_arrays_check, 0.0);
    assert_eq!(x.reconcile.other_non_js_check, 0.0);
    assert_eq!(x.reconcile.external_strings_in_strings, 2048.0);
    assert!(s.strings >= 2048.0);
    // Kept: the second call returns the same result.
    assert!(std::ptr::eq(x, a.external_memory(&Quiet).unwrap()));
}
