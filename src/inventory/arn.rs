//! Amazon Resource Names, parsed strictly enough to attribute a resource to an account and
//! region, and to reject garbage in snapshots with a clear message.

use std::fmt;

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid ARN `{text}`: {reason}")]
pub struct ArnError {
    pub text: String,
    pub reason: &'static str,
}

impl<'a> Arn<'a> {
    pub fn parse(text: &'a str) -> Result<Self, ArnError> {
        let fail = |reason| ArnError {
            text: text.to_owned(),
            reason,
        };
        let mut parts = text.splitn(6, ':');
        if parts.next() != Some("arn") {
            return Err(fail("must start with `arn:`"));
        }
        let mut next = |what| parts.next().ok_or_else(|| fail(what));
        let partition = next("missing partition")?;
        let service = next("missing service")?;
        let region = next("missing region")?;
        let account = next("missing account")?;
        let resource = next("missing resource")?;
        if !matches!(
            partition,
            "aws"
                | "aws-cn"
                | "aws-us-gov"
                | "aws-iso"
                | "aws-iso-b"
                | "aws-iso-e"
                | "aws-iso-f"
                | "aws-eusc"
        ) {
            return Err(fail("unknown partition"));
        }
        if service.is_empty()
            || !service
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(fail("invalid service"));
        }
        if !region.is_empty() && !is_region_name(region) {
            return Err(fail("invalid region"));
        }
        if !account.is_empty() && !is_account_id(account) {
            return Err(fail("account must be 12 digits"));
        }
        if resource.is_empty() {
            return Err(fail("empty resource"));
        }
        Ok(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// Parses and requires a service, a region and an account (a regional resource).
    pub fn parse_regional(text: &'a str, service: &str) -> Result<Self, ArnError> {
        let arn = Arn::parse(text)?;
        let fail = |reason| ArnError {
            text: text.to_owned(),
            reason,
        };
        if arn.service != service {
            return Err(fail("unexpected service"));
        }
        if arn.region.is_empty() {
            return Err(fail("missing region"));
        }
        if arn.account.is_empty() {
            return Err(fail("missing account"));
        }
        Ok(arn)
    }
}

impl fmt::Display for Arn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

/// A 12-digit AWS account id.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// A region name such as `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`.
pub fn is_region_name(text: &str) -> bool {
    let mut parts = text.split('-').collect::<Vec<_>>();
    let Some(number) = parts.pop() else {
        return false;
    };
    !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

/// Why a text is not a trail ARN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrailArnError {
    #[error(transparent)]
    Arn(#[from] ArnError),
    #[error("`{0}` is not a trail ARN: the resource must be trail/NAME")]
    NotATrail(String),
}

/// A CloudTrail trail ARN, checked: `arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailArn {
    pub arn: String,
    pub home_region: String,
    pub account: String,
    pub name: String,
}

impl TrailArn {
    /// Parses and checks a trail ARN.
    pub fn parse(text: &str) -> Result<TrailArn, TrailArnError> {
        let arn = Arn::parse_regional(text.trim(), "cloudtrail")?;
        let name = arn
            .resource
            .strip_prefix("trail/")
            .filter(|name| !name.is_empty() && !name.contains('/'))
            .ok_or_else(|| TrailArnError::NotATrail(text.to_owned()))?;
        Ok(TrailArn {
            arn: arn.to_string(),
            home_region: arn.region.to_owned(),
            account: arn.account.to_owned(),
            name: name.to_owned(),
        })
    }
}

/// `arn:aws:logs:r:a:log-group:NAME:*` → `arn:aws:logs:r:a:log-group:NAME`.
pub fn normalize_log_group_arn(arn: &str) -> &str {
    arn.strip_suffix(":*").unwrap_or(arn)
}

/// `[prefix/]AWSLogs/`: where CloudTrail writes under a trail's S3 key prefix.
pub fn log_key_prefix(prefix: Option<&str>) -> String {
    match prefix.map(|p| p.trim_end_matches('/')) {
        Some(prefix) if !prefix.is_empty() => format!("{prefix}/AWSLogs/"),
        _ => "AWSLogs/".to_owned(),
    }
}

/// The account and region of an ARN already validated at load time; empty where absent.
pub fn arn_account_region(arn: &str) -> (&str, &str) {
    // Only the fields are cut out: snapshot ARNs are validated when loaded, and this runs
    // for every trail of an organization against every account (a full parse made a
    // 1,000-account evaluation spend a quarter of its time here).
    let mut fields = arn.splitn(6, ':');
    match (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) {
        (Some("arn"), Some(_), Some(_), Some(region), Some(account), Some(_)) => (account, region),
        _ => ("", ""),
    }
}

/// Whether an alarm action is an SNS topic (others: Auto Scaling, EC2, Systems Manager).
pub fn is_sns_topic(action: &str) -> bool {
    action.starts_with("arn:") && action.split(':').nth(2) == Some("sns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_trail_arn() {
        let arn = Arn::parse("arn:aws:cloudtrail:eu-west-1:111122223333:trail/main").unwrap();
        assert_eq!(arn.account, "111122223333");
        assert_eq!(arn.region, "eu-west-1");
        assert_eq!(arn.resource, "trail/main");
        assert_eq!(
            arn.to_string(),
            "arn:aws:cloudtrail:eu-west-1:111122223333:trail/main"
        );
    }

    #[test]
    fn keeps_colons_in_resource() {
        let arn = Arn::parse("arn:aws:logs:us-east-1:111122223333:log-group:ct:*").unwrap();
        assert_eq!(arn.resource, "log-group:ct:*");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "arn",
            "nra:aws:s3:::b",
            "arn:aws:cloudtrail:eu-west-1:1234:trail/x",
            "arn:aws:cloudtrail:EU-WEST-1:111122223333:trail/x",
            "arn:mars:s3:::b",
            "arn:aws:s3:::",
        ] {
            assert!(Arn::parse(bad).is_err(), "{bad} should be rejected");
        }
        assert!(Arn::parse_regional("arn:aws:s3:::bucket", "s3").is_err());
    }

    #[test]
    fn region_names() {
        for good in [
            "us-east-1",
            "us-gov-west-1",
            "ap-southeast-5",
            "cn-north-1",
            "eu-central-2",
        ] {
            assert!(is_region_name(good), "{good}");
        }
        for bad in [
            "",
            "us",
            "us-east",
            "us-east-",
            "1-2-3",
            "Us-east-1",
            "us_east_1",
        ] {
            assert!(!is_region_name(bad), "{bad}");
        }
    }
}
