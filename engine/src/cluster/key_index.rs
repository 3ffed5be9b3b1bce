//! `namespace/name` → id without a second copy of every key.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};

use crate::model::ObjectKey;

/// Ids by a 64-bit hash of the key; the caller checks a hit against the object's own key. A key
/// whose hash another key already holds goes to a (normally empty) map of whole keys. At
/// 150,000 pods this is a fifth of a map keyed by `ObjectKey`, which repeats both strings.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct KeyIndex<Id> {
    by_hash: HashMap<u64, Id, BuildHasherDefault<Prehashed>>,
    colliding: HashMap<ObjectKey, Id>,
}

impl<Id> Default for KeyIndex<Id> {
    fn default() -> Self {
        KeyIndex { by_hash: HashMap::default(), colliding: HashMap::new() }
    }
}

/// The map's keys are already hashes: use them as they are.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

fn hash(key: &ObjectKey) -> u64 {
    // `DefaultHasher::new` has fixed keys: the same key always lands in the same place.
    let mut h = DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

impl<Id: Copy> KeyIndex<Id> {
    /// The id of `key`; `is(id)` tells whether the object `id` has this key.
    pub fn get(&self, key: &ObjectKey, is: impl Fn(Id) -> bool) -> Option<Id> {
        match self.by_hash.get(&hash(key)) {
            Some(&id) if is(id) => Some(id),
            _ => self.colliding.get(key).copied(),
        }
    }

    /// Adds a key that is not in the index yet.
    pub fn insert(&mut self, key: ObjectKey, id: Id) {
        match self.by_hash.entry(hash(&key)) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(id);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.colliding.insert(key, id);
            }
        }
    }

    /// Removes `key`, while its object still exists (`is` as for [`KeyIndex::get`]).
    pub fn remove(&mut self, key: &ObjectKey, is: impl Fn(Id) -> bool) {
        let h = hash(key);
        match self.by_hash.get(&h) {
            Some(&id) if is(id) => {
                self.by_hash.remove(&h);
            }
            _ => {
                self.colliding.remove(key);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.by_hash.len() + self.colliding.len()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn colliding_keys_are_kept_apart() {
        let keys = [ObjectKey::new("a", "x"), ObjectKey::new("a", "y")];
        let mut index: KeyIndex<usize> = KeyIndex::default();
        index.insert(keys[0].clone(), 0);
        // Force the second key into the side map, as a hash collision would.
        index.colliding.insert(keys[1].clone(), 1);
        let keys = &keys;
        let is = |k: usize| move |id: usize| id == k;
        assert_eq!(index.get(&keys[0], is(0)), Some(0));
        assert_eq!(index.get(&keys[1], is(1)), Some(1));
        assert_eq!(index.get(&ObjectKey::new("b", "x"), |_| false), None);
        assert_eq!(index.len(), 2);
        index.remove(&keys[0], is(0));
        assert_eq!(index.get(&keys[0], is(0)), None);
        assert_eq!(index.get(&keys[1], is(1)), Some(1));
        index.remove(&keys[1], is(1));
        assert_eq!(index.len(), 0);
    }
}
