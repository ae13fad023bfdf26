//! SNS topics the alarms notify, and their subscriptions.

use crate::inventory::keyed::Keyed;
use crate::inventory::observed::Observed;
use serde::{Deserialize, Serialize};

/// An SNS topic an alarm notifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnsTopic {
    pub arn: String,
    /// `sns:ListSubscriptionsByTopic`. Endpoints (addresses) are not kept.
    #[serde(default)]
    pub subscriptions: Observed<Vec<SnsSubscription>>,
}

impl Keyed for SnsTopic {
    fn key(&self) -> &str {
        &self.arn
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnsSubscription {
    /// The subscription ARN, or `PendingConfirmation` while the subscriber has not confirmed.
    pub arn: String,
    /// `email`, `sqs`, `lambda`, `https`, …
    pub protocol: String,
}

impl SnsSubscription {
    /// Confirmed: AWS gives a subscription ARN once the endpoint confirmed; until then the
    /// literal `PendingConfirmation` (or, after a deletion, `Deleted`).
    pub fn is_confirmed(&self) -> bool {
        self.arn.starts_with("arn:")
    }
}
