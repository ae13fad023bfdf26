//! The IAM policy analyser on arbitrary text: parsing and the open-grant analysis never
//! panic, and the wildcard matcher agrees with itself on the statement's own text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use trailwarden::analysis::policy::{open_grants, parse, wildcard_match};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(policy) = parse(text) {
        let _ = open_grants(&policy);
    }
    // A pattern without wildcards matches exactly itself.
    let literal: String = text.chars().filter(|c| *c != '*' && *c != '?').take(64).collect();
    assert!(wildcard_match(&literal, &literal, false));
    assert!(wildcard_match("*", &literal, true));
    let _ = wildcard_match(text, &literal, true);
});
