//! Reading `terraform show -json`: of a saved plan (`planned_values`, `resource_changes`,
//! `prior_state`, `configuration`) or of a state (`values`). Everything is untrusted input
//! from a pull request: shapes are checked as they are read, and a document that is not a
//! plan or a state, or has an unsupported `format_version`, is refused with one line.

use super::PlanError;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// What kind of document it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// `terraform show -json PLANFILE`.
    Plan,
    /// `terraform show -json` with no plan: the state.
    State,
}

/// One resource instance: a managed resource as it will be (plan) or is (state), or a data
/// source as read.
#[derive(Debug, Clone)]
pub struct Instance {
    /// `module.trail["prod"].aws_cloudtrail.this[0]`.
    pub address: String,
    /// The module instance it is in: `module.trail["prod"]`; empty for the root module.
    pub module: String,
    pub data: bool,
    /// `aws_cloudtrail`.
    pub kind: String,
    /// The `count` number or `for_each` key.
    pub index: Option<Value>,
    /// Its attributes; in a plan, those known before apply.
    pub values: Map<String, Value>,
    /// In a plan: `true` (or nested flags) where a value is known only after apply.
    pub unknown: Value,
    /// The provider configuration it uses (`aws`, `aws.eu`), from the configuration.
    pub provider_key: Option<String>,
    /// Its block in the configuration: `expressions` and friends (`None` for a state).
    pub config: Option<Value>,
}

/// A parsed document: its instances, and what references are resolved against.
#[derive(Debug)]
pub struct Document {
    pub kind: DocumentKind,
    pub instances: Vec<Instance>,
    /// The state the plan starts from (`prior_state`), as instances; empty for a state or a
    /// plan from an empty state.
    pub prior: Vec<Instance>,
    /// `configuration` (plans only): provider configurations and module calls.
    pub configuration: Value,
    /// Root input variable values (`variables`).
    pub variables: BTreeMap<String, Value>,
}

/// Format versions this build reads (Terraform 1.x writes 1.x; the JSON format promises
/// compatibility within a major version).
fn supported(version: &str) -> bool {
    version.split('.').next() == Some("1")
}

pub fn parse(text: &str) -> Result<Document, PlanError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| PlanError::new(format!("not JSON ({e})")))?;
    let Value::Object(top) = value else {
        return Err(PlanError::new(
            "not a Terraform plan or state: the document is not a JSON object",
        ));
    };
    let version = match top.get("format_version") {
        Some(Value::String(version)) => version.clone(),
        _ => return Err(PlanError::new(
            "not a Terraform plan or state (`terraform show -json` output has a `format_version`)",
        )),
    };
    if !supported(&version) {
        return Err(PlanError::new(format!(
            "format_version {version} is not supported (this build reads 1.x, Terraform 1.x)"
        )));
    }
    let kind = if top.contains_key("planned_values") || top.contains_key("resource_changes") {
        DocumentKind::Plan
    } else if top.contains_key("values") || top.contains_key("terraform_version") {
        DocumentKind::State
    } else {
        return Err(PlanError::new(
            "not a Terraform plan or state: neither `planned_values` nor `values`",
        ));
    };
    if top.get("errored") == Some(&Value::Bool(true)) {
        return Err(PlanError::new(
            "the plan errored: Terraform could not finish it, so what it would apply is unknown",
        ));
    }
    let configuration = top.get("configuration").cloned().unwrap_or(Value::Null);
    let variables = match top.get("variables") {
        Some(Value::Object(vars)) => vars
            .iter()
            .map(|(name, var)| {
                (
                    name.clone(),
                    var.get("value").cloned().unwrap_or(Value::Null),
                )
            })
            .collect(),
        _ => BTreeMap::new(),
    };
    let (instances, prior) = match kind {
        DocumentKind::Plan => {
            let changes = resource_changes(&top)?;
            let mut instances = Vec::new();
            if let Some(root) = top.get("planned_values").and_then(|p| p.get("root_module")) {
                module_instances(root, "planned_values.root_module", &mut instances)?;
            }
            for instance in &mut instances {
                if let Some(unknown) = changes.get(&instance.address) {
                    instance.unknown = unknown.clone();
                }
            }
            let mut prior = Vec::new();
            if let Some(root) = top
                .get("prior_state")
                .and_then(|p| p.get("values"))
                .and_then(|v| v.get("root_module"))
            {
                module_instances(root, "prior_state.values.root_module", &mut prior)?;
            }
            // Data sources read during plan are in the prior state only: they are part of
            // what the plan knows.
            instances.extend(prior.iter().filter(|i| i.data).cloned());
            (instances, prior)
        }
        DocumentKind::State => {
            let mut instances = Vec::new();
            if let Some(root) = top.get("values").and_then(|v| v.get("root_module")) {
                module_instances(root, "values.root_module", &mut instances)?;
            }
            (instances, Vec::new())
        }
    };
    let mut document = Document {
        kind,
        instances,
        prior,
        configuration,
        variables,
    };
    attach_configuration(&mut document);
    Ok(document)
}

/// `resource_changes[].change.after_unknown` by address.
fn resource_changes(top: &Map<String, Value>) -> Result<BTreeMap<String, Value>, PlanError> {
    let mut unknown = BTreeMap::new();
    let Some(changes) = top.get("resource_changes") else {
        return Ok(unknown);
    };
    let Value::Array(changes) = changes else {
        return Err(PlanError::new("`resource_changes` is not a list"));
    };
    for (index, change) in changes.iter().enumerate() {
        let address = change
            .get("address")
            .and_then(Value::as_str)
            .ok_or_else(|| PlanError::new(format!("resource_changes[{index}] has no address")))?;
        let after_unknown = change
            .get("change")
            .and_then(|c| c.get("after_unknown"))
            .cloned()
            .unwrap_or(Value::Null);
        unknown.insert(address.to_owned(), after_unknown);
    }
    Ok(unknown)
}

/// Every resource of a module tree (`resources`, then `child_modules` recursively).
fn module_instances(module: &Value, path: &str, out: &mut Vec<Instance>) -> Result<(), PlanError> {
    let Value::Object(module) = module else {
        return Err(PlanError::new(format!("`{path}` is not an object")));
    };
    let module_address = match module.get("address") {
        Some(Value::String(address)) => address.clone(),
        None => String::new(),
        Some(_) => return Err(PlanError::new(format!("`{path}.address` is not a string"))),
    };
    match module.get("resources") {
        None => {}
        Some(Value::Array(resources)) => {
            for (index, resource) in resources.iter().enumerate() {
                out.push(instance(
                    resource,
                    &module_address,
                    &format!("{path}.resources[{index}]"),
                )?);
            }
        }
        Some(_) => return Err(PlanError::new(format!("`{path}.resources` is not a list"))),
    }
    match module.get("child_modules") {
        None => {}
        Some(Value::Array(children)) => {
            for (index, child) in children.iter().enumerate() {
                module_instances(child, &format!("{path}.child_modules[{index}]"), out)?;
            }
        }
        Some(_) => {
            return Err(PlanError::new(format!(
                "`{path}.child_modules` is not a list"
            )))
        }
    }
    Ok(())
}

fn instance(resource: &Value, module: &str, path: &str) -> Result<Instance, PlanError> {
    let text = |key: &str| -> Result<String, PlanError> {
        resource
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| PlanError::new(format!("`{path}.{key}` is missing or not a string")))
    };
    let values = match resource.get("values") {
        Some(Value::Object(values)) => values.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(PlanError::new(format!("`{path}.values` is not an object"))),
    };
    Ok(Instance {
        address: text("address")?,
        module: module.to_owned(),
        data: text("mode")? == "data",
        kind: text("type")?,
        index: resource.get("index").cloned(),
        values,
        unknown: Value::Null,
        provider_key: None,
        config: None,
    })
}

/// Each instance's configuration block and provider configuration key.
fn attach_configuration(document: &mut Document) {
    let Some(root) = document.configuration.get("root_module").cloned() else {
        return;
    };
    // Blocks by (module call path, block address): one pass over the configuration, so a
    // plan of thousands of resources is not searched once per instance.
    let mut blocks: HashMap<(Vec<String>, String), &Value> = HashMap::new();
    let mut seen: HashSet<Vec<String>> = HashSet::new();
    for instance in document.instances.iter().chain(document.prior.iter()) {
        let calls = module_calls(&instance.module);
        if !seen.insert(calls.clone()) {
            continue;
        }
        let Some(module) = config_module(&root, &calls) else {
            continue;
        };
        for block in module
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(address) = block.get("address").and_then(Value::as_str) {
                blocks.insert((calls.clone(), address.to_owned()), block);
            }
        }
    }
    for instance in document
        .instances
        .iter_mut()
        .chain(document.prior.iter_mut())
    {
        let key = (module_calls(&instance.module), local_address(instance));
        if let Some(block) = blocks.get(&key) {
            instance.provider_key = block
                .get("provider_config_key")
                .and_then(Value::as_str)
                .map(str::to_owned);
            instance.config = Some((*block).clone());
        }
    }
}

/// The address of an instance's block within its module: `aws_cloudtrail.this`,
/// `data.aws_caller_identity.current`.
pub fn local_address(instance: &Instance) -> String {
    let name = instance
        .address
        .rsplit_once(&format!("{}.", instance.kind))
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let name = name.split('[').next().unwrap_or(name);
    if instance.data {
        format!("data.{}.{name}", instance.kind)
    } else {
        format!("{}.{name}", instance.kind)
    }
}

/// One step of a module instance address: `module.trail["prod"]` → (`trail`, `"prod"`).
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleStep {
    pub name: String,
    pub key: Option<Value>,
}

/// `module.a["x"].module.b[0]` → steps.
pub fn module_steps(address: &str) -> Vec<ModuleStep> {
    let mut steps = Vec::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let name_end = after.find(['.', '[']).unwrap_or(after.len());
        let name = after[..name_end].to_owned();
        let mut tail = &after[name_end..];
        let mut key = None;
        if tail.starts_with('[') {
            let (parsed, used) = index_at(tail);
            key = parsed;
            tail = &tail[used..];
        }
        steps.push(ModuleStep { name, key });
        rest = tail.strip_prefix('.').unwrap_or(tail);
    }
    steps
}

/// The names of the module calls leading to a module instance.
fn module_calls(address: &str) -> Vec<String> {
    module_steps(address).into_iter().map(|s| s.name).collect()
}

/// An index `[0]` or `["key"]` at the start of `text`: its value and the bytes it spans.
pub fn index_at(text: &str) -> (Option<Value>, usize) {
    let Some(inner) = text.strip_prefix('[') else {
        return (None, 0);
    };
    if let Some(quoted) = inner.strip_prefix('"') {
        // A for_each key: a JSON string, escapes included.
        let mut escaped = false;
        for (i, c) in quoted.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    let literal = &inner[..i + 2];
                    let key = serde_json::from_str::<String>(literal)
                        .ok()
                        .map(Value::String);
                    let close = inner[i + 2..]
                        .find(']')
                        .map_or(text.len(), |e| i + 2 + e + 2);
                    return (key, close.min(text.len()));
                }
                _ => escaped = false,
            }
        }
        return (None, text.len());
    }
    match inner.find(']') {
        Some(end) => (
            inner[..end].trim().parse::<u64>().ok().map(Value::from),
            end + 2,
        ),
        None => (None, text.len()),
    }
}

/// The configuration module for a path of module call names.
pub fn config_module<'a>(root: &'a Value, calls: &[String]) -> Option<&'a Value> {
    let mut module = root;
    for call in calls {
        module = module.get("module_calls")?.get(call)?.get("module")?;
    }
    Some(module)
}

/// Formats an index as Terraform writes it in addresses: `[0]`, `["prod"]`.
pub fn index_suffix(index: &Option<Value>) -> String {
    match index {
        Some(Value::Number(n)) => format!("[{n}]"),
        Some(Value::String(key)) => format!("[{}]", Value::String(key.clone())),
        _ => String::new(),
    }
}
