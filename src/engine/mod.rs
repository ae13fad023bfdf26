//! The rule engine: the catalog (rule metadata bound to logic), rule selection and
//! parameters, evaluation into findings, framework views, waivers, the baseline comparison
//! and the exit-code gate. This file is the facade: it defines nothing.

mod baseline;
mod catalog;
mod controls;
mod evaluate;
mod finding;
mod frameworks;
mod gate;
mod params;
mod selection;
mod waivers;

pub use baseline::{fingerprint, Baseline, BaselineFinding, BaselineState};
pub use catalog::{Catalog, CatalogError, Parameter, Remediation, Rule, RuleSpec};
pub use controls::{ControlStatus, ControlView, FrameworkView};
pub use evaluate::{evaluate, Evaluation, EvaluationError};
pub use finding::{ControlRef, Finding, SourceLocation};
pub use frameworks::{AssessmentMode, Framework, FrameworkControl};
pub use gate::{ExitCode, FailOn, Gate};
pub use params::ParamOverride;
pub use selection::{Selection, SelectionError};
pub use waivers::{
    apply as apply_waivers, AppliedWaiver, PatternError, ResourcePattern, Waiver, WaiverReport,
    WaiverState,
};
