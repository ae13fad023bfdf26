//! TW107 s3-data-events-write, TW108 s3-data-events-read — CIS "Ensure that object-level
//! logging for write|read events is enabled for S3 buckets"; TW109 dynamodb-data-events and
//! TW110 lambda-data-events — the forensic vault's other data events.

use super::judge::{judge_accounts, logging_multi_region, observed, Requirement};
use crate::analysis::data_events::{
    data_coverage, Side, DataEventTarget, DYNAMODB_TABLE, LAMBDA_FUNCTION, S3_OBJECT,
};
use crate::analysis::trail_coverage::{is_logging, judge, AccountVerdict, TrailIndex};
use crate::analysis::Truth;
use crate::rule::{CheckResult, Outcome, RuleContext, RuleError};
use crate::inventory::{Arn, Trail};

/// Whether `trail` records `side` of the data events of `resource_type` under `target`.
fn records(trail: &Trail, resource_type: &str, target: &DataEventTarget, side: Side) -> Truth {
    let selectors = match observed(trail, "event selectors", &trail.event_selectors) {
        Ok(selectors) => selectors,
        Err(unknown) => return unknown,
    };
    let coverage = data_coverage(selectors, resource_type, target);
    if coverage.records(side) {
        return Truth::Yes;
    }
    let mut why = format!(
        "{} does not record {} {resource_type} data events for {}",
        trail.name,
        side.as_str(),
        match target {
            DataEventTarget::Prefix(p) => format!("every ARN under {p}"),
            DataEventTarget::Exact(arn) => arn.clone(),
        }
    );
    if !coverage.narrowed.is_empty() {
        why = format!("{why} ({})", coverage.narrowed.join("; "));
    }
    Truth::no(why)
}

fn s3(ctx: &RuleContext, side: Side) -> CheckResult {
    let all_buckets = DataEventTarget::Prefix(format!("arn:{}:s3:::", ctx.inventory.partition));
    let (satisfied, unsatisfied) = match side {
        Side::Read => (
            "records S3 object-level read events (GetObject, ...) for every bucket, in every region",
            "no logging multi-region trail records S3 object-level read events for every bucket",
        ),
        _ => (
            "records S3 object-level write events (PutObject, DeleteObject, ...) for every bucket, in every region",
            "no logging multi-region trail records S3 object-level write events for every bucket",
        ),
    };
    Ok(judge_accounts(
        ctx,
        |trail| {
            Truth::all([
                logging_multi_region(trail),
                records(trail, S3_OBJECT, &all_buckets, side),
            ])
        },
        Requirement {
            satisfied,
            unsatisfied,
            no_trail:
                "no trail records this account's activity, so no S3 object-level events either",
        },
    ))
}

pub fn s3_write(ctx: &RuleContext) -> CheckResult {
    s3(ctx, Side::Write)
}

pub fn s3_read(ctx: &RuleContext) -> CheckResult {
    s3(ctx, Side::Read)
}

/// DynamoDB or Lambda data events: for every resource of every account (the parameter is
/// empty), or for each listed resource ARN.
fn listed_resources(
    ctx: &RuleContext,
    parameter: &str,
    service: &str,
    resource_type: &str,
    side: Side,
    noun: &str,
) -> CheckResult {
    let listed = ctx.list(parameter)?;
    let index = TrailIndex::new(ctx.inventory);
    if listed.is_empty() {
        let everything = DataEventTarget::Prefix(format!("arn:{}:{service}:", ctx.inventory.partition));
        let satisfied = format!(
            "records {} data events of every {noun}, in every region",
            side.as_str()
        );
        let unsatisfied = format!(
            "no logging multi-region trail records {} data events of every {noun}",
            side.as_str()
        );
        return Ok(judge_accounts(
            ctx,
            |trail| {
                Truth::all([
                    logging_multi_region(trail),
                    records(trail, resource_type, &everything, side),
                ])
            },
            Requirement {
                satisfied: &satisfied,
                unsatisfied: &unsatisfied,
                no_trail: "no trail records this account's activity",
            },
        ));
    }
    let mut outcomes = Vec::new();
    for arn in listed {
        let parsed = Arn::parse_regional(arn, service).map_err(|e| {
            RuleError(format!(
                "parameter `{parameter}`: `{arn}` is not a {service} ARN ({e})"
            ))
        })?;
        let outcome = Outcome::on(parsed.account, parsed.region, arn.as_str());
        let Some(account) = ctx.inventory.accounts.get(parsed.account) else {
            outcomes.push(outcome.error(format!(
                "account {} of {arn} was not scanned",
                parsed.account
            )));
            continue;
        };
        let target = DataEventTarget::Exact(arn.clone());
        let judgement = judge(&index, account, |trail| {
            let region = if trail.is_multi_region || trail.home_region == parsed.region {
                Truth::Yes
            } else {
                Truth::no(format!(
                    "{} records only {}, not {}",
                    trail.name, trail.home_region, parsed.region
                ))
            };
            Truth::all([
                region,
                is_logging(trail),
                records(trail, resource_type, &target, side),
            ])
        });
        outcomes.push(match judgement.verdict {
            AccountVerdict::Satisfied(covering) => outcome.pass(format!(
                "{} records {} data events of {arn}",
                covering.trail.name,
                side.as_str()
            )),
            AccountVerdict::Unknown(why) => outcome.error(why),
            AccountVerdict::Unsatisfied(reasons) if reasons.is_empty() => {
                outcome.fail(format!("no trail covers account {}", parsed.account))
            }
            AccountVerdict::Unsatisfied(reasons) => outcome.fail(format!(
                "no logging trail records {} data events of {arn}: {}",
                side.as_str(),
                reasons.join("; ")
            )),
        });
    }
    Ok(outcomes)
}

pub fn dynamodb(ctx: &RuleContext) -> CheckResult {
    listed_resources(
        ctx,
        "dynamodb_tables",
        "dynamodb",
        DYNAMODB_TABLE,
        Side::Both,
        "DynamoDB table",
    )
}

/// Lambda's data event is `Invoke`, which CloudTrail records as a write (`readOnly` false).
pub fn lambda(ctx: &RuleContext) -> CheckResult {
    listed_resources(
        ctx,
        "lambda_functions",
        "lambda",
        LAMBDA_FUNCTION,
        Side::Write,
        "Lambda function",
    )
}
