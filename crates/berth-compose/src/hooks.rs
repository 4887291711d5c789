//! Lifecycle hooks (`post_start`, `pre_stop`): commands run with exec in a service's container
//! right after it starts and right before it stops, as compose runs them (`up`, `start`,
//! `restart`, `stop`, `down`, and a recreate's old container). Their output is progress; a hook
//! that exits non-zero fails its step with the exit status. `pre_start` steps are init
//! containers: each runs to completion in a container of its own before the service's start
//! ([`run_pre_start`]).

use std::collections::BTreeMap;

use berth_docker::Client;
use berth_docker::exec::ExecSpec;
use futures_util::StreamExt;
use serde_json::Value;

use crate::Error;
use crate::model::Service;
use crate::yaml::Node;

/// Run right after a container starts.
pub const POST_START: &str = "post_start";
/// Run right before a running container is stopped.
pub const PRE_STOP: &str = "pre_stop";
/// Init containers, run to completion before the service's containers start.
pub const PRE_START: &str = "pre_start";

/// One hook, in its normal form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hook {
    /// A `pre_start` step's own image; the service's when none (and always for the others).
    pub image: Option<String>,
    /// Empty for a `pre_start` step that runs its image's own command.
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

/// The service's hooks of `kind` ([`POST_START`], [`PRE_STOP`] or [`PRE_START`]), in order;
/// `name` is the service's, for errors.
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
            if command.is_empty() && kind != PRE_START {
                return Err(Error::invalid(here, "a hook needs a command to run"));
            }
            let per_replica = match h.get("per_replica") {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(t)) => t == "true",
                _ => false,
            };
            if per_replica {
                return Err(Error::invalid(
                    format!("{here}.per_replica"),
                    "a step per replica is not supported (docker compose runs pre_start once per service too): remove per_replica",
                ));
            }
            let environment = crate::convert::text_map(h.get("environment"));
            Ok(Hook {
                image: text("image"),
                command,
                user: text("user"),
                privileged: h.get("privileged").and_then(Value::as_bool) == Some(true),
                working_dir: text("working_dir"),
                environment,
            })
        })
        .collect()
}

/// The container of `service`'s `pre_start` step `index` (`name` is the service's), as docker
/// compose makes it: the step's container keys merged over the service's by the rules files
/// merge by (`command` and `entrypoint` replaced, mappings key by key with the step's winning,
/// lists added to, scalars replaced), except the service's volumes (the step's container has
/// them through `volumes_from`), and the service's dependencies (for what its providers gave).
pub fn pre_start_service(service: &Service, name: &str, index: usize) -> Result<Service, Error> {
    let at = format!("services.{name}.{PRE_START}[{index}]");
    let keys = crate::schema::container_spec_keys();
    let only_spec = |v: Value| match v {
        Value::Object(mut map) => {
            map.retain(|k, _| keys.contains(k));
            map
        }
        _ => Default::default(),
    };
    let mut base = only_spec(
        serde_json::to_value(service).map_err(|e| Error::invalid(at.clone(), e.to_string()))?,
    );
    base.remove("volumes");
    let step = service
        .other
        .get(PRE_START)
        .and_then(|steps| steps.get(index))
        .cloned()
        .ok_or_else(|| Error::invalid(at.clone(), "no such step"))?;
    let over = only_spec(step);
    let merged = crate::merge::merge(
        Node::from_json(&Value::Object(base)),
        Node::from_json(&Value::Object(over)),
        &["services", name],
    )
    .to_json();
    let mut svc: Service =
        serde_json::from_value(merged).map_err(|e| Error::invalid(at, e.to_string()))?;
    svc.depends_on = service.depends_on.clone();
    Ok(svc)
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
        by_line(session.output, line).await?;
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

/// Runs `service`'s `pre_start` step `index` in a container of its own as `req` makes it
/// ([`crate::convert::pre_start_request`]), its output reported through `line`, and removes
/// it, however the step ended. A step container an interrupted run of `project` left under the
/// same name goes first. A step that exits non-zero fails with its status.
pub async fn run_pre_start(
    client: &Client,
    project: &str,
    service: &str,
    index: usize,
    req: crate::convert::CreateRequest,
    line: &(dyn Fn(String) + Sync),
) -> Result<(), Error> {
    use crate::labels::{ONEOFF, PROJECT};
    let what = match req.body.cmd.as_ref() {
        Some(cmd) => format!("{:?}", cmd.join(" ")),
        None => "(its image's command)".to_owned(),
    };
    if let Ok(old) = client.inspect_container(&req.name).await {
        let labels = old.config.and_then(|c| c.labels).unwrap_or_default();
        if labels.get(PROJECT).map(String::as_str) == Some(project)
            && labels.get(ONEOFF).map(String::as_str) == Some("True")
        {
            client.remove_container(&req.name, true, false).await?;
        }
    }
    let id = crate::apply::create_from(client, service, req).await?.id;
    let ran = async {
        client.start_container(&id).await?;
        let follow = berth_docker::containers::LogOptions {
            follow: true,
            ..Default::default()
        };
        by_line(client.logs(&id, &follow), line).await?;
        Ok::<_, Error>(client.wait_container(&id).await?)
    }
    .await;
    let removed = client.remove_container(&id, true, false).await;
    let code = ran?;
    removed?;
    if code != 0 {
        return Err(Error::Apply(format!(
            "{service}'s {PRE_START} step {} {what} exited with status {code}",
            index + 1
        )));
    }
    Ok(())
}

/// Reports each line of a container's or an exec's output through `line`, as it comes.
async fn by_line(
    output: impl futures_util::Stream<
        Item = Result<berth_docker::containers::LogChunk, berth_docker::Error>,
    >,
    line: &(dyn Fn(String) + Sync),
) -> Result<(), Error> {
    let mut output = std::pin::pin!(output);
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
