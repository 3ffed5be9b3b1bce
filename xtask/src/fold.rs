//! Folds the small ES modules the glue imports into the glue itself: the split's loader
//! (`__wasm_split.js`) and wasm-bindgen's `inline_js` snippets. Each is a request before the
//! app can start, and on the paired browser benchmark the number of startup requests was what
//! kept first interactive behind (each fetched beside a 1 MB wasm).
//!
//! A folded module becomes a function expression run once where the glue imported it, its
//! exports returned as an object: its own names stay its own. A module this cannot fold (one
//! that imports, or exports other than `export [async] function|const NAME`) is an error, not a
//! guess.

/// `module` (its text) as a `const` holding its exports: `const BINDING = (() => { ... })();`,
/// after `drop_import` (an import of the glue the module makes, the same code once folded) is
/// removed.
pub fn as_const(binding: &str, module: &str, drop_import: Option<&str>) -> Result<String, String> {
    let mut body = String::new();
    let mut names = Vec::new();
    for line in module.lines() {
        if drop_import.is_some_and(|d| line.trim() == d) {
            continue;
        }
        if line.trim_start().starts_with("import ") {
            return Err(format!("a module to fold imports something else: {line:?}"));
        }
        let Some(rest) = line.strip_prefix("export ") else {
            body.push_str(line);
            body.push('\n');
            continue;
        };
        let name = ["async function ", "function ", "const "]
            .iter()
            .find_map(|kw| rest.strip_prefix(kw))
            .map(|r| r.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')).next())
            .and_then(|n| n.filter(|n| !n.is_empty()))
            .ok_or_else(|| format!("an export the fold does not handle: {line:?}"))?;
        names.push(name.to_string());
        body.push_str(rest);
        body.push('\n');
    }
    Ok(format!("const {binding} = (() => {{\n{body}return {{ {} }};\n}})();\n", names.join(", ")))
}

/// The glue with every line `import * as NAME from "SPEC";` (`SPEC` exactly `spec`) replaced:
/// the first by `folded` and then `const NAME = BINDING;`, the others by that `const` alone.
pub fn namespace_imports(
    glue: &str,
    spec: &str,
    binding: &str,
    folded: &str,
) -> Result<String, String> {
    let tail = format!(" from \"{spec}\"");
    let mut out = String::new();
    let mut found = 0;
    for line in glue.lines() {
        let name = line
            .strip_prefix("import * as ")
            .and_then(|r| r.trim_end_matches(';').strip_suffix(&tail));
        match name {
            Some(name) => {
                if found == 0 {
                    out.push_str(folded);
                }
                found += 1;
                out.push_str(&format!("const {name} = {binding};\n"));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    if found == 0 {
        return Err(format!("no `import * as ... from \"{spec}\"` in the glue"));
    }
    Ok(out)
}

/// The snippet modules the glue imports by name (`import { a, b } from './snippets/...';`):
/// each line with its path (relative to the glue) and the names.
pub fn snippet_imports(glue: &str) -> Vec<(String, String, Vec<String>)> {
    glue.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("import { ")?;
            let (names, from) = rest.split_once(" } from '")?;
            let path = from.strip_suffix("';")?;
            path.starts_with("./snippets/").then(|| {
                let names = names.split(',').map(|n| n.trim().to_string()).collect();
                (line.to_string(), path.trim_start_matches("./").to_string(), names)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOADER: &str = "import { initSync } from \"../app-1.js\";\n\
        function makeLoad(f) { return f; }\n\
        export const __wasm_split_load_a_1 = makeLoad(() => initSync);\n";

    #[test]
    fn a_module_becomes_a_const_of_its_exports() {
        let folded =
            as_const("__split", LOADER, Some("import { initSync } from \"../app-1.js\";")).unwrap();
        assert_eq!(
            folded,
            "const __split = (() => {\nfunction makeLoad(f) { return f; }\n\
             const __wasm_split_load_a_1 = makeLoad(() => initSync);\n\
             return { __wasm_split_load_a_1 };\n})();\n"
        );
    }

    #[test]
    fn a_module_with_another_import_or_export_is_refused() {
        assert!(as_const("x", LOADER, None).is_err(), "its import of the glue was not dropped");
        assert!(as_const("x", "export default 1;\n", None).is_err());
        assert!(as_const("x", "export { a };\n", None).is_err());
    }

    #[test]
    fn every_namespace_import_of_the_module_reads_the_folded_const() {
        let glue = "import { x } from './snippets/s/inline0.js';\n\
            import * as import1 from \"./__wasm_split.js\"\n\
            import * as import2 from \"./__wasm_split.js\"\n\
            let wasm;\n";
        let out = namespace_imports(glue, "./__wasm_split.js", "__split", "FOLDED\n").unwrap();
        assert_eq!(
            out,
            "import { x } from './snippets/s/inline0.js';\nFOLDED\n\
             const import1 = __split;\nconst import2 = __split;\nlet wasm;\n"
        );
        assert!(namespace_imports("let wasm;\n", "./__wasm_split.js", "s", "F").is_err());
    }

    #[test]
    fn snippet_imports_are_found_with_their_names() {
        let glue = "import { deflate, inflate } from './snippets/app-1/inline0.js';\n\
            import * as import1 from \"./__wasm_split.js\"\n";
        assert_eq!(
            snippet_imports(glue),
            vec![(
                "import { deflate, inflate } from './snippets/app-1/inline0.js';".to_string(),
                "snippets/app-1/inline0.js".to_string(),
                vec!["deflate".to_string(), "inflate".to_string()]
            )]
        );
    }
}
