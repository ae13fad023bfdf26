//! STS: who the caller is. (`sts:AssumeRole` is in `scope/sessions.rs`, as the credential
//! provider of an assumed session.)

use crate::aws::failure::observation_error;
use crate::inventory::{CallerIdentity, ObservationError};
use aws_sdk_sts::Client;

/// `sts:GetCallerIdentity`.
pub async fn caller_identity(client: &Client) -> Result<CallerIdentity, ObservationError> {
    let answer = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| observation_error("sts:GetCallerIdentity", &e))?;
    Ok(CallerIdentity {
        account: answer.account().unwrap_or_default().to_owned(),
        arn: answer.arn().unwrap_or_default().to_owned(),
        user_id: answer.user_id().unwrap_or_default().to_owned(),
    })
}
