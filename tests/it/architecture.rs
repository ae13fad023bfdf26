//! The invariants of ARCHITECTURE.md, checked over the source: which stage may import which,
//! where the AWS SDK may be named, who writes to standard error, one name per public type,
//! names written twice agree, file sizes, and comments that point inside the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What each top-level module of `src/` may import of the crate (besides itself), floor by
/// floor as ARCHITECTURE.md draws them. `commands` may import every stage; `main.rs` and
/// `lib.rs` are the crate's top and are not listed.
const LAYERS: &[(&str, &[&str])] = &[
    ("inventory", &[]),
    ("output", &[]),
    ("progress", &[]),
    ("redact", &[]),
    ("rule", &["inventory"]),
    ("analysis", &["inventory"]),
    ("aws", &["inventory", "progress"]),
    ("demo", &["inventory"]),
    ("checks", &["rule", "analysis", "inventory"]),
    ("scope", &["aws", "inventory", "progress"]),
    ("verify", &["aws", "inventory", "progress"]),
    ("terraform", &["analysis", "inventory"]),
    ("engine", &["rule", "checks", "inventory"]),
    (
        "collect",
        &[
            "scope",
            "verify",
            "aws",
            "analysis",
            "inventory",
            "progress",
        ],
    ),
    ("config", &["engine", "rule", "inventory"]),
    ("docs", &["engine", "rule", "inventory", "output"]),
    ("report", &["engine", "rule", "config", "inventory"]),
    ("cli", &["report", "engine", "rule", "scope", "inventory"]),
    (
        "commands",
        &[
            "cli",
            "config",
            "docs",
            "report",
            "engine",
            "collect",
            "terraform",
            "checks",
            "scope",
            "verify",
            "aws",
            "analysis",
            "rule",
            "demo",
            "inventory",
            "output",
            "progress",
            "redact",
        ],
    ),
];

/// Where the AWS SDK's crates may be named: the AWS layer, the credential provider of an
/// assumed session, and verify-logs' streaming S3 reader.
const SDK_ALLOWED: &[&str] = &["aws/", "scope/sessions.rs", "verify/store.rs"];

/// Files over [`MAX_LINES`] that are one thing each: the filter-pattern grammar and its
/// evaluator, and the pure digest-chain walker.
const LONG_FILES: &[&str] = &["analysis/filter_pattern.rs", "verify/chain.rs"];
const MAX_LINES: usize = 600;

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, as (path relative to `src/`, text).
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("read src")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path
                    .strip_prefix(root)
                    .expect("under src")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((
                    relative,
                    std::fs::read_to_string(&path).expect("read source"),
                ));
            }
        }
    }
    let mut out = Vec::new();
    walk(&src_dir(), &src_dir(), &mut out);
    assert!(out.len() > 50, "the source tree was found");
    out
}

/// The code of a Rust file without comments, string literals and char literals: what is
/// left is what the compiler resolves as paths.
fn code_only(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            i += end;
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(rest.len(), |e| e + 2);
            i += end;
        } else if let Some((body, hashes)) = raw_string_start(rest) {
            let close = format!("\"{}", "#".repeat(hashes));
            let end = rest[body..]
                .find(&close)
                .map_or(rest.len(), |e| body + e + close.len());
            out.push_str("\"\"");
            i += end;
        } else if bytes[i] == b'"' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i = j + 1;
        } else if bytes[i] == b'\'' && char_literal_len(rest).is_some() {
            i += char_literal_len(rest).expect("checked");
            out.push_str("' '");
        } else {
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `r"`, `r#"`, `br"`…: the length of a raw string's opening (prefix, hashes and quote) and
/// its number of hashes.
fn raw_string_start(rest: &str) -> Option<(usize, usize)> {
    let prefix = if rest.starts_with("br") {
        2
    } else if rest.starts_with('r') {
        1
    } else {
        return None;
    };
    let hashes = rest[prefix..].bytes().take_while(|b| *b == b'#').count();
    (rest.as_bytes().get(prefix + hashes) == Some(&b'"')).then_some((prefix + hashes + 1, hashes))
}

/// The length of a char literal (`'a'`, `'\n'`, `'"'`) starting here; `None` for a lifetime.
fn char_literal_len(rest: &str) -> Option<usize> {
    let mut chars = rest.char_indices().skip(1);
    let (_, first) = chars.next()?;
    if first == '\\' {
        let close = rest.get(3..)?.find('\'')?;
        return Some(close + 4);
    }
    let (index, next) = chars.next()?;
    (next == '\'').then_some(index + 1)
}

/// The top-level module a file belongs to: `checks/judge.rs` → `checks`, `rule.rs` → `rule`.
fn top_module(relative: &str) -> &str {
    let first = relative.split('/').next().expect("a path");
    first.strip_suffix(".rs").unwrap_or(first)
}

/// The crate modules `code` names: `crate::engine::…` → `engine`, and each module of a
/// grouped `crate::{engine::…, report::…}`.
fn crate_imports(code: &str) -> BTreeSet<String> {
    let ident = |text: &str| -> String {
        text.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + "crate::".len()..];
        if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            if let Some(group) = after.strip_prefix('{') {
                // Top-level items of the group: split at commas outside nested braces.
                let mut depth = 0;
                let mut item_start = true;
                for (index, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => item_start = true,
                        _ if item_start && !c.is_whitespace() => {
                            found.insert(ident(&group[index..]));
                            item_start = false;
                        }
                        _ => {}
                    }
                }
            } else {
                found.insert(ident(after));
            }
        }
        rest = after;
    }
    found.retain(|name| !name.is_empty() && name != "self");
    found
}

/// Every import of a file that its stage may not make, as `file: crate::X`.
fn forbidden_imports(relative: &str, text: &str) -> Vec<String> {
    let module = top_module(relative);
    if matches!(module, "main" | "lib") {
        return Vec::new();
    }
    let Some((_, allowed)) = LAYERS.iter().find(|(name, _)| *name == module) else {
        return vec![format!(
            "{relative}: module `{module}` has no floor in ARCHITECTURE.md (add it to LAYERS)"
        )];
    };
    crate_imports(&code_only(text))
        .into_iter()
        .filter(|name| name != module && !allowed.contains(&name.as_str()))
        .map(|name| format!("{relative}: crate::{name}"))
        .collect()
}

#[test]
fn every_stage_imports_only_the_floors_below_it() {
    let sources = sources();
    let modules: BTreeSet<&str> = sources.iter().map(|(path, _)| top_module(path)).collect();
    for (name, _) in LAYERS {
        assert!(
            modules.contains(name),
            "LAYERS names `{name}`, which is not in src/"
        );
    }
    let violations: Vec<String> = sources
        .iter()
        .flat_map(|(path, text)| forbidden_imports(path, text))
        .collect();
    assert!(
        violations.is_empty(),
        "imports that break ARCHITECTURE.md's floors:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_floors_have_no_circle() {
    // Each module may import only modules listed before it: the table is the order.
    for (index, (name, allowed)) in LAYERS.iter().enumerate() {
        for import in *allowed {
            let position = LAYERS.iter().position(|(other, _)| other == import);
            assert!(
                position.is_some_and(|p| p < index),
                "`{name}` may import `{import}`, which is not on a floor below it"
            );
        }
    }
}

#[test]
fn a_forbidden_import_is_refused() {
    // The check itself: a rule file reaching into the engine, verify into collect, the engine
    // into reports, each written the ways Rust allows.
    let cases = [
        (
            "checks/new_rule.rs",
            "use crate::engine::Catalog;\nfn f() {}",
            "engine",
        ),
        (
            "verify/run.rs",
            "fn f() { crate::collect::collect(); }",
            "collect",
        ),
        ("verify/run.rs", "use crate::scope::Scope;", "scope"),
        (
            "engine/gate.rs",
            "use crate::{inventory::Inventory, report::{Report, ReportFormat}};",
            "report",
        ),
        (
            "engine/gate.rs",
            "fn f() -> crate::report::ReportFormat { x() }",
            "report",
        ),
        ("inventory/arn.rs", "use crate::rule::Status;", "rule"),
    ];
    for (path, text, module) in cases {
        assert_eq!(
            forbidden_imports(path, text),
            [format!("{path}: crate::{module}")],
            "{text}"
        );
    }
    // Comments, strings, char literals and other crates' paths are not imports.
    let harmless = "// crate::engine is not used here\nlet s = \"crate::engine\";\n\
                    let r = r#\"crate::report\"#;\nlet q = '\"';\nuse my_crate::engine;";
    assert!(forbidden_imports("checks/new_rule.rs", harmless).is_empty());
    // A module without a floor is refused too.
    assert_eq!(forbidden_imports("utils.rs", "").len(), 1);
}

#[test]
fn the_aws_sdk_is_named_only_in_the_aws_layer() {
    let sdk = [
        "aws_sdk_",
        "aws_config::",
        "aws_smithy_",
        "aws_credential_types::",
    ];
    let mut offenders = Vec::new();
    for (path, text) in sources() {
        if SDK_ALLOWED.iter().any(|allowed| path.starts_with(allowed)) {
            continue;
        }
        let code = code_only(&text);
        if let Some(name) = sdk.iter().find(|name| code.contains(*name)) {
            offenders.push(format!("{path}: {name}"));
        }
    }
    assert!(
        offenders.is_empty(),
        "SDK types outside {SDK_ALLOWED:?}:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn collection_asks_analysis_only_which_calls_to_make() {
    // collect/ never decides PASS or FAIL; the one question it may ask the analysers is
    // whether a trail may qualify for monitoring, so that its chain is worth reading.
    for (path, text) in sources() {
        if !path.starts_with("collect/") {
            continue;
        }
        let code = code_only(&text);
        let asks = code.contains("crate::analysis");
        assert!(
            !asks || path == "collect/trail.rs",
            "{path} imports crate::analysis: only collect/trail.rs may (may_qualify_for_monitoring)"
        );
        for verdict in ["crate::rule", "crate::engine", "crate::checks"] {
            assert!(!code.contains(verdict), "{path} imports {verdict}");
        }
    }
}

#[test]
fn nothing_but_main_and_commands_writes_to_standard_error() {
    for (path, text) in sources() {
        if path == "main.rs" || path.starts_with("commands/") {
            continue;
        }
        let code = code_only(&text);
        assert!(
            !code.contains("eprintln!") && !code.contains("eprint!"),
            "{path} writes to standard error: use tracing, or return the message"
        );
    }
}

#[test]
fn no_two_public_types_share_a_name() {
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, text) in sources() {
        for line in code_only(&text).lines() {
            let line = line.trim_start();
            let Some(rest) = line
                .strip_prefix("pub ")
                .or_else(|| line.strip_prefix("pub(crate) "))
            else {
                continue;
            };
            let Some(rest) = ["struct ", "enum ", "trait ", "type "]
                .iter()
                .find_map(|kind| rest.strip_prefix(kind))
            else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            seen.entry(name).or_default().push(path.clone());
        }
    }
    let shared: Vec<String> = seen
        .iter()
        .filter(|(_, places)| places.len() > 1)
        .map(|(name, places)| format!("{name}: {}", places.join(", ")))
        .collect();
    assert!(
        seen.contains_key("Outcome") && seen.contains_key("RuleContext"),
        "the scan found the rule contract"
    );
    assert!(
        shared.is_empty(),
        "public types that share a name:\n{}",
        shared.join("\n")
    );
}

#[test]
fn outcome_is_a_rules_verdict_only() {
    for (path, text) in sources() {
        let code = code_only(&text);
        assert!(
            !code.contains("as Outcome"),
            "{path} renames something to `Outcome`: that name is the rule's verdict"
        );
    }
}

#[test]
fn no_file_is_longer_than_its_one_purpose_needs() {
    for (path, text) in sources() {
        let lines = text.lines().count();
        if LONG_FILES.contains(&path.as_str()) {
            continue;
        }
        assert!(
            lines <= MAX_LINES,
            "src/{path} has {lines} lines (at most {MAX_LINES}, or one purpose named in LONG_FILES and ARCHITECTURE.md)"
        );
    }
}

#[test]
fn comments_point_only_inside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut outside = Vec::new();
    let mut checked = 0;
    for (path, text) in sources() {
        for (number, line) in text.lines().enumerate() {
            let Some(comment) = line.split_once("//").map(|(_, c)| c) else {
                continue;
            };
            if comment.contains("../") {
                outside.push(format!("src/{path}:{}: {}", number + 1, line.trim()));
            }
            // Files named in backticks, such as `docs/verify-logs.md`, must exist.
            for quoted in comment.split('`').skip(1).step_by(2) {
                let is_file = quoted.contains('/')
                    && [".md", ".toml", ".py", ".json", ".rs"]
                        .iter()
                        .any(|ext| quoted.ends_with(ext))
                    && !quoted.contains(['<', '*', ' ', '{']);
                if is_file {
                    checked += 1;
                    let exists = [root.join(quoted), root.join("src").join(quoted)]
                        .iter()
                        .any(|p| p.exists());
                    if !exists {
                        outside.push(format!("src/{path}:{}: `{quoted}`", number + 1));
                    }
                }
            }
        }
    }
    assert!(checked > 0, "some comment names a file");
    assert!(
        outside.is_empty(),
        "comments that point outside the repository or at missing files:\n{}",
        outside.join("\n")
    );
}

#[test]
fn names_written_for_reports_and_for_serde_agree() {
    use serde::Serialize;
    use trailwarden::engine::{BaselineState, ControlStatus};
    use trailwarden::rule::{ResourceKind, Severity, Status};

    fn serde_name(value: impl Serialize) -> String {
        match serde_json::to_value(value).expect("serializes") {
            serde_json::Value::String(name) => name,
            other => panic!("not a name: {other}"),
        }
    }
    // Each list is held complete by the match beside it: a new variant fails to compile
    // until it is listed.
    let severities = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];
    for severity in severities {
        match severity {
            Severity::Info
            | Severity::Low
            | Severity::Medium
            | Severity::High
            | Severity::Critical => {}
        }
        assert_eq!(serde_name(severity), severity.as_str());
        let parsed = <Severity as clap::ValueEnum>::from_str(severity.as_str(), false);
        assert_eq!(parsed, Ok(severity), "the command line takes the same name");
    }
    for status in [
        Status::Fail,
        Status::Error,
        Status::Pass,
        Status::NotApplicable,
    ] {
        match status {
            Status::Fail | Status::Error | Status::Pass | Status::NotApplicable => {}
        }
        assert_eq!(serde_name(status), status.as_str());
    }
    let kinds = [
        ResourceKind::Organization,
        ResourceKind::Account,
        ResourceKind::Region,
        ResourceKind::Trail,
        ResourceKind::Bucket,
        ResourceKind::Key,
        ResourceKind::LogGroup,
        ResourceKind::EventDataStore,
        ResourceKind::Alarm,
    ];
    for kind in kinds {
        match kind {
            ResourceKind::Organization
            | ResourceKind::Account
            | ResourceKind::Region
            | ResourceKind::Trail
            | ResourceKind::Bucket
            | ResourceKind::Key
            | ResourceKind::LogGroup
            | ResourceKind::EventDataStore
            | ResourceKind::Alarm => {}
        }
        assert_eq!(serde_name(kind), kind.as_str());
    }
    let controls = [
        ControlStatus::Pass,
        ControlStatus::Fail,
        ControlStatus::Error,
        ControlStatus::Waived,
        ControlStatus::NotApplicable,
        ControlStatus::NotAssessed,
    ];
    for status in controls {
        match status {
            ControlStatus::Pass
            | ControlStatus::Fail
            | ControlStatus::Error
            | ControlStatus::Waived
            | ControlStatus::NotApplicable
            | ControlStatus::NotAssessed => {}
        }
        assert_eq!(serde_name(status), status.as_str());
    }
    for state in [BaselineState::New, BaselineState::Unchanged] {
        match state {
            BaselineState::New | BaselineState::Unchanged => {}
        }
        assert_eq!(serde_name(state), state.as_str());
    }
}
