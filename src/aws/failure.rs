//! Turning a failed AWS call into an [`ObservationError`]: what kind of failure, which
//! operation, and AWS's own words, on one line.

use super::answers::IncompleteAnswer;
use super::guard::ReadOnlyRefusal;
use crate::inventory::{ErrorKind, ObservationError, Observed};
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

/// A call's answer as an observation; a failure is recorded with `action` (an IAM action).
pub fn observe<T, E>(action: &str, result: Result<T, SdkError<E, HttpResponse>>) -> Observed<T>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(value) => Observed::Ok(value),
        Err(e) => Observed::Error(observation_error(action, &e)),
    }
}

/// Every page of a paginated call, flattened with `items`; the first failed page makes the
/// whole observation that failure (a partial list would read as a complete one).
pub async fn observe_pages<O, E, T>(
    action: &str,
    mut pages: aws_smithy_async::future::pagination_stream::PaginationStream<
        Result<O, SdkError<E, HttpResponse>>,
    >,
    items: impl Fn(O) -> Vec<T>,
) -> Observed<Vec<T>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let mut all = Vec::new();
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => all.extend(items(page)),
            Err(e) => return Observed::Error(observation_error(action, &e)),
        }
    }
    Observed::Ok(all)
}

/// As [`observe`], where AWS answers "not configured" with an error: the codes in
/// `absent_codes` are observations of absence (`absent()`), not failures.
pub fn observe_or<T, E>(
    action: &str,
    result: Result<T, SdkError<E, HttpResponse>>,
    absent_codes: &[&str],
    absent: impl FnOnce() -> T,
) -> Observed<T>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Err(e) if error_code(&e).is_some_and(|code| absent_codes.contains(&code)) => {
            Observed::Ok(absent())
        }
        other => observe(action, other),
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
                // A success the SDK could not read (S3 Control's deserializers report that
                // as an unmodeled error): why, from the chain of causes only.
                _ if (200..300).contains(&status) => format!(
                    "malformed answer (HTTP {status}): {}",
                    causes(service.err()).unwrap_or_else(|| "unreadable".to_owned())
                ),
                _ => format!("HTTP {status} without an AWS error code"),
            };
            (kind, message)
        }
        SdkError::TimeoutError(_) => (ErrorKind::Failed, "timed out".to_owned()),
        // An answer that could not be read. Its parse error only: the raw answer the SDK
        // keeps beside it could hold anything, an AssumeRole's credentials included.
        SdkError::ResponseError(response) => (
            ErrorKind::Failed,
            format!(
                "malformed answer (HTTP {}): {}",
                response.raw().status().as_u16(),
                match in_chain::<IncompleteAnswer>(error) {
                    Some(incomplete) => incomplete.to_string(),
                    None => std::error::Error::source(error)
                        .map(|source| one_line(&DisplayErrorContext(source).to_string()))
                        .unwrap_or_default(),
                }
            ),
        ),
        other => match in_chain::<ReadOnlyRefusal>(other) {
            Some(refusal) => (ErrorKind::Denied, refusal.to_string()),
            None => (
                ErrorKind::Failed,
                one_line(&DisplayErrorContext(other).to_string()),
            ),
        },
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

/// The first error of type `T` in the SDK's chain of error sources: the read-only guard's
/// refusal, or why [`super::answers`] refused an answer, whatever wraps it.
fn in_chain<'a, T: std::error::Error + 'static>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(found) = error.downcast_ref::<T>() {
            return Some(found);
        }
        next = error.source();
    }
    None
}

/// The causes of `error` (its sources' messages, not the error itself), on one line.
fn causes(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut messages = Vec::new();
    let mut next = error.source();
    while let Some(cause) = next {
        messages.push(one_line(&cause.to_string()));
        next = cause.source();
    }
    (!messages.is_empty()).then(|| messages.join(": "))
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
    fn a_guard_refusal_is_denied_with_its_own_words() {
        type CallError = aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
        let error = SdkError::<CallError, HttpResponse>::construction_failure(ReadOnlyRefusal {
            operation: "S3:PutObject".into(),
        });
        let observed = observation_error("s3:PutObject", &error);
        assert_eq!(observed.kind, ErrorKind::Denied);
        assert_eq!(
            observed.message,
            "refused by trailwarden's read-only guard: S3:PutObject is not in the read-only allowlist"
        );
        let other = SdkError::<CallError, HttpResponse>::construction_failure("no region");
        assert_eq!(
            observation_error("sts:GetCallerIdentity", &other).kind,
            ErrorKind::Failed
        );
    }

    #[test]
    fn messages_are_one_line() {
        assert_eq!(one_line("a\n  b\tc "), "a b c");
    }
}
