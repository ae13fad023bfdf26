//! Which regions of an account are scanned: the selection (`--regions`) against the regions
//! the account has enabled; a region that is not enabled is skipped with the reason, not
//! failed.

use super::RegionSelection;
use crate::aws::api::regions::RegionAvailability;
use crate::inventory::ObservationError;

/// A region to scan, or to record as skipped with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRegion {
    pub name: String,
    /// Why the region is not scanned, if it is not.
    pub skipped: Option<String>,
}

/// Decides which regions to scan from the selection and the account's enabled regions.
pub fn plan_regions(
    selection: &RegionSelection,
    home_region: &str,
    available: Result<Vec<RegionAvailability>, ObservationError>,
) -> (Vec<PlannedRegion>, Option<ObservationError>) {
    let scan = |name: &str| PlannedRegion {
        name: name.to_owned(),
        skipped: None,
    };
    match (selection, available) {
        (RegionSelection::All, Ok(available)) => (
            available
                .iter()
                .map(|region| PlannedRegion {
                    name: region.name.clone(),
                    skipped: (!region.is_enabled()).then(|| {
                        format!(
                            "not enabled for this account (opt-in status {})",
                            region.opt_in_status
                        )
                    }),
                })
                .collect(),
            None,
        ),
        (RegionSelection::Listed(names), Ok(available)) => (
            names
                .iter()
                .map(|name| match available.iter().find(|r| &r.name == name) {
                    Some(region) if region.is_enabled() => scan(name),
                    Some(region) => PlannedRegion {
                        name: name.clone(),
                        skipped: Some(format!(
                            "not enabled for this account (opt-in status {})",
                            region.opt_in_status
                        )),
                    },
                    None => PlannedRegion {
                        name: name.clone(),
                        skipped: Some("not a region of this account's partition".to_owned()),
                    },
                })
                .collect(),
            None,
        ),
        // Without the list, scan what was asked for (a region that is not enabled will show
        // its calls failing), or the home region, which the credentials evidently work in.
        (RegionSelection::Listed(names), Err(error)) => {
            (names.iter().map(|name| scan(name)).collect(), Some(error))
        }
        (RegionSelection::All, Err(error)) => (vec![scan(home_region)], Some(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::ErrorKind;

    fn available() -> Vec<RegionAvailability> {
        [
            ("eu-west-1", "opt-in-not-required"),
            ("me-south-1", "not-opted-in"),
            ("ap-east-1", "opted-in"),
        ]
        .iter()
        .map(|(name, status)| RegionAvailability {
            name: (*name).into(),
            opt_in_status: (*status).into(),
        })
        .collect()
    }

    fn denied() -> ObservationError {
        ObservationError {
            kind: ErrorKind::Denied,
            operation: "ec2:DescribeRegions".into(),
            message: "AccessDenied".into(),
        }
    }

    #[test]
    fn all_regions_scans_the_enabled_and_skips_the_rest() {
        let (plan, error) = plan_regions(&RegionSelection::All, "eu-west-1", Ok(available()));
        assert!(error.is_none());
        let scanned = plan
            .iter()
            .filter(|r| r.skipped.is_none())
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>();
        assert_eq!(scanned, ["eu-west-1", "ap-east-1"]);
        let skipped = plan
            .iter()
            .find(|r| r.name == "me-south-1")
            .expect("listed");
        assert!(skipped
            .skipped
            .as_deref()
            .is_some_and(|s| s.contains("not-opted-in")));
    }

    #[test]
    fn listed_regions_that_are_not_enabled_or_unknown_are_skipped() {
        let selection = RegionSelection::Listed(vec![
            "me-south-1".into(),
            "eu-west-1".into(),
            "cn-north-1".into(),
        ]);
        let (plan, _) = plan_regions(&selection, "eu-west-1", Ok(available()));
        let skipped = plan
            .iter()
            .map(|r| (r.name.as_str(), r.skipped.is_some()))
            .collect::<Vec<_>>();
        assert_eq!(
            skipped,
            [
                ("me-south-1", true),
                ("eu-west-1", false),
                ("cn-north-1", true)
            ]
        );
    }

    #[test]
    fn without_the_region_list_the_scan_goes_on_and_says_why() {
        let (plan, error) = plan_regions(&RegionSelection::All, "eu-west-1", Err(denied()));
        assert_eq!(plan.len(), 1);
        assert_eq!(plan[0].name, "eu-west-1");
        assert_eq!(error, Some(denied()));
        let selection = RegionSelection::Listed(vec!["us-east-1".into(), "ap-east-1".into()]);
        let (plan, error) = plan_regions(&selection, "eu-west-1", Err(denied()));
        assert!(plan.iter().all(|r| r.skipped.is_none()));
        assert_eq!(plan.len(), 2);
        assert!(error.is_some());
    }
}
