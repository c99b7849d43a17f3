//! The command a local Job runs: the pod's first container's `command` and `args`, its
//! `env` and `workingDir`, as the kubelet would start it.
//!
//! Kubernetes expands `$(VAR)` in `command`, `args` and env values from the container's env
//! (earlier variables only, for env values); an undefined `$(VAR)` stays as written and `$$`
//! is a literal `$`. Augur does the same, so a template's command line means the same thing
//! on both backends. What only a cluster can provide is refused with a clear error: env
//! `valueFrom` (Secrets, ConfigMaps, the downward API), `envFrom`, and a container without
//! `command` (its image's entrypoint is not known locally).

use std::collections::HashMap;

use k8s_openapi::api::core::v1::Container;

/// A local process to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalCommand {
    /// The program (`command[0]`).
    pub program: String,
    /// The rest of `command`, then `args`.
    pub args: Vec<String>,
    /// The container's env, expanded, in order; added to Augur's own environment.
    pub env: Vec<(String, String)>,
    /// `workingDir`, when set.
    pub working_dir: Option<String>,
}

impl LocalCommand {
    /// The command `container` of `metric` runs.
    pub fn from_container(container: &Container, metric: &str) -> Result<LocalCommand, String> {
        let whose = || format!("metric \"{metric}\": container \"{}\"", container.name);
        if container.env_from.as_ref().is_some_and(|e| !e.is_empty()) {
            return Err(format!("{}: envFrom is not supported by local jobs", whose()));
        }
        let mut env: Vec<(String, String)> = Vec::new();
        let mut defined: HashMap<String, String> = HashMap::new();
        for var in container.env.iter().flatten() {
            if var.value_from.is_some() {
                return Err(format!(
                    "{}: env \"{}\" uses valueFrom, which local jobs do not support (give it a value)",
                    whose(),
                    var.name
                ));
            }
            let value = expand(var.value.as_deref().unwrap_or(""), &defined);
            defined.insert(var.name.clone(), value.clone());
            env.push((var.name.clone(), value));
        }
        let mut words =
            container.command.iter().flatten().chain(container.args.iter().flatten()).map(|w| expand(w, &defined));
        let program = match (container.command.as_ref().is_some_and(|c| !c.is_empty()), words.next()) {
            (true, Some(program)) => program,
            _ => {
                return Err(format!(
                    "{}: has no command; a local job runs the container's command and args (the image's entrypoint is not known locally)",
                    whose()
                ));
            }
        };
        Ok(LocalCommand { program, args: words.collect(), env, working_dir: container.working_dir.clone() })
    }

    /// The command line, for messages (`sh -c 'exit 3'` as `sh -c exit 3`: words joined by
    /// spaces).
    pub fn display(&self) -> String {
        std::iter::once(self.program.as_str()).chain(self.args.iter().map(String::as_str)).collect::<Vec<_>>().join(" ")
    }
}

/// Kubernetes' `$(VAR)` expansion (`third_party/forked/golang/expansion`).
pub fn expand(input: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let mut chars = after.chars();
        match chars.next() {
            // A trailing `$` is copied as is.
            None => {
                out.push('$');
                rest = after;
            }
            Some('$') => {
                out.push('$');
                rest = &after[1..];
            }
            Some('(') => match after.find(')') {
                Some(close) => {
                    let name = &after[1..close];
                    match vars.get(name) {
                        Some(value) => out.push_str(value),
                        None => {
                            out.push_str("$(");
                            out.push_str(name);
                            out.push(')');
                        }
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push_str("$(");
                    rest = &after[1..];
                }
            },
            Some(c) => {
                out.push('$');
                out.push(c);
                rest = chars.as_str();
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn container(v: serde_json::Value) -> Container {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn expansion_follows_kubernetes() {
        let vars = HashMap::from([("A".to_string(), "1".to_string()), ("B".to_string(), "x y".to_string())]);
        for (input, want) in [
            ("$(A)", "1"),
            ("pre-$(A)-$(B)", "pre-1-x y"),
            ("$$(A)", "$(A)"),
            ("$(MISSING)", "$(MISSING)"),
            ("$(A", "$(A"),
            ("cost: $5 $", "cost: $5 $"),
            ("é$(A)é", "é1é"),
            ("$é", "$é"),
            ("$$$(A)", "$1"),
        ] {
            assert_eq!(expand(input, &vars), want, "{input}");
        }
    }

    #[test]
    fn command_args_and_env() {
        let c = container(json!({"name": "t", "command": ["sh", "-c"], "args": ["echo $(GREETING) $(TARGET)"],
            "env": [{"name": "TARGET", "value": "world"}, {"name": "GREETING", "value": "hello-$(TARGET)"}],
            "workingDir": "/tmp"}));
        let cmd = LocalCommand::from_container(&c, "smoke").unwrap();
        assert_eq!(cmd.program, "sh");
        assert_eq!(cmd.args, ["-c", "echo hello-world world"]);
        assert_eq!(cmd.env[1], ("GREETING".to_string(), "hello-world".to_string()));
        assert_eq!(cmd.working_dir.as_deref(), Some("/tmp"));
        assert_eq!(cmd.display(), "sh -c echo hello-world world");
    }

    #[test]
    fn what_needs_a_cluster_is_refused() {
        let secret = container(json!({"name": "t", "command": ["true"],
            "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}));
        assert_eq!(
            LocalCommand::from_container(&secret, "smoke").unwrap_err(),
            "metric \"smoke\": container \"t\": env \"TOKEN\" uses valueFrom, which local jobs do not support (give it a value)"
        );
        let env_from =
            container(json!({"name": "t", "command": ["true"], "envFrom": [{"configMapRef": {"name": "c"}}]}));
        assert!(LocalCommand::from_container(&env_from, "smoke").unwrap_err().contains("envFrom is not supported"));
        let args_only = container(json!({"name": "t", "image": "alpine", "args": ["run"]}));
        assert!(LocalCommand::from_container(&args_only, "smoke").unwrap_err().contains("has no command"));
    }
}
