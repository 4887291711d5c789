//! Lifecycle hooks (`post_start`, `pre_stop`): commands run with exec in a service's container
//! right after it starts and right before it stops, as compose runs them (`up`, `start`,
//! `restart`, `stop`, `down`, and a recreate's old container). Their output is progress; a hook
//! that exits non-zero fails its step with the exit status.

use std::collections::BTreeMap;

use berth_docker::Client;
use berth_docker::exec::ExecSpec;
use futures_util::StreamExt;
use serde_json::Value;

use crate::Error;
use crate::model::Service;

/// Run right after a container starts.
pub const POST_START: &str = "post_start";
/// Run right before a running container is stopped.
pub const PRE_STOP: &str = "pre_stop";

/// One hook, in its normal form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hook {
    pub command: Vec<String>,
    pub user: Option<String>,
    pub privileged: bool,
    pub working_dir: Option<String>,
    pub environment: BTreeMap<String, String>,
}

/// Gives the hooks of a loaded service their normal form, in place (`at` names the list): a
/// command given as text split as a shell would, `environment` as a mapping with bare names
/// taken from `lookup` (and dropped when it has none), `privileged` as a boolean.
pub fn normalize(
    hooks: &mut Value,
    at: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), Error> {
    let Some(list) = hooks.as_array_mut() else {
        return Ok(());
    };
    for (i, hook) in list.iter_mut().enumerate() {
        let here = format!("{at}[{i}]");
        let Some(h) = hook.as_object_mut() else {
            return Err(Error::invalid(here, "a hook is a mapping with a command"));
        };
        if let Some(Value::String(line)) = h.get("command") {
            let words = shell_words::split(line)
                .map_err(|e| Error::invalid(format!("{here}.command"), format!("{line:?}: {e}")))?;
            h.insert("command".into(), words.into());
        }
        if let Some(Value::String(text)) = h.get("privileged") {
            let on = match text.as_str() {
                "true" => true,
                "false" => false,
                other => {
                    return Err(Error::invalid(
                        format!("{here}.privileged"),
                        format!("{other:?} is not true or false"),
                    ));
                }
            };
            h.insert("privileged".into(), on.into());
        }
        if let Some(env) = h.remove("environment") {
            let mut map = serde_json::Map::new();
            let mut put = |key: String, value: Option<String>| {
                if let Some(v) = value.or_else(|| lookup(&key)) {
                    map.insert(key, v.into());
                }
            };
            match env {
                Value::Array(items) => {
                    for item in items {
                        let text = item
                            .as_str()
                            .map_or_else(|| item.to_string(), str::to_owned);
                        match text.split_once('=') {
                            Some((k, v)) => put(k.to_owned(), Some(v.to_owned())),
                            None => put(text, None),
                        }
                    }
                }
                Value::Object(entries) => {
                    for (k, v) in entries {
                        let value = match v {
                            Value::Null => None,
                            Value::String(s) => Some(s),
                            other => Some(other.to_string()),
                        };
                        put(k, value);
                    }
                }
                _ => {}
            }
            h.insert("environment".into(), Value::Object(map));
        }
    }
    Ok(())
}

/// The service's hooks of `kind` ([`POST_START`] or [`PRE_STOP`]), in order; `name` is the
/// service's, for errors.
pub fn of(service: &Service, name: &str, kind: &str) -> Result<Vec<Hook>, Error> {
    let Some(list) = service.other.get(kind) else {
        return Ok(Vec::new());
    };
    let at = format!("services.{name}.{kind}");
    let items = list
        .as_array()
        .ok_or_else(|| Error::invalid(at.clone(), "expected a list of hooks"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let here = format!("{at}[{i}]");
            let text = |key: &str| h.get(key).and_then(Value::as_str).map(str::to_owned);
            let command: Vec<String> = h
                .get("command")
                .and_then(Value::as_array)
                .map(|words| {
                    words
                        .iter()
                        .map(|w| w.as_str().map_or_else(|| w.to_string(), str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if command.is_empty() {
                return Err(Error::invalid(here, "a hook needs a command to run"));
            }
            let environment = h
                .get("environment")
                .and_then(Value::as_object)
                .map(|env| {
                    env.iter()
                        .map(|(k, v)| {
                            let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                            (k.clone(), v)
                        })
                        .collect()
                })
                .unwrap_or_default();
            Ok(Hook {
                command,
                user: text("user"),
                privileged: h.get("privileged").and_then(Value::as_bool) == Some(true),
                working_dir: text("working_dir"),
                environment,
            })
        })
        .collect()
}

/// Runs `hooks` (of `service`, of `kind`) one after the other in container `id`; each line of
/// their output is reported through `line`. The first that cannot run or exits non-zero ends
/// the run with its error.
pub async fn run(
    client: &Client,
    id: &str,
    service: &str,
    kind: &str,
    hooks: &[Hook],
    line: &(dyn Fn(String) + Sync),
) -> Result<(), Error> {
    for hook in hooks {
        let spec = ExecSpec {
            command: hook.command.clone(),
            env: hook
                .environment
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect(),
            workdir: hook.working_dir.clone(),
            user: hook.user.clone(),
            privileged: hook.privileged,
            ..ExecSpec::default()
        };
        let session = client.exec(id, &spec).await?;
        let mut output = session.output;
        let mut pending = String::new();
        while let Some(chunk) = output.next().await {
            pending.push_str(&String::from_utf8_lossy(&chunk?.bytes));
            while let Some(end) = pending.find('\n') {
                let text: String = pending.drain(..=end).collect();
                line(text.trim_end().to_owned());
            }
        }
        if !pending.trim_end().is_empty() {
            line(pending.trim_end().to_owned());
        }
        let code = client.exec_exit_code(&session.id).await?;
        if let Some(code) = code.filter(|c| *c != 0) {
            return Err(Error::Apply(format!(
                "{service}'s {kind} hook {:?} exited with status {code}",
                hook.command.join(" ")
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn normal(v: Value) -> Result<Value, Error> {
        let mut v = v;
        normalize(&mut v, "services.web.post_start", &|n: &str| {
            (n == "FROM_HOST").then(|| "here".to_owned())
        })?;
        Ok(v)
    }

    #[test]
    fn hooks_take_their_normal_form() {
        let v = normal(json!([
            {"command": "chown -R '1001:1001' /data", "user": "root", "privileged": "true",
             "environment": ["A=1", "FROM_HOST", "NOT_SET"]},
            {"command": ["sh", "-c", "echo $B"], "environment": {"B": 2, "FROM_HOST": null}}
        ]))
        .unwrap();
        assert_eq!(
            v,
            json!([
                {"command": ["chown", "-R", "1001:1001", "/data"], "user": "root",
                 "privileged": true, "environment": {"A": "1", "FROM_HOST": "here"}},
                {"command": ["sh", "-c", "echo $B"], "environment": {"B": "2", "FROM_HOST": "here"}}
            ])
        );
        let service = Service {
            other: [("post_start".to_owned(), v)].into_iter().collect(),
            ..Service::default()
        };
        let hooks = of(&service, "web", POST_START).unwrap();
        assert_eq!(hooks.len(), 2);
        assert_eq!(hooks[0].command, ["chown", "-R", "1001:1001", "/data"]);
        assert_eq!(hooks[0].user.as_deref(), Some("root"));
        assert!(hooks[0].privileged && !hooks[1].privileged);
        assert_eq!(hooks[1].environment["B"], "2");
        assert!(of(&service, "web", PRE_STOP).unwrap().is_empty());
    }

    #[test]
    fn bad_hooks_are_named() {
        let e = normal(json!([{"command": "echo 'open"}])).unwrap_err();
        assert!(
            e.to_string().contains("services.web.post_start[0].command"),
            "{e}"
        );
        let e = normal(json!([{"command": "true", "privileged": "yes"}])).unwrap_err();
        assert!(
            e.to_string()
                .contains("services.web.post_start[0].privileged: \"yes\" is not true or false"),
            "{e}"
        );
        let service = Service {
            other: [("pre_stop".to_owned(), json!([{"command": []}]))]
                .into_iter()
                .collect(),
            ..Service::default()
        };
        let e = of(&service, "db", PRE_STOP).unwrap_err();
        assert!(
            e.to_string()
                .contains("services.db.pre_stop[0]: a hook needs a command"),
            "{e}"
        );
    }
}
