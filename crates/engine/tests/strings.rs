// Duplicated strings (DevTools' "Duplicated strings" filter) and the largest strings, on a
// hand-written snapshot.

use crate::support::Graph;
use heapwise_engine::{NodeOrd, StringsOptions, Window};

/// Strings of every kind, held by `A` ("Holder") and `B` ("Other"):
///
/// ```text
///   R --a--> A --x--> S1 string "hello world" (40)
///   R --b--> B --y--> S2 string "hello world" (40)
///            A --c--> C  cons (32) --first--> P1 "hello " (24), --second--> P2 "world" (24)
///            B --f--> F  cons (32) --first--> S3 "abc" (20), --second--> E "" (16)   (flattened)
///            A --d--> S4 string "abc" (20)
///            A --s--> L  sliced "hello" (32) --parent--> S1;  B --z--> Z string "hello" (24)
///            A --n1/n2--> N1, N2 string "42" (0)                                 (number values)
///            A --t1/t2/t3--> T1, T2, T3 string "xxxxx" (100), each clipped (`truncated` true):
///                            T1, T2 of length 2000 and hash 7, T3 of length 2000 and hash 8
///            B --u1/u2--> U1, U2 string "xxxxx" (10)                              (not clipped)
///
///   groups (most wasted first):
///     T1 T2        "xxxxx" 2000/7  total 200  wasted 100
///     S1 S2 C      "hello world"   total 112  wasted  72   (C's halves joined)
///     S4 S3        "abc"           total  40  wasted  20   (F is flattened: not a copy)
///     U1 U2        "xxxxx"         total  20  wasted  10   (not clipped: not with T1, T2)
///   not grouped: T3 (another hash), Z (L is sliced: not a copy), N1 N2 (size 0), P1, P2, E
/// ```
struct Strings {
    g: Graph,
    a: usize,
    b: usize,
    s1: usize,
    s2: usize,
    c: usize,
    p1: usize,
    s3: usize,
    s4: usize,
    t: [usize; 3],
    u: [usize; 2],
}

fn strings() -> Strings {
    let mut g = Graph::new();
    let r = g.root();
    let a = g.obj("Holder", 10);
    let b = g.obj("Other", 10);
    g.prop(r, "a", a);
    g.prop(r, "b", b);
    let s1 = g.node("string", "hello world", 40);
    let s2 = g.node("string", "hello world", 40);
    g.prop(a, "x", s1);
    g.prop(b, "y", s2);
    let c = g.node("concatenated string", "", 32);
    let p1 = g.node("string", "hello ", 24);
    let p2 = g.node("string", "world", 24);
    g.internal(c, "first", p1);
    g.internal(c, "second", p2);
    g.prop(a, "c", c);
    let f = g.node("concatenated string", "", 32);
    let s3 = g.node("string", "abc", 20);
    let e = g.node("string", "", 16);
    g.internal(f, "first", s3);
    g.internal(f, "second", e);
    g.prop(b, "f", f);
    let s4 = g.node("string", "abc", 20);
    g.prop(a, "d", s4);
    let l = g.node("sliced string", "hello", 32);
    g.internal(l, "parent", s1);
    g.prop(a, "s", l);
    let z = g.node("string", "hello", 24);
    g.prop(b, "z", z);
    for name in ["n1", "n2"] {
        let n = g.node("string", "42", 0);
        g.prop(a, name, n);
    }
    let yes = g.node("string", "true", 0);
    let bool_true = g.node("number", "bool", 0);
    g.internal(bool_true, "value", yes);
    let int = |g: &mut Graph, v: &str| {
        let s = g.node("string", v, 0);
        let n = g.node("number", "int", 0);
        g.internal(n, "value", s);
        n
    };
    let length = int(&mut g, "2000");
    let hash7 = int(&mut g, "7");
    let hash8 = int(&mut g, "8");
    let mut t = [0; 3];
    for (i, hash) in [hash7, hash7, hash8].into_iter().enumerate() {
        t[i] = g.node("string", "xxxxx", 100);
        g.internal(t[i], "truncated", bool_true);
        g.internal(t[i], "length", length);
        g.internal(t[i], "hash", hash);
        g.prop(a, &format!("t{}", i + 1), t[i]);
    }
    let mut u = [0; 2];
    for (i, x) in u.iter_mut().enumerate() {
        *x = g.node("string", "xxxxx", 10);
        g.prop(b, &format!("u{}", i + 1), *x);
    }
    Strings {
        g,
        a,
        b,
        s1,
        s2,
        c,
        p1,
        s3,
        s4,
        t,
        u,
    }
}

fn ord(o: usize) -> NodeOrd {
    NodeOrd(o as u32)
}

#[test]
fn duplicated_strings_group_as_devtools_filter_does() {
    let s = strings();
    let an = s.g.analyse();
    let d = an.duplicated_strings(StringsOptions::default(), Window::new(0, 10));
    assert_eq!(d.page.total, 4);
    assert_eq!((d.copies, d.total_size, d.wasted_size), (9, 372, 202));
    let got: Vec<(&str, usize, u64, u64)> = d
        .page
        .items
        .iter()
        .map(|g| {
            (
                g.content.preview.as_str(),
                g.copies,
                g.total_size,
                g.wasted_size,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("\"xxxxx\"", 2, 200, 100),
            ("\"hello world\"", 3, 112, 72),
            ("\"abc\"", 2, 40, 20),
            ("\"xxxxx\"", 2, 20, 10),
        ]
    );
    let clipped = &d.page.items[0].content;
    assert!(clipped.truncated);
    assert_eq!((clipped.length, clipped.full_length), (5, Some(2000.0)));
    assert!(!d.page.items[3].content.truncated);
    // The largest copies first, ties by position; each with the object holding it.
    let hello = &d.page.items[1];
    let copies: Vec<NodeOrd> = hello.largest.iter().map(|c| c.node.ordinal).collect();
    assert_eq!(copies, [ord(s.s1), ord(s.s2), ord(s.c)]);
    let holders: Vec<Option<NodeOrd>> = hello
        .largest
        .iter()
        .map(|c| c.holder.as_ref().map(|h| h.ordinal))
        .collect();
    assert_eq!(holders, [Some(ord(s.a)), Some(ord(s.b)), Some(ord(s.a))]);
    assert_eq!(hello.largest[0].path_text, "Holder.x");
    // S3 is reached only through the flattened cons string F: its holder is B.
    let abc = &d.page.items[2];
    let abc_copies: Vec<NodeOrd> = abc.largest.iter().map(|c| c.node.ordinal).collect();
    assert_eq!(abc_copies, [ord(s.s3), ord(s.s4)]);
    assert_eq!(abc.largest[0].holder.as_ref().unwrap().ordinal, ord(s.b));
    // The node set is exactly the copies of the groups.
    let mut want: Vec<NodeOrd> = [s.s1, s.s2, s.c, s.s3, s.s4, s.t[0], s.t[1], s.u[0], s.u[1]]
        .into_iter()
        .map(ord)
        .collect();
    want.sort();
    assert_eq!(an.duplicated_string_nodes(), want);
    // Pages are windows of one order; `copies` bounds the copies shown.
    let page = an.duplicated_strings(
        StringsOptions {
            copies: 1,
            ..StringsOptions::default()
        },
        Window::new(1, 2),
    );
    assert_eq!(
        (page.page.total, page.page.offset, page.page.items.len()),
        (4, 1, 2)
    );
    assert_eq!(page.page.items[0], {
        let mut h = hello.clone();
        h.largest.truncate(1);
        h
    });
}

#[test]
fn largest_strings_are_the_string_nodes_by_shallow_size() {
    let s = strings();
    let an = s.g.analyse();
    let l = an.largest_strings(StringsOptions::default(), Window::new(0, 5));
    // Every string node of non-zero size: S1 S2 C P1 P2 F S3 E S4 L Z T1 T2 T3 U1 U2.
    assert_eq!(l.page.total, 16);
    assert_eq!(
        l.total_size,
        40 + 40 + 32 + 24 + 24 + 32 + 20 + 16 + 20 + 32 + 24 + 300 + 20
    );
    let got: Vec<NodeOrd> = l.page.items.iter().map(|x| x.copy.node.ordinal).collect();
    assert_eq!(
        got,
        [ord(s.t[0]), ord(s.t[1]), ord(s.t[2]), ord(s.s1), ord(s.s2)]
    );
    let page = an.largest_strings(StringsOptions::default(), Window::new(3, 3));
    assert_eq!(page.page.items[0], l.page.items[3]);
    assert_eq!(page.page.offset, 3);
    // A part of a cons string is held by what holds the cons string.
    let all = an.largest_strings(StringsOptions::default(), Window::new(0, 100));
    let p1 = all
        .page
        .items
        .iter()
        .find(|x| x.copy.node.ordinal == ord(s.p1))
        .unwrap();
    assert_eq!(p1.copy.holder.as_ref().unwrap().ordinal, ord(s.a));
    assert_eq!(p1.content.preview, "\"hello \"");
    let cut = an.largest_strings(
        StringsOptions {
            preview_chars: 3,
            ..StringsOptions::default()
        },
        Window::new(3, 1),
    );
    assert_eq!(cut.page.items[0].content.preview, "\"hel\u{2026}\"");
    assert_eq!(cut.page.items[0].content.length, 11);
}
