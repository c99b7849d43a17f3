//! Job names: `<run UID>.<metric name>.<n>`, shortened to fit a label value.
//!
//! The Job controller copies a Job's name into its pods' labels, and label values are at most
//! 63 characters, so Argo (`newJobName`) truncates the *metric name* until the whole name
//! fits. `n` is the measurement's number (`count + error + 1` of the metric's result), so
//! every measurement gets a Job of its own and a repeated `run` for the same measurement
//! (a controller restart) finds the Job it created before.

/// The longest name Argo lets through (`defaults.Kubernetes_DNS_Limit`).
pub const MAX_JOB_NAME: usize = 63;

/// The Job name for measurement `n` of `metric` in the run with UID `uid` (Argo's
/// `newJobName`).
///
/// Argo slices the metric name by bytes and panics when even an empty metric name does not
/// fit; Augur cuts at a character boundary and leaves the metric name empty then (the name
/// is then over the limit and the API server rejects it with a clear error).
pub fn job_name(uid: &str, metric: &str, n: i64) -> String {
    let name = format!("{uid}.{metric}.{n}");
    if name.len() <= MAX_JOB_NAME {
        return name;
    }
    let over = name.len() - MAX_JOB_NAME;
    let mut keep = metric.len().saturating_sub(over);
    while !metric.is_char_boundary(keep) {
        keep -= 1;
    }
    format!("{uid}.{}.{n}", &metric[..keep])
}

#[cfg(test)]
mod tests {
    use super::*;

    const UID: &str = "3a1e5b52-6ec6-4dd1-9e3c-2f4d5b2c9a10";

    #[test]
    fn short_names_are_kept() {
        assert_eq!(job_name(UID, "smoke", 1), format!("{UID}.smoke.1"));
        assert_eq!(job_name(UID, "smoke", 12), format!("{UID}.smoke.12"));
    }

    #[test]
    fn long_metric_names_are_truncated_to_63() {
        let metric = "integration-tests-against-the-canary";
        let name = job_name(UID, metric, 3);
        assert_eq!(name.len(), 63);
        assert_eq!(name, format!("{UID}.integration-tests-agains.3"));
        // Exactly 63 is kept whole.
        let fits = "a".repeat(63 - UID.len() - 3);
        assert_eq!(job_name(UID, &fits, 1).len(), 63);
        assert_eq!(job_name(UID, &fits, 1), format!("{UID}.{fits}.1"));
    }

    #[test]
    fn truncation_respects_characters_and_never_panics() {
        let metric = "é".repeat(20);
        let name = job_name(UID, &metric, 1);
        assert!(name.len() <= 63, "{name}");
        let huge = job_name(&"u".repeat(80), "m", 1);
        assert_eq!(huge, format!("{}..1", "u".repeat(80)));
    }
}
