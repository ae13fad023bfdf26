//! The filter-pattern parser on arbitrary text: it never panics or overflows its stack,
//! every error names a column inside the text (or just past its end), and a parsed
//! pattern prints as text that parses back to the same tree and matches the same events.

#![no_main]

use libfuzzer_sys::fuzz_target;
use trailwarden::analysis::filter_pattern::parse;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse(text) {
        Err(error) => {
            assert!(error.column >= 1 && error.column <= text.chars().count() + 1);
        }
        Ok(pattern) => {
            let printed = pattern.to_string();
            let again = parse(&printed).expect("a printed pattern parses");
            assert_eq!(pattern, again, "{text:?} printed as {printed:?}");
            let event = serde_json::json!({
                "eventName": "ConsoleLogin", "errorCode": "AccessDenied",
                "userIdentity": {"type": "Root"}, "n": 1, "a": [1, "x", null], "b": true
            });
            assert_eq!(pattern.matches(&event), again.matches(&event));
        }
    }
});
