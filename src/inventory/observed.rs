//! `Observed<T>`: a value that came from an AWS call, or the reason it could not be observed.
//!
//! "Not configured" answers (no bucket policy, no lifecycle) are observations (`Ok(None)`),
//! never errors. An omitted field in a snapshot means the collector did not ask: it
//! deserializes as [`ErrorKind::NotCollected`], so a rule that needs it says ERROR, never PASS.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A value obtained from an AWS call, or why it is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Observed<T> {
    Ok(T),
    Error(ObservationError),
}

impl<T> Default for Observed<T> {
    fn default() -> Self {
        Observed::Error(ObservationError {
            kind: ErrorKind::NotCollected,
            operation: String::new(),
            message: String::new(),
        })
    }
}

impl<T> Observed<T> {
    /// The observation of `f(value)`; an error stays the same error.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Observed<U> {
        match self {
            Observed::Ok(value) => Observed::Ok(f(value)),
            Observed::Error(error) => Observed::Error(error),
        }
    }

    /// The observed value, or the reason it is unknown.
    pub fn value(&self) -> Result<&T, &ObservationError> {
        match self {
            Observed::Ok(value) => Ok(value),
            Observed::Error(error) => Err(error),
        }
    }

    pub fn is_ok(&self) -> bool {
        matches!(self, Observed::Ok(_))
    }

    pub fn failure(
        kind: ErrorKind,
        operation: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Observed::Error(ObservationError {
            kind,
            operation: operation.into(),
            message: message.into(),
        })
    }
}

/// Why a value could not be observed, with the AWS operation that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservationError {
    pub kind: ErrorKind,
    /// The AWS operation, e.g. `cloudtrail:GetTrailStatus`. Empty when never attempted.
    #[serde(default)]
    pub operation: String,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// AccessDenied / UnauthorizedOperation / an account whose role could not be assumed.
    Denied,
    /// Throttled past the retry budget.
    Throttled,
    /// Any other failure: timeout, network, malformed answer, server error.
    Failed,
    /// The API is not available here (region, partition, or endpoint).
    Unsupported,
    /// The collector did not ask for it (not needed by the selected rules, or absent from the snapshot).
    NotCollected,
    /// A Terraform plan: the value is known only after apply.
    Unknown,
}

impl fmt::Display for ObservationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::Denied => "access denied",
            ErrorKind::Throttled => "throttled",
            ErrorKind::Failed => "failed",
            ErrorKind::Unsupported => "not supported",
            ErrorKind::NotCollected => "not collected",
            ErrorKind::Unknown => "unknown",
        };
        match (self.operation.is_empty(), self.message.is_empty()) {
            (true, true) => write!(f, "{what}"),
            (true, false) => write!(f, "{what}: {}", self.message),
            (false, true) => write!(f, "{} {what}", self.operation),
            (false, false) => write!(f, "{} {what}: {}", self.operation, self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn omitted_observation_is_not_collected_never_ok() {
        #[derive(Deserialize)]
        struct Holder {
            #[serde(default)]
            value: Observed<bool>,
        }
        let holder: Holder = serde_json::from_str("{}").unwrap();
        let error = holder.value.value().unwrap_err();
        assert_eq!(error.kind, ErrorKind::NotCollected);
    }

    #[test]
    fn round_trips_both_variants() {
        let ok: Observed<Option<String>> = Observed::Ok(None);
        let text = serde_json::to_string(&ok).unwrap();
        assert_eq!(text, r#"{"ok":null}"#);
        let denied: Observed<bool> =
            Observed::failure(ErrorKind::Denied, "s3:GetBucketAcl", "Access Denied");
        let text = serde_json::to_string(&denied).unwrap();
        let back: Observed<bool> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, denied);
        assert_eq!(
            back.value().unwrap_err().to_string(),
            "s3:GetBucketAcl access denied: Access Denied"
        );
    }
}
