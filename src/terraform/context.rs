//! The plan as a converter reads it: each instance's attributes, known or known only after
//! apply, its region from its provider configuration, and links to other resources through
//! the configuration's references when a value is not known before apply.

use super::document::{
    config_module, index_at, index_suffix, local_address, module_steps, Document, Instance,
};
use crate::inventory::{ErrorKind, Observed};
use serde_json::Value;
use std::collections::HashMap;

/// An attribute of an instance.
#[derive(Debug, Clone, Copy)]
pub enum Attr<'v> {
    Known(&'v Value),
    /// Known only after apply.
    Unknown,
    /// Not set (null or absent).
    Absent,
}

impl<'v> Attr<'v> {
    pub fn str(self) -> Option<&'v str> {
        match self {
            Attr::Known(Value::String(text)) => Some(text),
            _ => None,
        }
    }

    pub fn bool(self) -> Option<bool> {
        match self {
            Attr::Known(Value::Bool(flag)) => Some(*flag),
            _ => None,
        }
    }

    pub fn int(self) -> Option<i64> {
        match self {
            Attr::Known(Value::Number(n)) => n.as_i64(),
            Attr::Known(Value::String(text)) => text.parse().ok(),
            _ => None,
        }
    }

    /// A list of blocks (or an empty list when not set).
    pub fn blocks(self) -> &'v [Value] {
        match self {
            Attr::Known(Value::Array(items)) => items,
            _ => &[],
        }
    }
}

/// A value of an attribute of another block, where a link resolved.
#[derive(Debug, Clone)]
pub enum Linked<'p> {
    /// A resource of the plan, and the attribute named (`id`, `arn`, …).
    Instance(&'p Instance, String),
    Value(Value),
}

/// The instances of one side of a plan (what will be, or what was) with their context.
pub struct Context<'p> {
    pub document: &'p Document,
    pub instances: &'p [Instance],
    pub account: String,
    pub partition: String,
    /// Region per provider configuration key (`aws`, `aws.eu`).
    regions: HashMap<String, String>,
    /// Instances by (module instance, block address).
    by_block: HashMap<(String, String), Vec<usize>>,
}

impl<'p> Context<'p> {
    pub fn new(
        document: &'p Document,
        instances: &'p [Instance],
        account: String,
        partition: String,
        regions: HashMap<String, String>,
    ) -> Context<'p> {
        let mut by_block: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (index, instance) in instances.iter().enumerate() {
            by_block
                .entry((instance.module.clone(), local_address(instance)))
                .or_default()
                .push(index);
        }
        Context {
            document,
            instances,
            account,
            partition,
            regions,
            by_block,
        }
    }

    pub fn managed(&self, kind: &'p str) -> impl Iterator<Item = &'p Instance> + 'p {
        self.instances
            .iter()
            .filter(move |i| !i.data && i.kind == kind)
    }

    /// The region of an instance, from its provider configuration.
    pub fn region(&self, instance: &Instance) -> Option<&str> {
        let key = instance.provider_key.as_deref().unwrap_or("aws");
        self.regions.get(key).map(String::as_str)
    }

    /// The region of an instance, or the default provider's when its own is not known.
    pub fn region_or_default(&self, instance: &Instance) -> String {
        self.region(instance)
            .or_else(|| self.regions.get("aws").map(String::as_str))
            .unwrap_or("us-east-1")
            .to_owned()
    }

    /// `instance.key`, known, known only after apply, or not set. A block whose own parts
    /// are partly unknown is known: its readers see the unknown parts as not set, which is
    /// right for computed defaults; where an unknown part decides a verdict, use
    /// [`Context::attr_whole`].
    pub fn attr<'v>(&self, instance: &'v Instance, key: &str) -> Attr<'v> {
        match instance.values.get(key) {
            Some(Value::Null) | None => {
                if is_unknown(instance.unknown.get(key)) {
                    Attr::Unknown
                } else {
                    Attr::Absent
                }
            }
            Some(_) if is_unknown(instance.unknown.get(key)) => Attr::Unknown,
            Some(value) => Attr::Known(value),
        }
    }

    /// As [`Context::attr`], but unknown if any part of the value is.
    pub fn attr_whole<'v>(&self, instance: &'v Instance, key: &str) -> Attr<'v> {
        match self.attr(instance, key) {
            Attr::Known(_) if contains_unknown(instance.unknown.get(key)) => Attr::Unknown,
            attr => attr,
        }
    }

    /// Whether the configuration writes `key` for this instance's block.
    pub fn configured(&self, instance: &Instance, key: &str) -> bool {
        instance
            .config
            .as_ref()
            .and_then(|c| c.get("expressions"))
            .is_some_and(|e| e.get(key).is_some())
    }

    /// `ADDRESS.KEY is known only after apply`.
    pub fn unknown<T>(&self, instance: &Instance, key: &str) -> Observed<T> {
        Observed::failure(
            ErrorKind::Unknown,
            "",
            format!("`{}.{key}` is known only after apply", instance.address),
        )
    }

    /// What `instance.key` refers to when its value is known only after apply: the first of
    /// the expression's references that leads to a resource, else to a value.
    pub fn link(&self, instance: &'p Instance, key: &str) -> Option<Linked<'p>> {
        let references = instance
            .config
            .as_ref()?
            .get("expressions")?
            .get(key)?
            .get("references")?
            .as_array()?;
        self.first_link(&instance.module, references, instance.index.as_ref(), 0)
    }

    fn first_link(
        &self,
        module: &str,
        references: &[Value],
        index: Option<&Value>,
        depth: usize,
    ) -> Option<Linked<'p>> {
        let resolved: Vec<Linked<'p>> = references
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|r| self.resolve(module, r, index, depth))
            .collect();
        resolved
            .iter()
            .find(|l| matches!(l, Linked::Instance(..)))
            .or_else(|| {
                resolved
                    .iter()
                    .find(|l| matches!(l, Linked::Value(Value::String(_))))
            })
            .cloned()
    }

    /// One reference, from within module instance `module`.
    fn resolve(
        &self,
        module: &str,
        reference: &str,
        index: Option<&Value>,
        depth: usize,
    ) -> Option<Linked<'p>> {
        // References lead through module outputs and inputs; a cycle or a very deep chain
        // in a hostile plan ends here, unresolved.
        if depth > 16 {
            return None;
        }
        let root = self.document.configuration.get("root_module")?;
        let steps = module_steps(module);
        let calls: Vec<String> = steps.iter().map(|s| s.name.clone()).collect();
        if let Some(rest) = reference.strip_prefix("module.") {
            let name_end = rest.find(['.', '[']).unwrap_or(rest.len());
            let name = &rest[..name_end];
            let (key, used) = index_at(&rest[name_end..]);
            let after = &rest[name_end + used..];
            let output = after.strip_prefix('.')?.split(['.', '[']).next()?;
            let here = config_module(root, &calls)?;
            let call = here.get("module_calls")?.get(name)?;
            let references = call
                .get("module")?
                .get("outputs")?
                .get(output)?
                .get("expression")?
                .get("references")?
                .as_array()?;
            let key = key.or_else(|| {
                // `module.x.out` of a module with one instance.
                (call.get("count_expression").is_none()
                    && call.get("for_each_expression").is_none())
                .then_some(Value::Null)
            });
            let child = match key {
                Some(Value::Null) | None => format!("{}module.{name}", prefix(module)),
                Some(key) => format!(
                    "{}module.{name}{}",
                    prefix(module),
                    index_suffix(&Some(key))
                ),
            };
            return self.first_link(&child, references, None, depth + 1);
        }
        if let Some(name) = reference.strip_prefix("var.") {
            let name = name.split(['.', '[']).next()?;
            let Some(last) = steps.last() else {
                return self
                    .document
                    .variables
                    .get(name)
                    .cloned()
                    .map(Linked::Value);
            };
            let parent_calls = &calls[..calls.len() - 1];
            let call = config_module(root, parent_calls)?
                .get("module_calls")?
                .get(&last.name)?;
            let expression = call.get("expressions")?.get(name)?;
            if let Some(value) = expression.get("constant_value") {
                return Some(Linked::Value(value.clone()));
            }
            let parent = parent_address(module);
            let references = expression.get("references")?.as_array()?;
            return self.first_link(&parent, references, last.key.as_ref(), depth + 1);
        }
        let (data, rest) = match reference.strip_prefix("data.") {
            Some(rest) => (true, rest),
            None => (false, reference),
        };
        let mut parts = rest.splitn(2, '.');
        let kind = parts.next()?;
        if !kind.starts_with("aws_") {
            return None;
        }
        let rest = parts.next()?;
        let name_end = rest.find(['.', '[']).unwrap_or(rest.len());
        let name = &rest[..name_end];
        let (key, used) = index_at(&rest[name_end..]);
        let attribute = rest[name_end + used..]
            .strip_prefix('.')
            .and_then(|a| a.split(['.', '[']).next())
            .unwrap_or("id")
            .to_owned();
        let block = if data {
            format!("data.{kind}.{name}")
        } else {
            format!("{kind}.{name}")
        };
        let candidates = self.by_block.get(&(module.to_owned(), block))?;
        let chosen = match key.as_ref().or(index) {
            Some(key) => candidates
                .iter()
                .find(|&&i| self.instances[i].index.as_ref() == Some(key))
                .or_else(|| (candidates.len() == 1).then(|| &candidates[0])),
            None => (candidates.len() == 1).then(|| &candidates[0]),
        }?;
        Some(Linked::Instance(&self.instances[*chosen], attribute))
    }
}

/// `module.a["x"]` → `module.a["x"].`; the root → nothing.
fn prefix(module: &str) -> String {
    if module.is_empty() {
        String::new()
    } else {
        format!("{module}.")
    }
}

/// The module instance that calls `module`.
fn parent_address(module: &str) -> String {
    match module.rfind(".module.") {
        Some(at) => module[..at].to_owned(),
        None => String::new(),
    }
}

fn is_unknown(flags: Option<&Value>) -> bool {
    matches!(flags, Some(Value::Bool(true)))
}

/// Whether any part of a value is known only after apply.
pub fn contains_unknown(flags: Option<&Value>) -> bool {
    match flags {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::Array(items)) => items.iter().any(|i| contains_unknown(Some(i))),
        Some(Value::Object(map)) => map.values().any(|v| contains_unknown(Some(v))),
        _ => false,
    }
}
