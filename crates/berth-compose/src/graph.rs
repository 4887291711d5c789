//! The dependency graph of a project's services: a stable order that starts dependencies
//! first, and cycle detection.

use std::collections::BTreeSet;

use crate::Error;
use crate::model::Project;

/// Services with dependencies first; among equals, by name. Services in a cycle come last
/// (`check` reports cycles).
pub fn order(project: &Project) -> Vec<String> {
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    let mut left: Vec<&String> = project.services.keys().collect();
    while !left.is_empty() {
        let ready: Vec<&String> = left
            .iter()
            .copied()
            .filter(|name| {
                project.services[*name]
                    .depends_on
                    .keys()
                    .all(|d| done.contains(d.as_str()) || !project.services.contains_key(d))
            })
            .collect();
        if ready.is_empty() {
            out.extend(left.iter().map(|s| (*s).clone()));
            break;
        }
        for name in &ready {
            done.insert(name.as_str());
            out.push((*name).clone());
        }
        left.retain(|n| !done.contains(n.as_str()));
    }
    out
}

/// The services `restart SERVICES` restarts, in dependency order: those named and, one after
/// the other, those that depend on one of them with `restart: true`, as compose restarts them.
pub fn restarted(project: &Project, named: &[String]) -> Vec<String> {
    let mut with: BTreeSet<&str> = named.iter().map(String::as_str).collect();
    loop {
        let more: Vec<&str> = project
            .services
            .iter()
            .filter(|(name, svc)| {
                !with.contains(name.as_str())
                    && svc
                        .depends_on
                        .iter()
                        .any(|(dep, d)| d.restart && with.contains(dep.as_str()))
            })
            .map(|(name, _)| name.as_str())
            .collect();
        if more.is_empty() {
            break;
        }
        with.extend(more);
    }
    order(project)
        .into_iter()
        .filter(|s| with.contains(s.as_str()))
        .collect()
}

/// Errors for a dependency cycle, naming it.
pub fn check(project: &Project) -> Result<(), Error> {
    fn visit<'a>(
        project: &'a Project,
        name: &'a str,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Result<(), Error> {
        if done.contains(name) {
            return Ok(());
        }
        if let Some(at) = stack.iter().position(|s| *s == name) {
            let mut cycle: Vec<&str> = stack[at..].to_vec();
            cycle.push(name);
            return Err(Error::invalid(
                format!("services.{name}.depends_on"),
                format!("dependency cycle: {}", cycle.join(" → ")),
            ));
        }
        stack.push(name);
        if let Some(svc) = project.services.get(name) {
            for dep in svc.depends_on.keys() {
                visit(project, dep, stack, done)?;
            }
        }
        stack.pop();
        done.insert(name);
        Ok(())
    }
    let mut done = BTreeSet::new();
    for name in project.services.keys() {
        visit(project, name, &mut Vec::new(), &mut done)?;
    }
    Ok(())
}
