//! The architecture invariant "the engine knows nothing of the web", as a check over
//! `cargo metadata`: walk a crate's normal (non-dev, non-build) dependencies, on every target
//! platform, and report any path that reaches a web crate.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Crate-name prefixes that mean "this code talks to a browser".
pub const WEB_CRATE_PREFIXES: [&str; 5] = ["leptos", "web-sys", "js-sys", "gloo", "wasm-bindgen"];

pub fn is_web_crate(name: &str) -> bool {
    WEB_CRATE_PREFIXES.iter().any(|p| name == *p || name.starts_with(&format!("{p}-")))
        || name.starts_with("leptos_")
        || name.starts_with("gloo")
}

/// Package names by id and each package's normal dependencies, read from `cargo metadata`.
#[derive(Debug, Default)]
pub struct Graph {
    names: BTreeMap<String, String>,
    normal: BTreeMap<String, Vec<String>>,
}

impl Graph {
    /// Parses the JSON of `cargo metadata --format-version 1` (with dependencies resolved).
    pub fn from_metadata(json: &serde_json::Value) -> Result<Graph, String> {
        let mut graph = Graph::default();
        let packages = json["packages"].as_array().ok_or("metadata: no `packages` array")?;
        for p in packages {
            let (Some(id), Some(name)) = (p["id"].as_str(), p["name"].as_str()) else {
                return Err("metadata: a package without id or name".into());
            };
            graph.names.insert(id.to_string(), name.to_string());
        }
        let nodes = json["resolve"]["nodes"]
            .as_array()
            .ok_or("metadata: no `resolve.nodes` (was --no-deps passed?)")?;
        for node in nodes {
            let id = node["id"].as_str().ok_or("metadata: a node without id")?;
            let mut deps = Vec::new();
            for dep in node["deps"].as_array().map(Vec::as_slice).unwrap_or_default() {
                let normal = dep["dep_kinds"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|k| k["kind"].is_null()));
                if normal {
                    let pkg = dep["pkg"].as_str().ok_or("metadata: a dep without pkg")?;
                    deps.push(pkg.to_string());
                }
            }
            graph.normal.insert(id.to_string(), deps);
        }
        Ok(graph)
    }

    /// Adds a package with its normal dependencies (ids double as names). For tests.
    pub fn add(&mut self, name: &str, deps: &[&str]) {
        self.names.insert(name.to_string(), name.to_string());
        self.normal.insert(name.to_string(), deps.iter().map(|d| d.to_string()).collect());
    }

    fn id_of(&self, name: &str) -> Option<&str> {
        self.names.iter().find(|(_, n)| *n == name).map(|(id, _)| id.as_str())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.id_of(name).is_some()
    }

    /// Every package `root` reaches through normal dependencies (itself excluded), sorted.
    pub fn normal_closure(&self, root: &str) -> Result<BTreeSet<String>, String> {
        Ok(self.walk(root)?.into_keys().filter(|n| n != root).collect())
    }

    /// For each web crate `root` reaches, the dependency path that gets there.
    pub fn web_paths(&self, root: &str) -> Result<Vec<Vec<String>>, String> {
        let reached = self.walk(root)?;
        Ok(reached
            .iter()
            .filter(|(name, _)| is_web_crate(name))
            .map(|(_, path)| path.clone())
            .collect())
    }

    /// Breadth-first walk: name of each reached package → the path of names from `root`.
    fn walk(&self, root: &str) -> Result<BTreeMap<String, Vec<String>>, String> {
        let start = self.id_of(root).ok_or_else(|| format!("package `{root}` not in metadata"))?;
        let mut seen: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        seen.insert(start, vec![root.to_string()]);
        let mut queue = VecDeque::from([start]);
        while let Some(id) = queue.pop_front() {
            let path = seen[id].clone();
            for dep in self.normal.get(id).map(Vec::as_slice).unwrap_or_default() {
                if !seen.contains_key(dep.as_str()) {
                    let mut p = path.clone();
                    p.push(self.names.get(dep).cloned().unwrap_or_else(|| dep.clone()));
                    seen.insert(dep, p);
                    queue.push_back(dep);
                }
            }
        }
        Ok(seen
            .into_iter()
            .map(|(id, path)| (self.names.get(id).cloned().unwrap_or_else(|| id.to_string()), path))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_web_crates() {
        for web in ["leptos", "leptos_dom", "web-sys", "js-sys", "gloo-timers", "wasm-bindgen"] {
            assert!(is_web_crate(web), "{web}");
        }
        for plain in ["serde", "sha2", "petgraph", "websocket", "jsonschema"] {
            assert!(!is_web_crate(plain), "{plain}");
        }
    }

    #[test]
    fn finds_a_transitive_web_dependency_and_its_path() {
        let mut g = Graph::default();
        g.add("podpath-engine", &["serde", "rand"]);
        g.add("serde", &[]);
        g.add("rand", &["getrandom"]);
        g.add("getrandom", &["wasm-bindgen"]);
        g.add("wasm-bindgen", &[]);
        let paths = g.web_paths("podpath-engine").unwrap();
        assert_eq!(paths, vec![vec!["podpath-engine", "rand", "getrandom", "wasm-bindgen"]]);
    }

    #[test]
    fn a_clean_graph_has_no_web_paths() {
        let mut g = Graph::default();
        g.add("podpath-engine", &["serde"]);
        g.add("serde", &[]);
        assert_eq!(g.web_paths("podpath-engine").unwrap(), Vec::<Vec<String>>::new());
        assert!(g.web_paths("missing").is_err());
    }
}
