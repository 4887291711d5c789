//! The container list as the engine's events change it, for those that follow it (the window's
//! list, the tray's menu of running containers). A burst's state changes of containers already
//! listed show at once, on the last list ([`ContainerList::burst`]); the engine's own list
//! follows and replaces it ([`ContainerList::listed`]), but where it has not caught up with the
//! events yet: dockerd 20.10 tells `pause` and `unpause` before it writes the state its list
//! reads, so a list read at once still has the container running (or paused). A list newer
//! than an event instead (the container changed again meanwhile) is followed by that change's
//! own event, which sets the state again.

use crate::EventView;
use crate::wire::ContainerRow;

/// The last list, and the containers whose state the last burst said.
#[derive(Default)]
pub struct ContainerList {
    last: Vec<ContainerRow>,
    said: Vec<ContainerRow>,
}

/// A burst's events split by whether the last list can show them.
pub struct Patched<'a> {
    /// The last list with what `told` says.
    pub rows: Vec<ContainerRow>,
    /// Events of containers in the list that change their state, or remove them.
    pub told: Vec<&'a EventView>,
    /// The others (a new container's, say): they wait for the engine's list.
    pub rest: Vec<&'a EventView>,
}

impl ContainerList {
    /// The last list with what `burst` says of containers already in it (their state, and
    /// `destroy` removing them).
    pub fn burst<'a>(&mut self, burst: &'a [EventView]) -> Patched<'a> {
        let mut rows = self.last.clone();
        let (mut told, mut rest, mut said) = (Vec::new(), Vec::new(), Vec::new());
        for e in burst {
            let Some(at) = rows.iter().position(|r| r.id == e.actor) else {
                rest.push(e);
                continue;
            };
            if e.action == "destroy" {
                rows.remove(at);
            } else if let Some(state) = state_after(&e.action) {
                said.push(&e.actor);
                let row = &mut rows[at];
                row.state = state.to_owned();
                row.status = match state {
                    "running" => "Up".to_owned(),
                    "paused" => "Up (Paused)".to_owned(),
                    _ => match e.attributes.get("exitCode") {
                        Some(code) => format!("Exited ({code})"),
                        // `stop` follows `die`, which said the code.
                        None if row.status.starts_with("Exited") => row.status.clone(),
                        None => "Exited".to_owned(),
                    },
                };
            } else {
                rest.push(e);
                continue;
            }
            told.push(e);
        }
        self.said = rows
            .iter()
            .filter(|r| said.contains(&&r.id))
            .cloned()
            .collect();
        Patched { rows, told, rest }
    }

    /// The engine's list, with the state the last burst said of a container where the list
    /// disagrees; kept as the last list.
    pub fn listed(&mut self, mut rows: Vec<ContainerRow>) -> &[ContainerRow] {
        for row in &mut rows {
            if let Some(told) = self.said.iter().find(|s| s.id == row.id)
                && told.state != row.state
            {
                row.state.clone_from(&told.state);
                row.status.clone_from(&told.status);
            }
        }
        self.said.clear();
        self.last = rows;
        &self.last
    }
}

/// The state an event leaves a container in, for the events that change it.
fn state_after(action: &str) -> Option<&'static str> {
    match action {
        "start" | "unpause" | "restart" => Some("running"),
        "die" | "stop" => Some("exited"),
        "pause" => Some("paused"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, state: &str) -> ContainerRow {
        ContainerRow {
            id: id.into(),
            state: state.into(),
            ..Default::default()
        }
    }

    fn event(action: &str, id: &str, exit: Option<&str>) -> EventView {
        EventView {
            kind: "container".into(),
            action: action.into(),
            actor: id.into(),
            attributes: exit
                .map(|c| ("exitCode".to_owned(), c.to_owned()))
                .into_iter()
                .collect(),
            time_nano: 0,
        }
    }

    fn states(rows: &[ContainerRow]) -> Vec<(&str, &str, &str)> {
        rows.iter()
            .map(|r| (r.id.as_str(), r.state.as_str(), r.status.as_str()))
            .collect()
    }

    #[test]
    fn known_containers_change_at_once_new_ones_wait_for_the_list() {
        let mut list = ContainerList::default();
        list.listed(vec![
            row("a", "running"),
            row("b", "exited"),
            row("c", "running"),
        ]);
        let burst = [
            event("kill", "a", None),
            event("die", "a", Some("137")),
            event("stop", "a", None),
            event("start", "b", None),
            event("destroy", "c", None),
            event("create", "new", None),
            event("start", "new", None),
        ];
        let Patched { rows, told, rest } = list.burst(&burst);
        assert_eq!(
            states(&rows),
            [("a", "exited", "Exited (137)"), ("b", "running", "Up")],
            "a's stop comes after its die, which said the code"
        );
        let words = |events: &[&EventView]| -> Vec<String> {
            events
                .iter()
                .map(|e| format!("{} {}", e.action, e.actor))
                .collect()
        };
        assert_eq!(words(&told), ["die a", "stop a", "start b", "destroy c"]);
        assert_eq!(words(&rest), ["kill a", "create new", "start new"]);
    }

    #[test]
    fn a_list_read_before_the_engine_wrote_what_its_event_said_keeps_the_event() {
        let mut list = ContainerList::default();
        list.listed(vec![row("a", "running"), row("b", "running")]);
        list.burst(&[event("pause", "a", None)]);
        // Read at once after the event, the engine's list still has a running (b, which the
        // burst did not name, is taken as the list has it).
        let mut stale = vec![
            row("a", "running"),
            row("b", "exited"),
            row("new", "created"),
        ];
        stale[0].status = "Up 10 seconds".into();
        assert_eq!(
            states(list.listed(stale)),
            [
                ("a", "paused", "Up (Paused)"),
                ("b", "exited", ""),
                ("new", "created", "")
            ]
        );
        // Only the list right after the burst: the next one is taken as it is.
        assert_eq!(
            states(list.listed(vec![row("a", "running")])),
            [("a", "running", "")]
        );
        // A list that agrees is taken as it is (its status says more).
        list.burst(&[event("pause", "a", None)]);
        let mut agrees = vec![row("a", "paused")];
        agrees[0].status = "Up 10 seconds (Paused)".into();
        assert_eq!(list.listed(agrees)[0].status, "Up 10 seconds (Paused)");
    }
}
