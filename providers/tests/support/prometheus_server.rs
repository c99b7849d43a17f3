//! A real Prometheus (Debian's `prometheus` package) on 127.0.0.1 for tests and benchmarks,
//! loaded with known series through `promtool tsdb create-blocks-from openmetrics`.
//!
//! Shared by the provider tests, the CLI tests and the provider benchmark (`#[path]`
//! includes it). When the binaries are missing the harness returns `None` and callers skip,
//! unless `AUGUR_REQUIRE_PROMETHEUS` is set (as `.ci/run` does), which makes it a failure.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
pub use tempfile::TempDir;

/// 2026-01-01T00:00:00Z: the series start here, so the tests' times are fixed.
pub const T0: i64 = 1_767_225_600;

/// A running Prometheus, killed on drop.
pub struct PrometheusServer {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    _dir: TempDir,
}

impl Drop for PrometheusServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh directory under the system's temp dir, removed on drop.
pub fn temp_dir(tag: &str) -> TempDir {
    tempfile::Builder::new().prefix(&format!("augur-{tag}-")).tempdir().expect("create temp dir")
}

fn find(binary: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/local/bin")])
        .map(|d| d.join(binary))
        .find(|p| p.is_file())
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// The series every test can query, from [`T0`] for one hour at 15 s steps:
/// * `augur_success_rate{service="payments"}` = 0.97, and `{service="checkout"}` = 0.5;
/// * `augur_ramp` = minutes since T0 (0, 0, 0, 0, 1, ...);
/// * `augur_nan` = NaN; `augur_inf` = +Inf.
pub fn standard_series() -> String {
    let mut om = String::new();
    om.push_str("# TYPE augur_success_rate gauge\n");
    for (service, v) in [("checkout", "0.5"), ("payments", "0.97")] {
        for i in 0..240 {
            om.push_str(&format!("augur_success_rate{{service=\"{service}\"}} {v} {}\n", T0 + i * 15));
        }
    }
    om.push_str("# TYPE augur_ramp gauge\n");
    for i in 0..240 {
        om.push_str(&format!("augur_ramp {} {}\n", i * 15 / 60, T0 + i * 15));
    }
    om.push_str("# TYPE augur_nan gauge\n");
    for i in 0..240 {
        om.push_str(&format!("augur_nan NaN {}\n", T0 + i * 15));
    }
    om.push_str("# TYPE augur_inf gauge\n");
    for i in 0..240 {
        om.push_str(&format!("augur_inf +Inf {}\n", T0 + i * 15));
    }
    om.push_str("# EOF\n");
    om
}

impl PrometheusServer {
    /// Starts Prometheus with `openmetrics` loaded, or `None` when Prometheus is not
    /// installed and not required.
    pub fn start(openmetrics: &str) -> Option<PrometheusServer> {
        let (Some(prometheus), Some(promtool)) = (find("prometheus"), find("promtool")) else {
            if std::env::var_os("AUGUR_REQUIRE_PROMETHEUS").is_some() {
                panic!("prometheus and promtool are required (apt-get install prometheus)");
            }
            eprintln!("SKIPPED: Debian's prometheus package is not installed (apt-get install prometheus)");
            return None;
        };
        let dir = temp_dir("prometheus");
        let input = dir.path().join("series.om");
        std::fs::write(&input, openmetrics).expect("write series");
        let data = dir.path().join("data");
        let out = Command::new(&promtool)
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&input)
            .arg(&data)
            .output()
            .expect("run promtool");
        assert!(out.status.success(), "promtool failed: {}", String::from_utf8_lossy(&out.stderr));
        let config = dir.path().join("prometheus.yml");
        std::fs::write(&config, "global:\n  scrape_interval: 1h\n").expect("write config");
        let port = free_port();
        let address = format!("http://127.0.0.1:{port}");
        let log = std::fs::File::create(dir.path().join("prometheus.log")).expect("log file");
        let child = Command::new(&prometheus)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--storage.tsdb.retention.time=100y")
            .arg("--log.level=warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start prometheus");
        let server = PrometheusServer { child, address, _dir: dir };
        server.wait_ready(Duration::from_secs(30));
        Some(server)
    }

    /// Waits (bounded) until `/-/ready` answers 200 and the loaded series are queryable.
    fn wait_ready(&self, limit: Duration) {
        let start = Instant::now();
        let url = format!("{}/api/v1/query?query=count(augur_success_rate)&time={}", self.address, T0 + 60);
        for _ in 0..300 {
            if start.elapsed() > limit {
                break;
            }
            if let Ok(body) = http_get(&url)
                && body.contains("\"success\"")
                && body.contains("\"2\"")
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let log = std::fs::read_to_string(self._dir.path().join("prometheus.log")).unwrap_or_default();
        panic!("prometheus at {} did not become ready within {limit:?}; log:\n{log}", self.address);
    }

    /// The data directory's log file.
    pub fn log_path(&self) -> &Path {
        self._dir.path()
    }
}

/// A minimal blocking HTTP/1.0 GET, for readiness checks (no client dependency).
pub fn http_get(url: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").ok_or_else(|| std::io::Error::other("http only"))?;
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut s = std::net::TcpStream::connect(host)?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n")?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}
