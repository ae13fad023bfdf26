//! Turning a failed AWS call into an [`ObservationError`]: what kind of failure, which
//! operation, and AWS's own words, on one line.

use crate::inventory::{ErrorKind, ObservationError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

const DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "AllAccessDisabled",
    "AuthFailure",
    "AuthorizationError",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
    "InvalidClientTokenId",
    "OptInRequired",
    "SignatureDoesNotMatch",
    "UnauthorizedAccess",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
];

const THROTTLED_CODES: &[&str] = &[
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "ThrottledException",
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
];

const UNSUPPORTED_CODES: &[&str] = &[
    "InvalidAction",
    "NotImplemented",
    "UnknownOperationException",
    "UnsupportedOperation",
    "UnsupportedOperationException",
];

/// The AWS error code of a failed call, when AWS answered with one.
pub fn error_code<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> Option<&str> {
    match error {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    }
}

/// Records a failed call of `action` (an IAM action name such as `s3:GetBucketAcl`).
pub fn observation_error<E>(action: &str, error: &SdkError<E, HttpResponse>) -> ObservationError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (kind, message) = match error {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = service.err().code().unwrap_or("");
            let kind = classify(code, status);
            let detail = service.err().message().unwrap_or("");
            let message = match (code.is_empty(), detail.is_empty()) {
                (false, false) => format!("{code}: {detail} (HTTP {status})"),
                (false, true) => format!("{code} (HTTP {status})"),
                _ => format!("HTTP {status} without an AWS error code"),
            };
            (kind, message)
        }
        SdkError::TimeoutError(_) => (ErrorKind::Failed, "timed out".to_owned()),
        other => {
            let message = one_line(&DisplayErrorContext(other).to_string());
            match guard_refusal(&message) {
                Some(refusal) => (ErrorKind::Denied, refusal.to_owned()),
                None => (ErrorKind::Failed, message),
            }
        }
    };
    ObservationError {
        kind,
        operation: action.to_owned(),
        message,
    }
}

fn classify(code: &str, status: u16) -> ErrorKind {
    if DENIED_CODES.contains(&code) || (code.is_empty() && status == 403) {
        ErrorKind::Denied
    } else if THROTTLED_CODES.contains(&code) || status == 429 {
        ErrorKind::Throttled
    } else if UNSUPPORTED_CODES.contains(&code) || status == 501 {
        ErrorKind::Unsupported
    } else {
        ErrorKind::Failed
    }
}

/// The read-only guard's own sentence, without the SDK's wrapping around it.
fn guard_refusal(message: &str) -> Option<&str> {
    let start = message.find(super::api_calls::GUARD_PREFIX)?;
    let rest = &message[start..];
    let end = [" (", "\")", "\""]
        .iter()
        .filter_map(|stop| rest.find(stop))
        .min()
        .unwrap_or(rest.len());
    Some(rest[..end].trim_end())
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_classified() {
        assert_eq!(classify("AccessDenied", 403), ErrorKind::Denied);
        assert_eq!(classify("", 403), ErrorKind::Denied);
        assert_eq!(classify("ThrottlingException", 400), ErrorKind::Throttled);
        assert_eq!(classify("", 429), ErrorKind::Throttled);
        assert_eq!(
            classify("UnsupportedOperationException", 400),
            ErrorKind::Unsupported
        );
        assert_eq!(classify("InternalFailure", 500), ErrorKind::Failed);
        assert_eq!(classify("", 503), ErrorKind::Failed);
    }

    #[test]
    fn guard_refusals_are_short() {
        let wrapped = "failed to construct request: interceptor encountered an error: \
            trailwarden read-only guard: S3:PutObject is not in the read-only allowlist \
            (ConstructionFailure(...))";
        assert_eq!(
            guard_refusal(wrapped),
            Some("trailwarden read-only guard: S3:PutObject is not in the read-only allowlist")
        );
        assert_eq!(guard_refusal("timeout"), None);
    }

    #[test]
    fn messages_are_one_line() {
        assert_eq!(one_line("a\n  b\tc "), "a b c");
    }
}
