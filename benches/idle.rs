//! Idle benchmark: how many frames the app asks for when nothing is in flight (goal 0), and while
//! one new replica is `Creating` (goal: at most one per DescribeKey poll of the watcher, plus
//! input). Prints both, from one run.
//!
//! The app runs in an event loop shaped like eframe's: a frame runs when egui asked for one (now
//! or after a delay) or when background work called `request_repaint`; otherwise it sleeps. The
//! app talks to the embedded simulator with the demo estate; replicas stay `Creating` 10 s.
//! Criterion times an idle frame, for reference.
//!
//! Run: `cargo bench --bench idle`

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use criterion::Criterion;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::{KeyState, Region};
use kms_replica_console::jobs::{Inventory, ReplicaPhase, Runner};
use kms_replica_console::sim::{DEMO_REGIONS, Delays, Seed, Sim, SimConfig};
use kms_replica_console::ui::{App, AppOptions, Command};

const WINDOW: egui::Vec2 = egui::vec2(1600.0, 900.0);
const REPLICA_CREATION: f64 = 10.0;

/// The earliest instant a repaint was asked for from outside a frame.
type Wake = Arc<(Mutex<Option<Instant>>, Condvar)>;

struct EventLoop {
    ctx: egui::Context,
    wake: Wake,
    /// When egui itself wants the next frame (`None`: not until something happens).
    due: Option<Instant>,
}

impl EventLoop {
    fn new() -> EventLoop {
        let ctx = egui::Context::default();
        let wake: Wake = Arc::default();
        let signal = wake.clone();
        ctx.set_request_repaint_callback(move |info| {
            let at = Instant::now() + info.delay;
            let (lock, condvar) = &*signal;
            let mut earliest = lock.lock().unwrap_or_else(|p| p.into_inner());
            *earliest = Some(earliest.map_or(at, |e| e.min(at)));
            condvar.notify_all();
        });
        EventLoop {
            ctx,
            wake,
            due: Some(Instant::now()),
        }
    }

    fn frame(&mut self, app: &mut App) {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, WINDOW)),
            ..Default::default()
        };
        let output = self.ctx.run_ui(input, |ui| app.show(ui));
        // Requests made during the frame are in its output; only later ones wake the loop.
        *self.wake.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let delay = output
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .map_or(Duration::MAX, |v| v.repaint_delay);
        self.due = Instant::now().checked_add(delay);
    }

    /// Runs frames as an event loop would until `deadline`; returns how many ran.
    fn run_until(&mut self, app: &mut App, deadline: Instant) -> u64 {
        let mut frames = 0;
        loop {
            let now = Instant::now();
            if now >= deadline {
                return frames;
            }
            if self.due.is_some_and(|due| due <= now) {
                self.frame(app);
                frames += 1;
                continue;
            }
            let (lock, condvar) = &*self.wake;
            let mut woken = lock.lock().unwrap_or_else(|p| p.into_inner());
            let until = self.due.unwrap_or(deadline).min(deadline);
            while woken.is_none() && Instant::now() < until {
                let wait = until.saturating_duration_since(Instant::now());
                woken = condvar
                    .wait_timeout(woken, wait)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            if let Some(at) = woken.take() {
                self.due = Some(self.due.map_or(at, |d| d.min(at)));
            }
        }
    }

    /// Runs until `done` holds after a frame (or `limit` passes); returns the frames run.
    fn run_while(&mut self, app: &mut App, limit: Duration, done: impl Fn(&App) -> bool) -> u64 {
        let deadline = Instant::now() + limit;
        let mut frames = 0;
        while !done(app) {
            assert!(
                Instant::now() < deadline,
                "the app did not get there in {limit:?}"
            );
            frames += self.run_until(app, Instant::now() + Duration::from_millis(50));
        }
        frames
    }
}

fn main() {
    let sim_runner = Runner::new().expect("a runtime");
    let config = SimConfig {
        delays: Delays {
            replica_creation: REPLICA_CREATION,
            update_primary: REPLICA_CREATION,
        },
        ..SimConfig::default()
    };
    let sim = sim_runner
        .block_on(Sim::start(config, Seed::Demo))
        .expect("the simulator starts");
    let runner = Runner::new().expect("a runtime");
    let clients = runner.block_on(AwsClients::connect(&support::connect_settings(
        &sim.endpoint(),
    )));
    let regions: Vec<Region> = DEMO_REGIONS
        .iter()
        .map(|r| r.parse().expect("a known Region"))
        .collect();
    let mut app = App::new(
        runner,
        Inventory::new(clients, regions),
        AppOptions::default(),
    );
    let mut event_loop = EventLoop::new();

    // Start-up: scans, then whatever frames egui wants to settle.
    // The first frame starts the scans.
    event_loop.frame(&mut app);
    let mut startup_frames = 1 + event_loop.run_while(&mut app, Duration::from_secs(60), |app| {
        !app.inventory().is_scanning()
    });
    startup_frames += event_loop.run_until(&mut app, Instant::now() + Duration::from_secs(1));

    let idle_window = Duration::from_secs(5);
    let idle_frames = event_loop.run_until(&mut app, Instant::now() + idle_window);

    let Some(request) = support::replication_candidate(app.inventory().estate()) else {
        panic!("the demo estate has a family to replicate");
    };
    let (id, target) = (request.key_id.clone(), request.target);
    app.apply(Command::Replicate(vec![request]));
    event_loop.run_while(&mut app, Duration::from_secs(30), |app| {
        app.inventory()
            .replica_job(&id, target)
            .is_some_and(|job| job.phase == ReplicaPhase::Watching)
    });
    sim.reset_stats();
    let creating_window = Duration::from_secs_f64(REPLICA_CREATION - 2.0);
    let creating_frames = event_loop.run_until(&mut app, Instant::now() + creating_window);
    let still_creating = app.inventory().estate().family(&id).and_then(|f| {
        f.described()
            .find(|k| k.region == target)
            .map(|k| k.state == KeyState::Creating)
    });
    assert_eq!(
        still_creating,
        Some(true),
        "the replica was Creating all along"
    );
    let polls = sim.stats()["requests"][target.name()]["DescribeKey"]
        .as_u64()
        .unwrap_or(0);

    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(30)
        .measurement_time(Duration::from_secs(3));
    criterion.bench_function("idle frame, demo estate", |b| {
        b.iter(|| event_loop.frame(&mut app))
    });

    println!(
        "idle, one run ({startup_frames} frames during the start-up scans):\n  nothing in flight: {:.2} repaints/s ({idle_frames} frames in {} s)\n  \
         one replica Creating: {creating_frames} frames for {polls} DescribeKey polls in {} s \
         (frames / polls = {:.2})",
        idle_frames as f64 / idle_window.as_secs_f64(),
        idle_window.as_secs(),
        creating_window.as_secs(),
        creating_frames as f64 / polls.max(1) as f64,
    );
    criterion.final_summary();
}
