//! One credential session per scanned account: the caller's own credentials for the
//! caller's account, `sts:AssumeRole` into the scan role for every other account.
//!
//! The role is assumed once up front (so an account whose role cannot be assumed is known
//! before its scan starts and recorded as such) and again whenever the SDK's identity cache
//! finds the credentials about to expire, so a scan that outlives a session keeps working.
//! AssumeRole goes through the scan's own STS client, so it is logged and guarded like
//! every other call.

use super::accounts::PlannedAccount;
use crate::aws::clients::Clients;
use crate::aws::failure::observation_error;
use crate::aws::limits::{Limits, Service};
use crate::inventory::ObservationError;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::provider::{self, error::CredentialsError, future, ProvideCredentials};
use aws_credential_types::Credentials;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// How to reach the other accounts of a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpec {
    /// Role name (optionally with a path), the same in every account.
    pub name: String,
    pub external_id: Option<String>,
    pub session_name: String,
}

impl RoleSpec {
    pub fn arn(&self, partition: &str, account: &str) -> String {
        format!("arn:{partition}:iam::{account}:role/{}", self.name)
    }
}

/// Credentials handed out this close to their expiry are renewed first.
const RENEW_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);

/// Credentials of an assumed role, renewed by assuming it again.
#[derive(Debug)]
pub struct AssumedRole {
    sts: aws_sdk_sts::Client,
    role_arn: String,
    external_id: Option<String>,
    session_name: String,
    /// The credentials of the first AssumeRole, handed out once.
    primed: Mutex<Option<Credentials>>,
}

impl AssumedRole {
    /// Assumes `role_arn` with the caller's STS client; the error names the role.
    pub async fn assume(
        sts: aws_sdk_sts::Client,
        role_arn: String,
        role: &RoleSpec,
    ) -> Result<AssumedRole, ObservationError> {
        let mut assumed = AssumedRole {
            sts,
            role_arn,
            external_id: role.external_id.clone(),
            session_name: role.session_name.clone(),
            primed: Mutex::default(),
        };
        let credentials = assumed.fetch().await?;
        *assumed
            .primed
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(credentials);
        Ok(assumed)
    }

    async fn fetch(&self) -> Result<Credentials, ObservationError> {
        let answer = self
            .sts
            .assume_role()
            .role_arn(&self.role_arn)
            .role_session_name(&self.session_name)
            .set_external_id(self.external_id.clone())
            .send()
            .await
            .map_err(|e| {
                let mut error = observation_error("sts:AssumeRole", &e);
                error.message = format!("cannot assume {}: {}", self.role_arn, error.message);
                error
            })?;
        let Some(credentials) = answer.credentials() else {
            return Err(ObservationError {
                kind: crate::inventory::ErrorKind::Failed,
                operation: "sts:AssumeRole".into(),
                message: format!("AssumeRole of {} answered no credentials", self.role_arn),
            });
        };
        Ok(Credentials::new(
            credentials.access_key_id(),
            credentials.secret_access_key(),
            Some(credentials.session_token().to_owned()),
            SystemTime::try_from(*credentials.expiration()).ok(),
            "trailwarden-assume-role",
        ))
    }

    async fn credentials(&self) -> provider::Result {
        let primed = self
            .primed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(credentials) = primed.filter(|c| !expires_soon(c, SystemTime::now())) {
            return Ok(credentials);
        }
        tracing::info!(role = %self.role_arn, "renewing the role session");
        self.fetch()
            .await
            .map_err(|error| CredentialsError::provider_error(error.to_string()))
    }
}

fn expires_soon(credentials: &Credentials, now: SystemTime) -> bool {
    credentials
        .expiry()
        .is_some_and(|expiry| expiry <= now + RENEW_BEFORE_EXPIRY)
}

impl ProvideCredentials for AssumedRole {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.credentials())
    }
}

/// The credentials of one scanned account.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: String,
    pub clients: Arc<Clients>,
}

/// The credentials trailwarden was started with, and what they tell.
pub struct Caller {
    pub account: String,
    pub partition: String,
    pub home_region: String,
    pub clients: Arc<Clients>,
}

impl Caller {
    /// The caller's own session for its account; an assumed role for every other.
    pub async fn open_session<'t>(
        &self,
        target: &'t PlannedAccount,
        role: &RoleSpec,
        limits: &Limits,
    ) -> (&'t PlannedAccount, Result<Session, ObservationError>) {
        if target.id == self.account {
            let session = Session {
                account: target.id.clone(),
                clients: self.clients.clone(),
            };
            return (target, Ok(session));
        }
        let home = self.home_region.as_str();
        let assumed = limits
            .run(
                &self.account,
                Service::Sts,
                home,
                AssumedRole::assume(
                    self.clients.sts(home),
                    role.arn(&self.partition, &target.id),
                    role,
                ),
            )
            .await;
        let session = assumed.map(|assumed| Session {
            account: target.id.clone(),
            clients: Arc::new(
                self.clients
                    .with_credentials(SharedCredentialsProvider::new(assumed)),
            ),
        });
        if let Err(error) = &session {
            tracing::warn!(account = %target.id, %error, "cannot open a session");
        }
        (target, session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_close_to_expiry_are_renewed() {
        let now = SystemTime::now();
        let at =
            |offset: Duration| Credentials::new("AKID", "SECRET", None, Some(now + offset), "test");
        assert!(expires_soon(&at(Duration::from_secs(60)), now));
        assert!(!expires_soon(&at(Duration::from_secs(3600)), now));
        let forever = Credentials::new("AKID", "SECRET", None, None, "test");
        assert!(!expires_soon(&forever, now));
    }

    #[test]
    fn role_arn_uses_partition_and_path() {
        let role = RoleSpec {
            name: "audit/Scanner".into(),
            external_id: None,
            session_name: "trailwarden".into(),
        };
        assert_eq!(
            role.arn("aws-us-gov", "111122223333"),
            "arn:aws-us-gov:iam::111122223333:role/audit/Scanner"
        );
    }
}
