//! `augur demo`: two releases of a payment service through a canary with Prometheus-style
//! analysis on recorded data, offline, in a few seconds. The first is promoted; the second's
//! error rate climbs at 40 % traffic and analysis aborts it.
//!
//! The files ship under `examples/rollout/` (and are compiled in, so the demo runs from
//! anywhere); edit them and run `augur rollout simulate` to try variations.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use augur_analysis_core::Phase;
use augur_analysis_core::replay::ReplayData;
use augur_analysis_core::spec::Time;
use augur_analysis_core::template::TemplateSet;
use augur_controller::rollout::pod_template_hash;
use augur_controller::sim::{Cluster, Outcome, Plan};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::rollout::{header, outcome_code, revisions, row, stable_cluster, virtual_time};

/// `println!` that ignores a closed standard output (`augur demo | head`).
macro_rules! say {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

const ROLLOUT: &str = include_str!("../../examples/rollout/payments.yaml");
const RELEASE_1: &str = include_str!("../../examples/rollout/release-1.data.yaml");
const RELEASE_2: &str = include_str!("../../examples/rollout/release-2.data.yaml");

#[derive(Args)]
pub struct DemoArgs {
    /// Print the timeline at once instead of replaying it live.
    #[arg(long)]
    no_animation: bool,
}

fn data(origin: &str, text: &str) -> anyhow::Result<ReplayData> {
    let d: ReplayData = serde_saphyr::from_str(text).map_err(|e| anyhow::anyhow!("{origin}: {e}"))?;
    d.validate().map_err(|e| anyhow::anyhow!("{origin}: {e}"))?;
    Ok(d)
}

/// What a release's failed analysis said.
fn failed_analysis(cluster: &Cluster) -> Option<String> {
    let run = cluster
        .analysis
        .runs
        .iter()
        .rev()
        .find(|r| matches!(r.observed.phase, Some(Phase::Failed | Phase::Error | Phase::Inconclusive)))?;
    let ar = run.run.as_ref()?;
    let mut text = format!("AnalysisRun {} {}", run.request.name, ar.status.phase.map_or("", |p| p.as_str()));
    if !ar.status.message.is_empty() {
        text = format!("{text}: {}", ar.status.message);
    }
    let values: Vec<String> = ar
        .status
        .metric_results
        .iter()
        .flat_map(|m| m.measurements.iter().map(move |x| format!("{}={}", m.name, x.value)))
        .collect();
    if !values.is_empty() {
        text = format!("{text} (measured {})", values.join(", "));
    }
    Some(text)
}

/// A line above the live progress bar, or on standard output when not animating.
fn emit(bar: &ProgressBar, live: bool, line: &str) {
    if live {
        bar.println(line);
    } else {
        let _ = writeln!(std::io::stdout(), "{line}");
    }
}

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let live = !args.no_animation && std::io::stderr().is_terminal();
    let mut set = TemplateSet::new("default");
    let mut rollouts = Vec::new();
    super::rollout::load_text("examples/rollout/payments.yaml", ROLLOUT, &mut set, &mut rollouts)?;
    let located = rollouts.pop().context("the demo Rollout is missing")?;
    let first = data("examples/rollout/release-1.data.yaml", RELEASE_1)?;
    let second = data("examples/rollout/release-2.data.yaml", RELEASE_2)?;
    let ro = located.value;
    let (previous, v15) = revisions(&ro);
    let start = Time::from_system(SystemTime::now()).to_system();
    let mut cluster = stable_cluster(ro, set, first, Duration::from_secs(10), start, &previous)?;

    say!("augur demo: two releases of `payments` (10 replicas, NGINX canary, success-rate analysis),");
    say!("simulated offline on virtual time with Argo Rollouts' step engine.\n");
    let mut summaries = Vec::new();
    let releases = [("release 1", "payments:1.5.0", None), ("release 2", "payments:1.6.0", Some(second))];
    let mut ok = true;
    for (i, (label, image, next_data)) in releases.into_iter().enumerate() {
        let hash = if i == 0 {
            v15.clone()
        } else {
            let mut template = cluster.rollout.spec.template.clone().unwrap_or_default();
            if let Some(c) = template.pointer_mut("/spec/containers/0/image") {
                *c = serde_json::json!(format!("registry.example.com/{image}"));
            }
            cluster.rollout.spec.template = Some(template.clone());
            pod_template_hash(Some(&template))
        };
        if let Some(d) = next_data {
            cluster.analysis.set_data(d);
        }
        cluster.restart_clock();
        let runs_before = cluster.analysis.runs.len();
        say!("{label}: {image}");
        let bar = ProgressBar::new(cluster.rollout.steps().len() as u64);
        if live {
            bar.set_style(
                ProgressStyle::with_template("  {spinner} step {pos}/{len} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
        } else {
            bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        }
        emit(&bar, live, &format!("  {}", header()));
        let outcome = cluster
            .run_release(&hash, Plan::default(), |e| {
                bar.set_position(e.snapshot.step.unwrap_or(0).max(0) as u64);
                bar.set_message(format!("{} {}", e.snapshot.phase.map_or("", |p| p.as_str()), e.snapshot.message));
                emit(&bar, live, &format!("  {}", row(e)));
                if live {
                    std::thread::sleep(Duration::from_millis(120));
                }
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        bar.finish_and_clear();
        let elapsed = virtual_time(&cluster);
        let runs = &cluster.analysis.runs[runs_before..];
        let passed = runs.iter().filter(|r| r.observed.phase == Some(Phase::Successful)).count();
        let summary = match &outcome {
            Outcome::Healthy => format!(
                "{label} ({image}): PROMOTED after {elapsed} of virtual time: every step passed, {passed} of {} analysis runs Successful; the old revision was scaled down.",
                runs.len()
            ),
            Outcome::Degraded { message } => {
                let weights =
                    cluster.rollout.status.canary.weights.as_ref().map(|w| (w.canary.weight, w.stable.weight));
                format!(
                    "{label} ({image}): ABORTED after {elapsed}: {message}. Why: {}. Traffic is back on stable (canary/stable weight {}), the canary scaled to {} pods.",
                    failed_analysis(&cluster).unwrap_or_else(|| "see the timeline".into()),
                    weights.map_or("-".into(), |(c, s)| format!("{c}/{s}")),
                    cluster.replica_set(&hash).map_or(0, |r| r.replicas),
                )
            }
            other => format!("{label} ({image}): {}", outcome_code(other).1),
        };
        let expected =
            if i == 0 { matches!(outcome, Outcome::Healthy) } else { matches!(outcome, Outcome::Degraded { .. }) };
        ok &= expected;
        say!("");
        summaries.push(summary);
    }
    say!("Summary");
    for s in &summaries {
        say!("  - {s}");
    }
    say!("\nTry it: augur rollout simulate examples/rollout/payments.yaml --data examples/rollout/release-2.data.yaml");
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
