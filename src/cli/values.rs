//! Value parsers for what users type on the command line: regions, account ids, role and
//! session names, external ids, trail ARNs, times, durations, windows, bucket names and
//! organization ids. Each refuses bad input with one line saying what is expected.

use crate::inventory::is_region_name;
use crate::inventory::{TrailArn, TrailArnError};
use crate::scope::RegionSelection;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Parses `--regions`: `all`, or a comma-separated list of region names.
pub fn parse_regions(text: &str) -> Result<RegionSelection, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("all") {
        return Ok(RegionSelection::All);
    }
    let mut names = Vec::new();
    for name in text.split(',').map(str::trim) {
        if !is_region_name(name) {
            return Err(format!(
                "`{name}` is not a region name: give `all` or names such as us-east-1,eu-west-1"
            ));
        }
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    Ok(RegionSelection::Listed(names))
}

/// Checks `--region`.
pub fn parse_region(text: &str) -> Result<String, String> {
    if is_region_name(text) {
        Ok(text.to_owned())
    } else {
        Err(format!("`{text}` is not a region name, e.g. us-east-1"))
    }
}

/// Checks `--endpoint-url`: an http or https URL with a host.
pub fn parse_endpoint_url(text: &str) -> Result<String, String> {
    let rest = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"))
        .ok_or_else(|| format!("`{text}` is not an http:// or https:// URL"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("`{text}` has no host"));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

/// Parses a 12-digit AWS account id.
pub fn parse_account_id(text: &str) -> Result<String, String> {
    let id = text.trim();
    if crate::inventory::is_account_id(id) {
        Ok(id.to_owned())
    } else {
        Err(format!("`{id}` is not an AWS account id (12 digits)"))
    }
}

/// Parses an IAM role name, optionally with a path (`audit/Scanner`).
pub fn parse_role_name(text: &str) -> Result<String, String> {
    let name = text.trim().trim_matches('/');
    let last = name.rsplit('/').next().unwrap_or_default();
    let valid = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
    if last.is_empty() || last.len() > 64 || !name.chars().all(|c| valid(c) || c == '/') {
        return Err(format!(
            "`{text}` is not an IAM role name (letters, digits and +=,.@_- up to 64, optionally after a path)"
        ));
    }
    Ok(name.to_owned())
}

/// Parses an AssumeRole session name (2–64 of letters, digits and `+=,.@_-`).
pub fn parse_role_session_name(text: &str) -> Result<String, String> {
    let valid = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
    if (2..=64).contains(&text.len()) && text.chars().all(valid) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{text}` is not a role session name (2 to 64 letters, digits and +=,.@_-)"
        ))
    }
}

/// Parses an AssumeRole external id (2–1224 of letters, digits and `+=,.@:/_-`).
pub fn parse_external_id(text: &str) -> Result<String, String> {
    let valid = |c: char| c.is_ascii_alphanumeric() || "+=,.@:/_-".contains(c);
    if (2..=1224).contains(&text.len()) && text.chars().all(valid) {
        Ok(text.to_owned())
    } else {
        Err("the external id must be 2 to 1224 letters, digits and +=,.@:/_-".to_owned())
    }
}

/// Parses `--trail`.
pub fn parse_trail_arn(text: &str) -> Result<TrailArn, TrailArnError> {
    TrailArn::parse(text)
}

/// A point in time on the command line: absolute, or a duration before now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeArg {
    At(DateTime<Utc>),
    Ago(chrono::Duration),
}

impl TimeArg {
    pub fn resolve(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            TimeArg::At(time) => time,
            TimeArg::Ago(duration) => now - duration,
        }
    }
}

/// Parses a time: RFC 3339, `YYYY-MM-DDTHH:MM[:SS][Z]` (UTC), `YYYY-MM-DD` (midnight UTC),
/// or a duration before now (`90m`, `24h`, `7d`, `2w`).
pub fn parse_time(text: &str) -> Result<TimeArg, String> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(TimeArg::At(time.with_timezone(&Utc)));
    }
    let naive = text.strip_suffix('Z').unwrap_or(text);
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(time) = NaiveDateTime::parse_from_str(naive, format) {
            return Ok(TimeArg::At(Utc.from_utc_datetime(&time)));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(TimeArg::At(
            Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN)),
        ));
    }
    parse_duration(text).map(TimeArg::Ago).map_err(|_| {
        format!(
            "`{text}` is not a time: give RFC 3339 (2026-01-20T00:00:00Z), a date (2026-01-20) \
             or a duration before now (24h, 7d)"
        )
    })
}

/// Parses a duration: a positive whole number of minutes, hours, days or weeks (`90m`,
/// `24h`, `7d`, `2w`), at most ten years.
pub fn parse_duration(text: &str) -> Result<chrono::Duration, String> {
    let text = text.trim();
    let fail = || format!("`{text}` is not a duration such as 90m, 24h, 7d or 2w");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(fail)?;
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().map_err(|_| fail())?;
    let minutes = match unit {
        "m" | "min" => 1,
        "h" => 60,
        "d" => 60 * 24,
        "w" => 60 * 24 * 7,
        _ => return Err(fail()),
    };
    let total = number
        .checked_mul(minutes)
        .filter(|&m| m > 0)
        .ok_or_else(fail)?;
    if total > 60 * 24 * 3653 {
        return Err(format!("`{text}` is longer than ten years"));
    }
    Ok(chrono::Duration::minutes(total))
}

/// Parses `--verify-logs-window`: a duration of at most 31 days (a scan stays bounded).
pub fn parse_window(text: &str) -> Result<chrono::Duration, String> {
    let duration = parse_duration(text)?;
    if duration > chrono::Duration::days(31) {
        return Err(format!(
            "`{text}` is longer than 31 days: run `trailwarden verify-logs` for long windows"
        ));
    }
    Ok(duration)
}

/// Parses an S3 bucket name (3–63 of lowercase letters, digits, `.` and `-`, starting and
/// ending with a letter or digit).
pub fn parse_bucket_name(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let valid = (3..=63).contains(&bytes.len())
        && bytes.first().is_some_and(edge)
        && bytes.last().is_some_and(edge)
        && bytes.iter().all(|b| edge(b) || *b == b'.' || *b == b'-');
    if valid {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{text}` is not an S3 bucket name (3 to 63 lowercase letters, digits, `.` and `-`)"
        ))
    }
}

/// Parses an organization id (`o-` and 10 to 32 lowercase letters or digits).
pub fn parse_organization_id(text: &str) -> Result<String, String> {
    let valid = text.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if valid {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{text}` is not an organization id (o- and 10 to 32 lowercase letters or digits)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trail_arns_parse_strictly() {
        let arn = parse_trail_arn("arn:aws:cloudtrail:eu-west-1:111122223333:trail/org_trail-1")
            .expect("valid");
        assert_eq!(
            (
                arn.home_region.as_str(),
                arn.account.as_str(),
                arn.name.as_str()
            ),
            ("eu-west-1", "111122223333", "org_trail-1")
        );
        for bad in [
            "arn:aws:cloudtrail:eu-west-1:111122223333:trail/",
            "arn:aws:cloudtrail:eu-west-1:111122223333:eventdatastore/x",
            "arn:aws:cloudtrail:eu-west-1:1111:trail/x",
            "arn:aws:cloudtrail::111122223333:trail/x",
            "arn:aws:s3:::bucket",
            "trail/x",
        ] {
            assert!(parse_trail_arn(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_and_durations_parse() {
        let at = |text: &str| match parse_time(text) {
            Ok(TimeArg::At(time)) => time.to_rfc3339(),
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(at("2026-01-20T01:02:03Z"), "2026-01-20T01:02:03+00:00");
        assert_eq!(at("2026-01-20T03:02:03+02:00"), "2026-01-20T01:02:03+00:00");
        assert_eq!(at("2026-01-20T01:02"), "2026-01-20T01:02:00+00:00");
        assert_eq!(at("2026-01-20T01:02Z"), "2026-01-20T01:02:00+00:00");
        assert_eq!(at("2026-01-20"), "2026-01-20T00:00:00+00:00");
        assert_eq!(
            parse_time("24h"),
            Ok(TimeArg::Ago(chrono::Duration::hours(24)))
        );
        assert_eq!(parse_duration("2w"), Ok(chrono::Duration::days(14)));
        assert_eq!(parse_duration("90m"), Ok(chrono::Duration::minutes(90)));
        for bad in [
            "",
            "0h",
            "-1h",
            "1y",
            "h",
            "99999999999999999999d",
            "5000w",
            "yesterday",
            "2026-13-01",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
        assert!(parse_window("31d").is_ok());
        assert!(parse_window("32d").is_err());
    }

    #[test]
    fn bucket_names_and_organization_ids_are_checked() {
        for good in ["abc", "my.trail-logs-2026", &"a".repeat(63)] {
            assert!(parse_bucket_name(good).is_ok(), "{good}");
        }
        for bad in [
            "ab",
            "Upper",
            "under_score",
            "-edge",
            "edge.",
            &"a".repeat(64),
            "",
        ] {
            assert!(parse_bucket_name(bad).is_err(), "{bad}");
        }
        assert!(parse_organization_id("o-abcdefghij").is_ok());
        for bad in ["o-short", "org-abcdefghij", "o-ABCDEFGHIJ", "o-"] {
            assert!(parse_organization_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn regions_parse() {
        assert_eq!(parse_regions("all"), Ok(RegionSelection::All));
        assert_eq!(
            parse_regions("us-east-1, eu-west-1,us-east-1"),
            Ok(RegionSelection::Listed(vec![
                "us-east-1".into(),
                "eu-west-1".into()
            ]))
        );
        assert!(parse_regions("us-east-1,mars").is_err());
        assert!(parse_regions("").is_err());
    }

    #[test]
    fn endpoints_parse() {
        assert_eq!(
            parse_endpoint_url("http://127.0.0.1:5000/"),
            Ok("http://127.0.0.1:5000".into())
        );
        assert!(parse_endpoint_url("127.0.0.1:5000").is_err());
        assert!(parse_endpoint_url("http://").is_err());
    }

    #[test]
    fn account_ids_role_names_and_session_names_are_validated() {
        assert_eq!(
            parse_account_id(" 111122223333").as_deref(),
            Ok("111122223333")
        );
        assert!(parse_account_id("1111-2222-3333").is_err());
        assert_eq!(
            parse_role_name("audit/Scanner").as_deref(),
            Ok("audit/Scanner")
        );
        assert!(parse_role_name("bad role").is_err());
        assert!(parse_role_name("").is_err());
        assert!(parse_role_session_name("x").is_err());
        assert!(parse_role_session_name("audit-2026").is_ok());
        assert!(parse_external_id("a b").is_err());
        assert!(parse_external_id("ext:id/42").is_ok());
    }
}
