//! End-to-end tests of [`preprocess`]: text in, text and map out.

use std::fs;
use std::path::{Path, PathBuf};

use super::*;

/// Preprocesses `text` as the file `main.idl` (added to the set first, so nothing is read from
/// disk unless it is included).
fn run_with(text: &str, options: &Options) -> (SourceSet, Result<Output, Diagnostic>) {
    let mut sources = SourceSet::new();
    sources.add("main.idl".into(), text.into(), None);
    let result = preprocess(&mut sources, Path::new("main.idl"), None, options);
    (sources, result)
}

fn pp(text: &str) -> String {
    match run_with(text, &Options::default()).1 {
        Ok(out) => out.text,
        Err(e) => panic!("unexpected error: {}", e.render_plain()),
    }
}

/// The output with whitespace runs made single spaces, trimmed.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn ppq(text: &str) -> String {
    squeeze(&pp(text))
}

fn err(text: &str) -> Diagnostic {
    match run_with(text, &Options::default()).1 {
        Ok(out) => panic!("expected an error, got {:?}", out.text),
        Err(e) => e,
    }
}

/// `(location, message)` of the error `text` gives.
fn located(text: &str) -> (String, String) {
    let e = err(text);
    (
        e.location().unwrap_or("<none>").to_string(),
        e.message().to_string(),
    )
}

#[test]
fn object_and_function_like_macros() {
    assert_eq!(ppq("#define N 42\n[id(N)] x;"), "[id(42)] x;");
    assert_eq!(
        ppq("#define ADD(a, b) ((a) + (b))\nADD(1, 2)"),
        "((1) + (2))"
    );
    assert_eq!(ppq("#define F(x) x\nF (1) F\n(2)"), "1 2");
    assert_eq!(ppq("#define F(x) x\nF + F;"), "F + F;");
    assert_eq!(ppq("#define F() done\nF()"), "done");
    assert_eq!(ppq("#define F(a, b) a|b\nF(, )"), "|");
    assert_eq!(ppq("#define F(a) [a]\nF((1, 2))"), "[(1, 2)]");
}

#[test]
fn nested_and_rescanned_expansion() {
    let src =
        "#define BASE 0x80010000\n#define ELEM (BASE + 500)\n#define ID(n) (ELEM + n)\nID(ID(1))";
    assert_eq!(ppq(src), "((0x80010000 + 500) + ((0x80010000 + 500) + 1))");
    // A function-like macro produced by an expansion takes its arguments from what follows.
    assert_eq!(ppq("#define G(x) <x>\n#define F G\nF(1)"), "<1>");
    // The example of C11 6.10.3.5.
    let c11 = "#define f(a) a*g\n#define g(a) f(a)\nf(2)(9)";
    assert_eq!(ppq(c11), "2*9*g");
}

#[test]
fn a_macro_is_not_expanded_inside_itself() {
    assert_eq!(ppq("#define foo foo + 1\nfoo"), "foo + 1");
    assert_eq!(ppq("#define a b\n#define b a\na b"), "a b");
    assert_eq!(ppq("#define f(x) f(x + 1)\nf(2)"), "f(2 + 1)");
    assert_eq!(ppq("#define f(x) x\nf(f)(1)"), "f(1)");
}

#[test]
fn arguments_are_expanded_except_next_to_hash_and_paste() {
    let src =
        "#define foo 4\n#define str(s) #s\n#define xstr(s) str(s)\n#define cat(a, b) a ## b\n";
    assert_eq!(
        ppq(&format!("{src}str(foo) xstr(foo) cat(foo, 1)")),
        "\"foo\" \"4\" foo1"
    );
}

#[test]
fn stringize_escapes_and_squeezes_whitespace() {
    let src = "#define str(x) #x\nstr( a  \"b\\n\"   'c' /* comment */ d )";
    assert_eq!(ppq(src), r#""a \"b\\n\" 'c' d""#);
    assert_eq!(ppq("#define str(x) #x\nstr()"), "\"\"");
}

#[test]
fn paste_joins_tokens_and_handles_empty_arguments() {
    let src = "#define cat(a, b) a##b\n";
    assert_eq!(
        ppq(&format!(
            "{src}cat(x, y) cat(, y) cat(x, ) cat(1, 2) cat(,)"
        )),
        "xy y x 12"
    );
    assert_eq!(
        ppq("#define cat3(a, b, c) a ## b ## c\ncat3(I, , Foo)"),
        "IFoo"
    );
    assert_eq!(ppq("#define obj x ## y\nobj"), "xy");
    // A pasted name is a macro name like any other.
    assert_eq!(ppq("#define xy 7\n#define cat(a, b) a##b\ncat(x, y)"), "7");
    // Text that is not one token stays two, as MSVC leaves it.
    assert_eq!(ppq("#define cat(a, b) a##b\ncat(+, /)"), "+ /");
}

#[test]
fn empty_body_erases_attributes() {
    let src = "#define threading(model)\n#define progid(str)\n[threading(both), progid(\"a.b\"), uuid(1)] coclass C {}";
    assert_eq!(ppq(src), "[, , uuid(1)] coclass C {}");
}

#[test]
fn variadic_macros() {
    assert_eq!(
        ppq("#define V(f, ...) f(__VA_ARGS__)\nV(g, 1, (2, 3), 4)"),
        "g(1, (2, 3), 4)"
    );
    assert_eq!(ppq("#define V(...) [__VA_ARGS__]\nV() V(a,b)"), "[] [a,b]");
    assert_eq!(ppq("#define V(f, ...) f(__VA_ARGS__)\nV(g)"), "g()");
    assert_eq!(
        ppq("#define E(f, ...) f(0, ## __VA_ARGS__)\nE(g) E(g, 1)"),
        "g(0) g(0, 1)"
    );
    assert_eq!(ppq("#define N(f, args...) f(args)\nN(g, 1, 2)"), "g(1, 2)");
}

#[test]
fn undef_removes_a_macro() {
    assert_eq!(ppq("#define X 1\nX\n#undef X\nX"), "1 X");
}

#[test]
fn strings_and_comments_are_not_expanded() {
    let src = "#define X 1\ncpp_quote(\"#define X 2 // X\")\nhelpstring(\"http://example.com/*x*/\") X // X\n/* X */ 'X'";
    assert_eq!(
        ppq(src),
        "cpp_quote(\"#define X 2 // X\") helpstring(\"http://example.com/*x*/\") 1 'X'"
    );
}

#[test]
fn comments_become_spaces_and_splices_join_lines() {
    assert_eq!(pp("a/* x */b // y\nc"), "a       b     \nc");
    assert_eq!(ppq("#define LONG 1 + \\\n 2\nLONG"), "1 + 2");
    assert_eq!(ppq("#define X 3\nX\\\nX"), "XX");
    assert_eq!(ppq("#define XX 3\nX\\\nX"), "3");
}

#[test]
fn lines_stay_where_they_were() {
    let src =
        "/* one\n two */\n#define F(a, b) a b\n#if 0\nskipped\n#endif\nF(1,\n  2) after\nlast\n";
    let out = pp(src);
    assert_eq!(out.lines().count(), src.lines().count());
    assert_eq!(out.lines().nth(6), Some("1 2"));
    assert_eq!(out.lines().nth(7).map(str::trim), Some("after"));
    assert_eq!(out.lines().nth(8), Some("last"));
}

#[test]
fn conditionals_take_the_right_branch() {
    let src = "#define A 2\n#if A == 1\none\n#elif A == 2\ntwo\n#elif A == 2\nnot again\n#else\nelse\n#endif";
    assert_eq!(ppq(src), "two");
    assert_eq!(ppq("#if 0\na\n#else\nb\n#endif"), "b");
    assert_eq!(ppq("#ifdef A\na\n#endif\n#ifndef A\nb\n#endif"), "b");
    assert_eq!(
        ppq("#define A\n#ifdef A\na\n#endif\n#ifndef A\nb\n#endif"),
        "a"
    );
    assert_eq!(
        ppq("#if 0\n#if 1\na\n#else\nb\n#endif\n#else\nc\n#endif"),
        "c"
    );
    assert_eq!(ppq("#if 1\n#if 0\na\n#elif 1\nb\n#endif\n#endif"), "b");
}

#[test]
fn if_expressions_use_macros_and_defined() {
    assert_eq!(
        ppq("#define V 3\n#if V * 2 == 6 && defined V && defined(V) && !defined W\nyes\n#endif"),
        "yes"
    );
    assert_eq!(ppq("#if UNDEFINED_NAME\nno\n#else\nyes\n#endif"), "yes");
    // `defined` produced by a macro still works, as in GCC.
    assert_eq!(
        ppq("#define HAS_Y defined(Y)\n#define Y\n#if HAS_Y\nyes\n#endif"),
        "yes"
    );
    assert_eq!(ppq("#define HAS(x) defined(x)\n#if HAS(Z)\nno\n#endif"), "");
    assert_eq!(
        ppq("#define F(x) (x + 1)\n#if F(F(1)) == 3 && 'a' == 97 && (1 ? 2 : 3) == 2\nyes\n#endif"),
        "yes"
    );
}

#[test]
fn skipped_branches_ignore_what_they_contain() {
    let src = "#if 0\n#unknown directive\n#error not this\ndon't\n\"open\n#define X(\n#endif\nok";
    assert_eq!(ppq(src), "ok");
    // An `#elif` after a taken branch is not evaluated.
    assert_eq!(ppq("#if 1\na\n#elif 1/0\nb\n#endif"), "a");
}

#[test]
fn pragmas_line_markers_and_warnings_are_dropped() {
    let src = "#pragma once\n# 12 \"other.h\"\n#line 7\n#warning careful\n#\nx\n";
    assert_eq!(pp(src), "\n\n\n\n\nx\n");
}

#[test]
fn predefines_mirror_widl() {
    let src = "__WIDL__ _WIN32\n#ifdef __midl\nmidl\n#endif\n#ifdef _WIN64\nwin64\n#endif\n__LINE__ __FILE__";
    assert_eq!(ppq(src), "0x80000 1 8 \"main.idl\"");
}

#[test]
fn command_line_defines() {
    let options = Options {
        defines: vec![
            ("FLAG".into(), None),
            ("VALUE".into(), Some("7".into())),
            ("EMPTY".into(), Some(String::new())),
            ("F(x)".into(), Some("[x]".into())),
            ("_WIN32".into(), Some("2".into())),
        ],
        ..Options::default()
    };
    let out = run_with("FLAG VALUE EMPTY F(y) _WIN32", &options)
        .1
        .unwrap();
    assert_eq!(squeeze(&out.text), "1 7 [y] 2");

    let options = Options {
        defines: vec![("1bad".into(), None)],
        ..Options::default()
    };
    let e = run_with("x", &options).1.unwrap_err();
    assert_eq!(e.location(), Some("<command line>:3:9"));
}

#[test]
fn macros_do_not_carry_across_calls() {
    let mut sources = SourceSet::new();
    sources.add("a.idl".into(), "#define FROM_A 1\nFROM_A".into(), None);
    sources.add("b.idl".into(), "FROM_A".into(), None);
    let options = Options::default();
    let a = preprocess(&mut sources, Path::new("a.idl"), None, &options).unwrap();
    let b = preprocess(&mut sources, Path::new("b.idl"), None, &options).unwrap();
    assert_eq!(squeeze(&a.text), "1");
    assert_eq!(squeeze(&b.text), "FROM_A");
}

#[test]
fn import_statements_pass_through() {
    assert_eq!(
        ppq("import \"oaidl.idl\";\nimport \"ocidl.idl\";"),
        "import \"oaidl.idl\"; import \"ocidl.idl\";"
    );
}

#[test]
fn map_points_after_an_expansion_back_into_the_file() {
    let src = "#define ID(n) (100 + n)\n[id(ID(1))] HRESULT Go();\n  ID(2) bad";
    let (sources, out) = run_with(src, &Options::default());
    let out = out.unwrap();
    let describe = |needle: &str| {
        let at = out
            .text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in {:?}", out.text));
        sources.describe(out.map.locate(at).unwrap())
    };
    assert_eq!(describe("HRESULT"), "main.idl:2:13");
    assert_eq!(describe("Go"), "main.idl:2:21");
    assert_eq!(describe("bad"), "main.idl:3:9");
    // Every byte of an expansion maps to the macro's use.
    assert_eq!(describe("100 + 1"), "main.idl:2:5");
    assert_eq!(describe("100 + 2"), "main.idl:3:3");
}

#[test]
fn map_covers_comments_splices_and_skipped_lines() {
    let src = "/* long comment */ a\n#if 0\nno\n#endif\nb /* c\n */ c\nd\\\ne f";
    let (sources, out) = run_with(src, &Options::default());
    let out = out.unwrap();
    let describe = |needle: &str| {
        let at = out.text.find(needle).unwrap();
        sources.describe(out.map.locate(at).unwrap())
    };
    assert_eq!(describe("a"), "main.idl:1:20");
    assert_eq!(describe("b"), "main.idl:5:1");
    assert_eq!(describe("c\n"), "main.idl:6:5");
    assert_eq!(describe("de"), "main.idl:7:1");
    assert_eq!(describe("f"), "main.idl:8:3");
}

/// A temporary folder tree: `(path, contents)` pairs.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

fn run_file(path: &Path, include_dirs: Vec<PathBuf>) -> (SourceSet, Result<Output, Diagnostic>) {
    let mut sources = SourceSet::new();
    let options = Options {
        include_dirs,
        ..Options::default()
    };
    let result = preprocess(&mut sources, path, None, &options);
    (sources, result)
}

#[test]
fn include_searches_own_folder_then_include_dirs_in_order() {
    let dir = tree(&[
        (
            "src/main.idl",
            "#include \"a.h\"\n#include <a.h>\n#include \"b.h\"\nA B",
        ),
        ("src/a.h", "#define A own\n"),
        ("inc1/a.h", "#define A inc1\n"),
        ("inc1/b.h", "#define B inc1\n"),
        ("inc2/b.h", "#define B inc2\n"),
    ]);
    let root = dir.path();
    let dirs = vec![root.join("inc1"), root.join("inc2")];
    let (sources, out) = run_file(&root.join("src/main.idl"), dirs.clone());
    let out = out.unwrap();
    // `"a.h"` finds src/a.h, then `<a.h>` finds inc1/a.h, which redefines A.
    assert_eq!(squeeze(&out.text), "inc1 inc1");
    let paths: Vec<_> = out
        .files
        .iter()
        .map(|&f| sources.get(f).path.clone())
        .collect();
    assert_eq!(
        paths,
        [
            root.join("src/main.idl"),
            root.join("src/a.h"),
            root.join("inc1/a.h"),
            root.join("inc1/b.h")
        ]
    );
    // Included files record the directive that brought them in.
    let from = sources.get(out.files[2]).included_from.unwrap();
    assert_eq!(
        sources.describe(from),
        format!("{}:2:1", root.join("src/main.idl").display())
    );

    // `<x>` falls back to the including folder.
    let dir = tree(&[
        ("main.idl", "#include <only.h>\nONLY"),
        ("only.h", "#define ONLY yes\n"),
    ]);
    let (_, out) = run_file(&dir.path().join("main.idl"), dirs);
    assert_eq!(squeeze(&out.unwrap().text), "yes");
}

#[test]
fn include_takes_a_macro_spelled_name_and_maps_into_the_included_file() {
    let dir = tree(&[
        (
            "main.idl",
            "#define HDR \"ids.h\"\nbefore\n#include HDR\n[id(DISPID_GO)] after\n",
        ),
        (
            "ids.h",
            "#ifndef IDS_H\n#define IDS_H\n#define DISPID_GO 250\nheader_text\n#endif\n",
        ),
    ]);
    let main = dir.path().join("main.idl");
    let (sources, out) = run_file(&main, vec![]);
    let out = out.unwrap();
    assert_eq!(squeeze(&out.text), "before header_text [id(250)] after");
    let at = out.text.find("header_text").unwrap();
    let loc = out.map.locate(at).unwrap();
    assert_eq!(
        sources.describe(loc),
        format!("{}:4:1", dir.path().join("ids.h").display())
    );
    let at = out.text.find("after").unwrap();
    assert_eq!(
        sources.describe(out.map.locate(at).unwrap()),
        format!("{}:4:17", main.display())
    );
}

#[test]
fn included_files_already_read_come_from_the_source_set() {
    let dir = tree(&[
        ("main.idl", "#include \"x.h\"\n#include \"x.h\"\nX"),
        ("x.h", "on disk"),
    ]);
    let mut sources = SourceSet::new();
    let header = dir.path().join("x.h");
    sources.add(
        header.clone(),
        "#undef X\n#define X from_set\n".into(),
        None,
    );
    let out = preprocess(
        &mut sources,
        &dir.path().join("main.idl"),
        None,
        &Options::default(),
    )
    .unwrap();
    assert_eq!(squeeze(&out.text), "from_set");
    assert_eq!(out.files.len(), 2);
    assert_eq!(sources.files().count(), 2);
}

#[test]
fn missing_include_names_the_file_and_every_folder_searched() {
    let dir = tree(&[("src/main.idl", "\n  #include \"nope.h\"\n")]);
    let root = dir.path();
    let dirs = vec![root.join("inc1"), root.join("inc2")];
    let (_, out) = run_file(&root.join("src/main.idl"), dirs);
    let e = out.unwrap_err();
    assert_eq!(e.message(), "cannot find include file `nope.h`");
    assert_eq!(
        e.location(),
        Some(format!("{}:2:3", root.join("src/main.idl").display()).as_str())
    );
    let text = e.render_plain();
    let own = text.find(&root.join("src").display().to_string()).unwrap();
    let inc1 = text.find(&root.join("inc1").display().to_string()).unwrap();
    let inc2 = text.find(&root.join("inc2").display().to_string()).unwrap();
    assert!(own < inc1 && inc1 < inc2, "{text}");
}

#[test]
fn includes_in_skipped_branches_are_not_read_and_absolute_names_are_not_searched() {
    assert_eq!(ppq("#if 0\n#include \"nowhere.h\"\n#endif\nok"), "ok");
    let e = err("#include \"/nonexistent/cpgen/x.h\"");
    assert_eq!(
        e.message(),
        "cannot find include file `/nonexistent/cpgen/x.h`"
    );
    assert!(e.render_plain().contains("no folder was searched"));
}

#[test]
fn include_recursion_is_a_located_error() {
    let dir = tree(&[
        ("main.idl", "#include \"self.h\"\n"),
        ("self.h", "x\n#include \"self.h\"\n"),
    ]);
    let (_, out) = run_file(&dir.path().join("main.idl"), vec![]);
    let e = out.unwrap_err();
    assert!(
        e.message().contains("nested more than 64 levels"),
        "{}",
        e.message()
    );
    assert_eq!(
        e.location(),
        Some(format!("{}:2:1", dir.path().join("self.h").display()).as_str())
    );
}

#[test]
fn unterminated_if_in_an_included_file_is_reported_there() {
    let dir = tree(&[
        ("main.idl", "#if 1\n#include \"a.h\"\n#endif\n"),
        ("a.h", "\n#ifdef X\n"),
    ]);
    let (_, out) = run_file(&dir.path().join("main.idl"), vec![]);
    let e = out.unwrap_err();
    assert_eq!(e.message(), "unterminated conditional directive");
    assert_eq!(
        e.location(),
        Some(format!("{}:2:1", dir.path().join("a.h").display()).as_str())
    );
}

#[test]
fn non_utf8_files_are_read_lossily() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.idl");
    fs::write(&path, b"/* caf\xe9 */ x \xff y\n").unwrap();
    let (_, out) = run_file(&path, vec![]);
    assert_eq!(squeeze(&out.unwrap().text), "x \u{fffd} y");
}

#[test]
fn errors_are_located() {
    let cases: &[(&str, &str, &str)] = &[
        ("a\n  /* open", "main.idl:2:3", "unterminated comment"),
        (
            "\n#if 1\nx",
            "main.idl:2:1",
            "unterminated conditional directive",
        ),
        ("x\n #else", "main.idl:2:3", "`#else` without `#if`"),
        ("#endif", "main.idl:1:2", "`#endif` without `#if`"),
        (
            "#if 1\n#else\n#elif 1\n#endif",
            "main.idl:3:2",
            "`#elif` after `#else`",
        ),
        (
            "#if 1\n#else\n#else\n#endif",
            "main.idl:3:2",
            "`#else` after `#else`",
        ),
        (
            "#if 1 +\n#endif",
            "main.idl:1:8",
            "missing value in `#if`, found the end of the line",
        ),
        (
            "#if (1\n#endif",
            "main.idl:1:7",
            "unclosed `(` in `#if`, found the end of the line",
        ),
        ("#if\n#endif", "main.idl:1:4", "`#if` needs an expression"),
        (
            "#if 1 / 0\n#endif",
            "main.idl:1:7",
            "division by zero in `#if`",
        ),
        (
            "#ifdef\n#endif",
            "main.idl:1:7",
            "`#ifdef` needs a macro name",
        ),
        (
            "#define F(a, b) a\n\n  F(1)",
            "main.idl:3:3",
            "macro `F` takes 2 arguments, but 1 was given",
        ),
        (
            "#define F(a) a\nF(1, 2)",
            "main.idl:2:1",
            "macro `F` takes 1 argument, but 2 were given",
        ),
        (
            "#define F() a\nF(1)",
            "main.idl:2:1",
            "macro `F` takes 0 arguments, but 1 was given",
        ),
        (
            "#define V(a, b, ...) a\nV(1)",
            "main.idl:2:1",
            "macro `V` takes at least 2 arguments, but 1 was given",
        ),
        (
            "#define F(a) a\nx F(1,\n(2)",
            "main.idl:2:3",
            "unterminated call of macro `F`",
        ),
        (
            "#define F(a) a\nF(1\n#define G\n)",
            "main.idl:2:1",
            "unterminated call of macro `F`",
        ),
        (
            "#define F(a) a\n#if F(1\n#endif",
            "main.idl:2:5",
            "unterminated call of macro `F`",
        ),
        (
            "\n#error Unknown CPU: don't build\n",
            "main.idl:2:1",
            "#error Unknown CPU: don't build",
        ),
        (
            "#frobnicate",
            "main.idl:1:2",
            "unknown directive `#frobnicate`",
        ),
        ("#define", "main.idl:1:2", "`#define` needs a macro name"),
        (
            "#define 3 x",
            "main.idl:1:9",
            "`#define` needs a macro name",
        ),
        (
            "#define defined",
            "main.idl:1:9",
            "`defined` cannot be defined",
        ),
        (
            "#define F(a, a) a",
            "main.idl:1:14",
            "duplicate macro parameter `a`",
        ),
        (
            "#define F(a b) a",
            "main.idl:1:13",
            "unexpected `b` in macro parameters",
        ),
        (
            "#define F(a, ) a",
            "main.idl:1:14",
            "unexpected `)` in macro parameters",
        ),
        (
            "#define F(a",
            "main.idl:1:12",
            "unterminated macro parameter list",
        ),
        (
            "#define F(...) #",
            "main.idl:1:16",
            "`#` is not followed by a macro parameter",
        ),
        (
            "#define F ## x",
            "main.idl:1:11",
            "`##` cannot start or end a macro body",
        ),
        (
            "#if defined(\n#endif",
            "main.idl:1:5",
            "`defined` needs a macro name",
        ),
        (
            "#if defined(X\n#endif",
            "main.idl:1:13",
            "unclosed `defined(`",
        ),
        ("#include", "main.idl:1:9", "`#include` needs a file name"),
        (
            "#include \"open.h",
            "main.idl:1:10",
            "`#include` needs a file name",
        ),
        ("#undef 1", "main.idl:1:8", "`#undef` needs a macro name"),
    ];
    for &(src, location, message) in cases {
        let (at, got) = located(src);
        assert_eq!(
            (at.as_str(), got.as_str()),
            (location, message),
            "for {src:?}"
        );
    }
}

#[test]
fn runaway_expansion_is_an_error() {
    // Each level repeats the one below 8 times: 8^10 tokens if nothing stopped it.
    let mut src = String::from("#define L0 x x x x x x x x\n");
    for i in 1..=10 {
        let below = format!("L{} ", i - 1).repeat(8);
        src.push_str(&format!("#define L{i} {below}\n"));
    }
    src.push_str("L10\n");
    let (at, message) = located(&src);
    assert_eq!(at, "main.idl:12:1");
    assert_eq!(message, "the expansion of macro `L10` is too large");
}

#[test]
fn deeply_nested_calls_are_an_error_not_a_crash() {
    let depth = 1000;
    let src = format!(
        "#define F(x) x\n{}1{}",
        "F(".repeat(depth),
        ")".repeat(depth)
    );
    let e = err(&src);
    assert!(e.message().contains("nested too deeply"), "{}", e.message());
    let src = format!("#if {}1{}\n#endif", "(".repeat(depth), ")".repeat(depth));
    assert!(err(&src).message().contains("nested too deeply"));
}

/// A small deterministic generator, so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn garbage_never_panics() {
    let pieces: &[&str] = &[
        "#define ",
        "#if ",
        "#ifdef ",
        "#elif ",
        "#else",
        "#endif",
        "#include ",
        "#undef ",
        "F",
        "G",
        "(",
        ")",
        ",",
        "...",
        "__VA_ARGS__",
        "#",
        "##",
        "\"",
        "'",
        "/*",
        "*/",
        "//",
        "\\",
        "\n",
        " ",
        "\\\n",
        "defined",
        "1",
        "0x",
        "?",
        ":",
        "<",
        ">",
        "\u{e9}",
        "\u{feff}",
        "\r\n",
        "__LINE__",
        "__FILE__",
        "/",
        "%",
        "-",
        "<<",
        "x",
        "\t",
    ];
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let len = (rng.next() % 40) as usize;
        let mut src = String::new();
        for _ in 0..len {
            src.push_str(pieces[(rng.next() % pieces.len() as u64) as usize]);
        }
        let _ = run_with(&src, &Options::default());
    }
    for _ in 0..500 {
        let bytes: Vec<u8> = (0..(rng.next() % 200)).map(|_| rng.next() as u8).collect();
        let _ = run_with(&String::from_utf8_lossy(&bytes), &Options::default());
    }
    for src in [
        "/*",
        "\"",
        "'",
        "#if",
        "#if 1",
        "#define F(",
        "#define F(x) x\nF(",
        "\\",
        "#include <",
        "#",
    ] {
        let _ = run_with(src, &Options::default());
    }
}

#[test]
fn every_output_offset_maps_somewhere_in_range() {
    let src = "#define F(x) x x\n/* c */ F(a)\n#if 1\nF(\nb)\n#endif\nend";
    let (sources, out) = run_with(src, &Options::default());
    let out = out.unwrap();
    for offset in 0..out.text.len() {
        let loc = out.map.locate(offset).unwrap();
        assert!(
            loc.offset <= sources.get(loc.file).text.len(),
            "offset {offset} maps to {loc:?}"
        );
    }
}

/// Wine's own exdisp.idl takes its DISPIDs from exdispid.h, when the SDK is installed.
#[test]
fn wine_exdisp_gets_its_dispids_from_the_header() {
    let windows = Path::new("/usr/include/wine/wine/windows");
    let idl = windows.join("exdisp.idl");
    if !idl.is_file() {
        eprintln!(
            "skipped: {} not found (Debian package libwine-dev)",
            idl.display()
        );
        return;
    }
    let (sources, out) = run_file(&idl, vec![windows.to_path_buf()]);
    let out = out.unwrap_or_else(|e| panic!("{}", e.render_plain()));
    assert!(
        out.text.contains("[id(250)]"),
        "DISPID_BEFORENAVIGATE2 not expanded"
    );
    assert!(!out.text.contains("DISPID_BEFORENAVIGATE2"));
    let header = sources.find(&windows.join("exdispid.h")).unwrap();
    assert!(out.files.contains(&header));
}
