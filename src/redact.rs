//! Log lines never carry credentials. The AWS SDK's own debug logs (`-vvv`) print the
//! request identity, access key id included (the secret is redacted by the SDK); every log
//! line goes through [`scrub`] on its way to standard error, whichever crate wrote it.

use std::borrow::Cow;
use std::io::Write;

/// The prefixes of AWS access key ids (user, temporary, and other principal kinds).
const KEY_ID_PREFIXES: &[&str] = &[
    "AKIA", "ASIA", "AIDA", "AROA", "AGPA", "ANPA", "ANVA", "APKA",
];
/// Fields whose quoted value is a credential, as `Debug` output writes them.
const SECRET_FIELDS: &[&str] = &[
    "access_key_id: \"",
    "secret_access_key: \"",
    "session_token: \"",
];
const REDACTED: &str = "** redacted **";

/// `text` with every access key id and credential field value replaced.
pub fn scrub(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut index = 0;
    while index < bytes.len() {
        if let Some(field) = SECRET_FIELDS
            .iter()
            .find(|f| text[index..].starts_with(**f))
        {
            let value_start = index + field.len();
            let value_end = text[value_start..]
                .find('"')
                .map_or(text.len(), |end| value_start + end);
            out.push_str(&text[copied..value_start]);
            out.push_str(REDACTED);
            copied = value_end;
            index = value_end.max(index + 1);
            continue;
        }
        let is_key_id = KEY_ID_PREFIXES.iter().any(|p| text[index..].starts_with(p))
            && (index == 0 || !bytes[index - 1].is_ascii_alphanumeric())
            && bytes.len() >= index + 20
            && bytes[index + 4..index + 20]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && bytes
                .get(index + 20)
                .is_none_or(|b| !b.is_ascii_alphanumeric());
        if is_key_id {
            out.push_str(&text[copied..index]);
            out.push_str(REDACTED);
            copied = index + 20;
            index += 20;
            continue;
        }
        // Advance one character (never into the middle of a UTF-8 sequence).
        index += text[index..].chars().next().map_or(1, char::len_utf8);
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// A `tracing_subscriber` writer to standard error that scrubs each log event whole.
#[derive(Debug, Default, Clone, Copy)]
pub struct ScrubbedStderr;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for ScrubbedStderr {
    type Writer = EventBuffer;

    fn make_writer(&'a self) -> EventBuffer {
        EventBuffer(Vec::new())
    }
}

/// One event's text, written scrubbed when the event is complete (a credential is never
/// split between two writes).
#[derive(Debug)]
pub struct EventBuffer(Vec<u8>);

impl Write for EventBuffer {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buffer);
        Ok(buffer.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for EventBuffer {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        // Logging must never fail the run: a closed stderr loses the line.
        let _ = std::io::stderr().write_all(scrub(&text).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_and_credential_fields_are_redacted() {
        let line = r#"Identity { data: Credentials { provider_name: "Env", access_key_id: "AKIATWSECRETCANARY01", secret_access_key: "abc", session_token: "IQoJb3J==" } } ASIAABCDEFGHIJKLMNOP."#;
        let scrubbed = scrub(line);
        for secret in [
            "AKIATWSECRETCANARY01",
            "abc\"",
            "IQoJb3J==",
            "ASIAABCDEFGHIJKLMNOP",
        ] {
            assert!(!scrubbed.contains(secret), "{secret} in {scrubbed}");
        }
        assert!(scrubbed.contains(r#"provider_name: "Env""#));
        assert!(scrubbed.ends_with("** redacted **."), "{scrubbed}");
    }

    #[test]
    fn other_text_is_untouched_and_borrowed() {
        for text in [
            "arn:aws:iam::111122223333:role/AKIAlike",
            "AKIA too short",
            "XAKIAABCDEFGHIJKLMNOP is part of a word",
            "AKIAABCDEFGHIJKLMNOPQ is longer than a key id",
            "ünïcödé AKIA",
            "",
        ] {
            assert!(matches!(scrub(text), Cow::Borrowed(_)), "{text}");
        }
    }
}
