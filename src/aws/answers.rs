//! The SDK interceptor that refuses an answer cut short: an empty body, or XML cut off.
//!
//! The SDK's XML deserializers read elements until the input ends: an answer that stops
//! halfway (correctly framed, status 200) parses without error into whatever its first half
//! held. A bucket's Block Public Access settings lose their last three flags, an ACL its
//! grants, `DescribeAlarms` its later alarms, `DescribeRegions` most regions. Each is a wrong
//! verdict made from a true-looking answer, in either direction (a grant to everyone dropped
//! is a PASS that should be FAIL). S3, EC2, STS, CloudWatch and SNS answer in XML.
//!
//! So every XML answer the SDK has read in full is checked to be one complete document
//! before its output is used; one that is not fails the call as a malformed answer
//! ([`super::failure`]: an ERROR naming the call). JSON answers cut short need no such check:
//! the SDK's JSON deserializers refuse an object that does not close. But both protocols
//! read an empty body as an answer with nothing in it (no event selectors, a policy status
//! that is not public), and no call trailwarden makes is answered with an empty body when it
//! succeeds: one that is, is refused too. Streamed bodies (S3 objects) are not read here:
//! `verify-logs` proves them by their digests.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Why an answer was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("incomplete answer: {0}")]
pub struct IncompleteAnswer(String);

/// Refuses each answer read in full that is empty, or is XML cut short (see the module's docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct CompleteAnswers;

impl Intercept for CompleteAnswers {
    fn name(&self) -> &'static str {
        "trailwarden::CompleteAnswers"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // An error answer is already a failure; only an output could be built on half an answer.
        if context.output_or_error().is_err() {
            return Ok(());
        }
        match context.response().body().bytes() {
            Some(body) => check_answer(body).map_err(Into::into),
            None => Ok(()),
        }
    }
}

/// `Ok` for a body of a successful answer that is not empty and is not XML, or is one whole
/// XML document: its root element closed, nothing left open, no syntax error.
pub fn check_answer(body: &[u8]) -> Result<(), IncompleteAnswer> {
    if body.is_empty() {
        return Err(IncompleteAnswer("the body is empty".to_owned()));
    }
    let text = match std::str::from_utf8(body) {
        Ok(text) => text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}'),
        // Not text at all: an XML answer is UTF-8, so this is not one (or is caught by the SDK).
        Err(_) => return Ok(()),
    };
    if !text.starts_with('<') {
        return Ok(());
    }
    // The names of the elements open, outermost first (the one just started included).
    let mut open: Vec<(&str, &str)> = Vec::new();
    let mut root_closed = false;
    for token in xmlparser::Tokenizer::from(text) {
        match token.map_err(|error| IncompleteAnswer(format!("XML syntax: {error}")))? {
            xmlparser::Token::ElementStart { prefix, local, .. } => {
                open.push((prefix.as_str(), local.as_str()));
            }
            xmlparser::Token::ElementEnd { end, .. } => {
                let closed = match end {
                    xmlparser::ElementEnd::Open => continue,
                    xmlparser::ElementEnd::Empty => open.pop(),
                    xmlparser::ElementEnd::Close(prefix, local) => match open.pop() {
                        Some(name) if name == (prefix.as_str(), local.as_str()) => Some(name),
                        _ => {
                            return Err(IncompleteAnswer(format!(
                                "the XML closes </{}>, which is not open",
                                local.as_str()
                            )))
                        }
                    },
                };
                root_closed |= closed.is_some() && open.is_empty();
            }
            _ => {}
        }
    }
    match (open.len(), root_closed) {
        (0, true) => Ok(()),
        (0, false) => Err(IncompleteAnswer("the XML has no element".to_owned())),
        (still_open, _) => Err(IncompleteAnswer(format!(
            "the XML ends with {still_open} element(s) still open"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC_ACCESS_BLOCK: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <BlockPublicAcls>true</BlockPublicAcls>
  <IgnorePublicAcls>true</IgnorePublicAcls>
  <BlockPublicPolicy>true</BlockPublicPolicy>
  <RestrictPublicBuckets>true</RestrictPublicBuckets>
</PublicAccessBlockConfiguration>
"#;

    #[test]
    fn whole_documents_and_answers_that_are_not_xml_pass() {
        assert_eq!(check_answer(PUBLIC_ACCESS_BLOCK.as_bytes()), Ok(()));
        assert_eq!(check_answer(b"<Empty/>"), Ok(()));
        assert_eq!(check_answer(b"\xef\xbb\xbf  <a><b/><c>x</c></a>\n"), Ok(()));
        // JSON (a bucket policy, the JSON protocols) and binary data are someone else's to
        // judge.
        assert_eq!(check_answer(br#"{"Version":"2012-10-17""#), Ok(()));
        assert_eq!(check_answer(&[0x1f, 0x8b, 0x08, 0xff]), Ok(()));
    }

    #[test]
    fn every_cut_of_a_document_is_refused() {
        // The deserializer would read any of these prefixes into a configuration with the
        // missing flags false; none may get through.
        let whole = PUBLIC_ACCESS_BLOCK.trim_end();
        for cut in 1..whole.len() {
            let prefix = &whole[..cut];
            assert!(
                check_answer(prefix.as_bytes()).is_err(),
                "accepted: {prefix:?}"
            );
        }
        let error = check_answer(&PUBLIC_ACCESS_BLOCK.as_bytes()[..PUBLIC_ACCESS_BLOCK.len() / 2])
            .expect_err("half a document");
        assert_eq!(
            error.to_string(),
            "incomplete answer: the XML ends with 2 element(s) still open"
        );
    }

    #[test]
    fn empty_answers_are_refused() {
        assert_eq!(
            check_answer(b"").map_err(|e| e.to_string()),
            Err("incomplete answer: the body is empty".to_owned())
        );
    }

    #[test]
    fn stray_closing_tags_and_syntax_errors_are_refused() {
        assert!(check_answer(b"<a></a></b>").is_err());
        assert!(check_answer(b"<a><b></a>").is_err());
        assert!(check_answer(b"<a><b></a></b>").is_err());
        assert!(check_answer(b"<?xml version=\"1.0\"?>").is_err());
        assert!(check_answer(b"<a attr=></a>").is_err());
    }
}
