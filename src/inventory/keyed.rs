//! Collections keyed by a resource's own identity (ARN, bucket name, account id).
//!
//! In memory they are maps, so lookups are O(log n) and duplicates are impossible; in a
//! snapshot they are plain JSON arrays of objects, so the file reads naturally and the key
//! is never written twice. A duplicate in a snapshot is an error, not a silent overwrite.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// A value that names itself.
pub trait Keyed {
    fn key(&self) -> &str;
}

/// A map of values by their own key; (de)serializes as a list.
pub type KeyedMap<T> = BTreeMap<String, T>;

/// Inserts `value` under its own key, returning the previous value with that key.
pub fn insert<T: Keyed>(map: &mut KeyedMap<T>, value: T) -> Option<T> {
    map.insert(value.key().to_owned(), value)
}

pub fn serialize<S: Serializer, T: Serialize>(
    map: &KeyedMap<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(map.values())
}

pub fn deserialize<'de, D, T>(deserializer: D) -> Result<KeyedMap<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Keyed,
{
    let items = Vec::<T>::deserialize(deserializer)?;
    let mut map = KeyedMap::new();
    for item in items {
        let key = item.key().to_owned();
        if map.insert(key.clone(), item).is_some() {
            return Err(D::Error::custom(format!("duplicate entry `{key}`")));
        }
    }
    Ok(map)
}
