//! Conformance cases: each case in `tests/conformance/*.txt` is a small project (files, `.env`,
//! process environment, command-line options) and what compose makes of it — values at paths of
//! the normalised model, a whole expected `config`, or an error. The expectations follow the
//! Compose specification and `docker compose config`'s behaviour.
//!
//! Case format:
//! ```text
//! === name of the case
//! -- compose.yaml --          (any file to write; paths may have directories)
//! ...
//! -- @env --                  (process environment, KEY=VALUE per line)
//! -- @args --                 (-f FILE, -p NAME, --profile P, --env-file F, --project-directory D,
//!                              --workdir D, or a service name; one per line)
//! -- @expect --               (`path = json`, `absent path`, `services = a,b`, `profiles = ...`,
//!                              `images = ...`, `volumes = ...`, `unset = A,B`)
//! -- @error --                (text the one-line error must contain)
//! -- @config --               (the whole expected YAML of `config`)
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use berth_compose::{LoadOptions, config, load};
use serde_json::Value;

struct Case {
    name: String,
    files: Vec<(String, String)>,
    env: HashMap<String, String>,
    args: Vec<String>,
    expect: Vec<String>,
    error: Option<String>,
    config: Option<String>,
}

fn parse_cases(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    for block in text.split("\n=== ").map(|b| b.trim_start_matches("=== ")) {
        let (name, body) = block.split_once('\n').unwrap_or((block, ""));
        if name.trim().is_empty() || name.starts_with('#') {
            continue;
        }
        let mut case = Case {
            name: name.trim().to_owned(),
            files: Vec::new(),
            env: HashMap::new(),
            args: Vec::new(),
            expect: Vec::new(),
            error: None,
            config: None,
        };
        let mut section: Option<(String, String)> = None;
        let mut sections = Vec::new();
        for line in body.lines() {
            if let Some(title) = line.strip_prefix("-- ").and_then(|l| l.strip_suffix(" --")) {
                sections.extend(section.take());
                section = Some((title.to_owned(), String::new()));
            } else if let Some((_, content)) = section.as_mut() {
                content.push_str(line);
                content.push('\n');
            }
        }
        sections.extend(section);
        for (title, content) in sections {
            match title.as_str() {
                "@env" => {
                    for l in content.lines().filter(|l| !l.is_empty()) {
                        let (k, v) = l.split_once('=').unwrap_or((l, ""));
                        case.env.insert(k.to_owned(), v.to_owned());
                    }
                }
                "@args" => {
                    case.args = content
                        .lines()
                        .map(str::to_owned)
                        .filter(|l| !l.is_empty())
                        .collect()
                }
                "@expect" => {
                    case.expect = content
                        .lines()
                        .map(str::to_owned)
                        .filter(|l| !l.trim().is_empty())
                        .collect()
                }
                "@error" => case.error = Some(content.trim().to_owned()),
                "@config" => case.config = Some(content),
                file => case.files.push((file.to_owned(), content)),
            }
        }
        cases.push(case);
    }
    cases
}

fn options(case: &Case, dir: &Path) -> LoadOptions {
    let mut o = LoadOptions {
        working_dir: Some(dir.to_owned()),
        environment: Some(case.env.clone()),
        ..Default::default()
    };
    for a in &case.args {
        let (flag, value) = a.split_once(' ').unwrap_or((a, ""));
        match flag {
            "-f" => o.files.push(PathBuf::from(value)),
            "-p" => o.project_name = Some(value.to_owned()),
            "--profile" => o.profiles.push(value.to_owned()),
            "--env-file" => o.env_files.push(PathBuf::from(value)),
            "--project-directory" => o.project_directory = Some(dir.join(value)),
            "--workdir" => o.working_dir = Some(dir.join(value)),
            service => o.services.push(service.to_owned()),
        }
    }
    o
}

fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = value;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, i)) => (k, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        if !key.is_empty() {
            v = v.get(key)?;
        }
        if let Some(i) = index {
            v = v.get(i)?;
        }
    }
    Some(v)
}

fn run(case: &Case) -> Result<(), String> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("project");
    for (name, content) in &case.files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    let dir_text = dir.display().to_string();
    let sub = |s: &str| s.replace("$DIR", &dir_text);
    let result = load(&options(case, &dir));
    match (&case.error, result) {
        (Some(want), Err(e)) => {
            let text = e.to_string();
            if text.contains('\n') {
                return Err(format!("error is not one line: {text}"));
            }
            if !text.contains(&sub(want)) {
                return Err(format!("error {text:?} does not contain {want:?}"));
            }
            Ok(())
        }
        (Some(want), Ok(_)) => Err(format!("loaded, but expected an error containing {want:?}")),
        (None, Err(e)) => Err(format!("failed: {e}")),
        (None, Ok(project)) => {
            let json = serde_json::to_value(&project).unwrap();
            let list = |l: Vec<String>| l.join(",");
            for line in &case.expect {
                let line = sub(line);
                if let Some(path) = line.strip_prefix("absent ") {
                    if let Some(v) = at(&json, path.trim()) {
                        return Err(format!("{path} is {v}, expected absent"));
                    }
                    continue;
                }
                let (lhs, rhs) = line
                    .split_once(" = ")
                    .ok_or(format!("bad expectation {line}"))?;
                let got = match lhs.trim() {
                    "services" => Value::String(list(config::services(&project))),
                    "profiles" => Value::String(list(config::profiles(&project))),
                    "images" => Value::String(list(config::images(&project))),
                    "volumes" => Value::String(list(config::volumes(&project))),
                    "unset" => Value::String(list(project.unset_variables.clone())),
                    path => at(&json, path).cloned().unwrap_or(Value::Null),
                };
                let want: Value = match lhs.trim() {
                    "services" | "profiles" | "images" | "volumes" | "unset" => {
                        Value::String(rhs.trim().to_owned())
                    }
                    _ => serde_json::from_str(rhs.trim())
                        .map_err(|e| format!("bad JSON in expectation {line}: {e}"))?,
                };
                if got != want {
                    return Err(format!("{lhs}: got {got}, want {want}"));
                }
            }
            if let Some(want) = &case.config {
                let got = config::yaml(&project).unwrap();
                if got.trim_end() != sub(want).trim_end() {
                    return Err(format!("config differs:\n--- got\n{got}\n--- want\n{want}"));
                }
            }
            // Whatever Berth normalises to is itself a valid compose file.
            berth_compose::schema::validate("normalised", &json)
                .map_err(|e| format!("normalised model fails the schema: {e}"))?;
            Ok(())
        }
    }
}

#[test]
fn conformance_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut total = 0;
    let mut failures = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for case in parse_cases(&text) {
            total += 1;
            if let Err(why) = run(&case) {
                failures.push(format!(
                    "{} / {}: {why}",
                    file.file_name().unwrap().to_string_lossy(),
                    case.name
                ));
            }
        }
    }
    assert!(total >= 150, "only {total} conformance cases");
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
