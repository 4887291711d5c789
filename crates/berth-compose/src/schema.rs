//! Validation against the canonical Compose JSON Schema (`schema/compose-spec.json`), compiled
//! once. Errors name the offending key as a dotted path, like compose does.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::Value;

use crate::Error;

const SCHEMA: &str = include_str!("../schema/compose-spec.json");

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value = serde_json::from_str(SCHEMA).expect("the bundled schema is JSON");
        jsonschema::validator_for(&schema).expect("the bundled schema compiles")
    })
}

/// The keys of a container's specification (the schema's `container_spec`): what a
/// `pre_start` step may set, and otherwise takes from its service.
pub fn container_spec_keys() -> &'static BTreeSet<String> {
    static KEYS: OnceLock<BTreeSet<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let schema: Value = serde_json::from_str(SCHEMA).expect("the bundled schema is JSON");
        schema["$defs"]["container_spec"]["properties"]
            .as_object()
            .map(|keys| keys.keys().cloned().collect())
            .unwrap_or_default()
    })
}

/// Checks one compose document (interpolated, tags removed). `file` prefixes the error.
pub fn validate(file: &str, document: &Value) -> Result<(), Error> {
    let Some(error) = validator().iter_errors(document).next() else {
        return Ok(());
    };
    let path = dotted(error.instance_path().as_str());
    let at = if path.is_empty() {
        file.to_owned()
    } else {
        format!("{file}: {path}")
    };
    Err(Error::Schema {
        at,
        reason: error.to_string(),
    })
}

/// `/services/web/ports/0` → `services.web.ports[0]`.
fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for part in pointer.split('/').filter(|p| !p.is_empty()) {
        let part = part.replace("~1", "/").replace("~0", "~");
        if part.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_a_valid_file() {
        validate(
            "c.yaml",
            &json!({"services": {"web": {"image": "busybox", "ports": ["80:80", {"target": 81}]}},
                    "x-anything": {"a": 1}}),
        )
        .unwrap();
    }

    #[test]
    fn names_the_bad_key() {
        let e = validate(
            "c.yaml",
            &json!({"services": {"web": {"imagee": "busybox"}}}),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("c.yaml: services.web: "), "{e}");
        assert!(e.contains("imagee"), "{e}");
        let e = validate("c.yaml", &json!({"services": {"web": {"ports": [true]}}}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("services.web.ports[0]"), "{e}");
    }
}
