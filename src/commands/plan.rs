//! `plan`: a Terraform plan (or state) converted into an inventory, judged by the one
//! assessment pipeline; a plan made against existing state is compared with that state.

use super::assess::{self, PlanSource};
use super::AppError;
use crate::cli::PlanArgs;
use crate::engine::{Catalog, ExitCode, SourceLocation};
use crate::terraform::{self, PlanOptions};
use std::collections::BTreeMap;

pub(super) fn run(catalog: &Catalog, args: &PlanArgs) -> Result<ExitCode, AppError> {
    let path = &args.plan;
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::Usage(format!("cannot read {}: {e}", path.display())))?;
    let options = PlanOptions {
        account_id: args.account_id.clone(),
    };
    let converted = terraform::convert(&text, &options)
        .map_err(|e| AppError::Usage(format!("{}: {e}", path.display())))?;
    let files = terraform::locate(&text, &args.tf_dir);
    let locations: BTreeMap<String, SourceLocation> = converted
        .addresses
        .iter()
        .map(|(key, address)| {
            let place = files.get(address);
            (
                key.clone(),
                SourceLocation {
                    address: address.clone(),
                    file: place.map(|p| p.file.clone()),
                    line: place.map(|p| p.line),
                },
            )
        })
        .collect();
    assess::run_plan(
        catalog,
        &converted.planned,
        &args.assessment,
        true,
        PlanSource {
            prior: converted.prior.as_ref(),
            locations: Some(&locations),
        },
    )
}
