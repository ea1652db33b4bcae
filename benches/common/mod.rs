//! What the scale benchmarks share: the simulator in its own process (so its memory and its
//! threads are not the app's), its request statistics, and this process's peak memory.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// `kms-replica-console sim` running on a free loopback port; killed when dropped.
pub struct SimProcess {
    child: Child,
    pub endpoint: String,
}

impl SimProcess {
    /// Starts the simulator with `args` (e.g. `--seed scale:17:5000 --latency-ms 20`) and waits
    /// until it says where it listens (after seeding).
    pub fn spawn(args: &[&str]) -> SimProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kms-replica-console"))
            .args(["sim", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the simulator starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the simulator prints its endpoint");
        let endpoint = line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no endpoint in {line:?}"))
            .to_string();
        SimProcess { child, endpoint }
    }

    /// CPU time the simulator process has used so far.
    pub fn cpu(&self) -> Duration {
        cpu_of(&format!("/proc/{}/stat", self.child.id()))
    }

    /// `GET /_sim/stats`: requests and throttles per Region and operation.
    pub fn stats(&self) -> Value {
        let body = self.http("GET", "/_sim/stats");
        serde_json::from_str(&body).expect("stats are JSON")
    }

    pub fn reset_stats(&self) {
        self.http("POST", "/_sim/stats/reset");
    }

    /// One HTTP/1.1 exchange with the admin routes, without a client library.
    fn http(&self, method: &str, path: &str) -> String {
        let address = self.endpoint.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).expect("the simulator accepts");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .expect("request sent");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("response read");
        response
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_string())
            .unwrap_or_default()
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sum of a stats section (`requests` or `throttled`) over the Regions and operations given
/// (`None`: all of them).
pub fn total(stats: &Value, section: &str, operations: Option<&[&str]>) -> u64 {
    stats[section]
        .as_object()
        .into_iter()
        .flat_map(|regions| regions.values())
        .filter_map(Value::as_object)
        .flat_map(|ops| ops.iter())
        .filter(|(op, _)| operations.is_none_or(|list| list.contains(&op.as_str())))
        .filter_map(|(_, n)| n.as_u64())
        .sum()
}

/// CPU time (user + system) this process has used so far.
pub fn own_cpu() -> Duration {
    cpu_of("/proc/self/stat")
}

/// User + system time from a Linux `stat` file (fields 14 and 15, in clock ticks of 1/100 s).
fn cpu_of(path: &str) -> Duration {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // The command name (field 2) may hold spaces; fields after it start after the last ')'.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<u64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    Duration::from_millis(fields.iter().sum::<u64>() * 10)
}

/// This process's peak resident memory so far, in bytes (Linux `VmHWM`).
pub fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
