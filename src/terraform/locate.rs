//! Where each resource is written: the `.tf` file and line of its `resource "TYPE" "NAME"`
//! block, in the configuration directory and the local module sources the plan's
//! configuration names. Registry and remote modules are not followed (their files are not at
//! hand); their resources keep their address only.

use super::document::{module_steps, Document, Instance};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// A resource block's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Relative to the configuration directory, `/`-separated.
    pub file: String,
    /// 1-based.
    pub line: u32,
}

/// Each resource address of the plan → its block's place, for those found under `dir`.
pub(super) fn locate(document: &Document, dir: &Path) -> BTreeMap<String, Place> {
    let root = document.configuration.get("root_module");
    let mut blocks: HashMap<PathBuf, HashMap<(String, String), Place>> = HashMap::new();
    let mut places = BTreeMap::new();
    for instance in document.instances.iter().chain(&document.prior) {
        if instance.data {
            continue;
        }
        let Some(module_dir) = module_dir(root, dir, instance) else {
            continue;
        };
        let found = blocks
            .entry(module_dir.clone())
            .or_insert_with(|| scan(dir, &module_dir));
        let name = block_name(instance);
        if let Some(place) = found.get(&(instance.kind.clone(), name)) {
            places.insert(instance.address.clone(), place.clone());
        }
    }
    places
}

/// The resource name of an instance's block: `aws_cloudtrail.this[0]` → `this`.
fn block_name(instance: &Instance) -> String {
    let after = instance
        .address
        .rsplit_once(&format!("{}.", instance.kind))
        .map_or("", |(_, rest)| rest);
    after.split('[').next().unwrap_or(after).to_owned()
}

/// The directory of the module an instance is in: `dir`, then each local module source.
fn module_dir(root: Option<&Value>, dir: &Path, instance: &Instance) -> Option<PathBuf> {
    let mut module = root?;
    let mut path = dir.to_path_buf();
    for step in module_steps(&instance.module) {
        let call = module.get("module_calls")?.get(&step.name)?;
        let source = call.get("source")?.as_str()?;
        if !(source.starts_with("./") || source.starts_with("../")) {
            return None;
        }
        path = path.join(source);
        module = call.get("module")?;
    }
    Some(path)
}

/// Every `resource "TYPE" "NAME"` block of the `.tf` files of one directory.
fn scan(root: &Path, dir: &Path) -> HashMap<(String, String), Place> {
    let mut found = HashMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let relative = relative(root, &file);
        for (number, line) in text.lines().enumerate() {
            let Some(rest) = line.trim_start().strip_prefix("resource") else {
                continue;
            };
            let labels: Vec<&str> = rest.split('"').skip(1).step_by(2).take(2).collect();
            if let [kind, name] = labels[..] {
                found
                    .entry((kind.to_owned(), name.to_owned()))
                    .or_insert(Place {
                        file: relative.clone(),
                        line: u32::try_from(number + 1).unwrap_or(u32::MAX),
                    });
            }
        }
    }
    found
}

/// `file` relative to `root`, normalized (`modules/trail/main.tf`).
fn relative(root: &Path, file: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    let stripped = file.strip_prefix(root).unwrap_or(file);
    for component in stripped.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                parts.pop();
            }
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts.join("/")
}
