//! Usage benchmark (#24): the grid's Usage view over 10,000 families × 34 Regions, against the
//! simulator with the AWS quotas (GetKeyLastUsage 5 per second per Region) of which other
//! callers in the account use 90 %, and imagined traffic. The first screen fills; then the grid
//! is scrolled down twenty times in quick succession and left to settle. Prints, from one run:
//! the keys whose usage was read against all keys (only rows that were on screen should be),
//! the calls sent for them (throttles retried included), how many answers were throttled, how
//! many cells ended as failures (goal 0: a throttle never reaches the user), and how long the
//! first screen took to fill. Criterion times one frame of the Usage view.
//!
//! Run: `cargo bench --bench usage`

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use criterion::Criterion;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::Region;
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::sim::{SCALE_REGIONS, Seed, Sim, SimConfig};
use kms_replica_console::ui::{App, AppOptions};

const REGIONS: usize = 34;
const FAMILIES: usize = 10_000;
const WINDOW: egui::Vec2 = egui::vec2(1600.0, 900.0);

fn input() -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, WINDOW)),
        ..Default::default()
    }
}

fn frame(ctx: &egui::Context, app: &mut App) {
    frame_with(ctx, app, input());
}

fn frame_with(ctx: &egui::Context, app: &mut App, input: egui::RawInput) {
    let output = ctx.run_ui(input, |ui| app.show(ui));
    std::hint::black_box(ctx.tessellate(output.shapes, output.pixels_per_point).len());
}

/// A frame in which the wheel scrolls the grid down by a screen's worth.
fn scroll_down(ctx: &egui::Context, app: &mut App) {
    let over_grid = egui::pos2(700.0, 500.0);
    let mut input = input();
    input.events = vec![
        egui::Event::PointerMoved(over_grid),
        egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -700.0),
            phase: egui::TouchPhase::Move,
            modifiers: egui::Modifiers::NONE,
            source: egui::MouseWheelSource::Wheel,
        },
    ];
    frame_with(ctx, app, input);
}

/// Frames until no usage is wanted or being read (or `limit` passes).
fn settle(ctx: &egui::Context, app: &mut App, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let before = app.runner().finished_count();
        frame(ctx, app);
        if !app.inventory().usage_reading() || Instant::now() > deadline {
            return;
        }
        let runner = app.runner();
        runner.wait_until(Duration::from_secs(5), || runner.finished_count() > before);
    }
}

fn sum(stats: &serde_json::Value, table: &str, op: &str) -> u64 {
    stats[table]
        .as_object()
        .into_iter()
        .flat_map(|regions| regions.values())
        .filter_map(|ops| ops[op].as_u64())
        .sum()
}

fn main() {
    let runner = Runner::new().expect("a runtime");
    let config = SimConfig {
        traffic: true,
        quotas: true,
        quota_share: 0.1,
        ..SimConfig::default()
    };
    let seed = Seed::Scale {
        regions: REGIONS,
        families: FAMILIES,
    };
    let sim = runner
        .block_on(Sim::start(config, seed))
        .expect("the simulator");
    let clients = AwsClients::from_sdk_config(support::sdk_config(&sim.endpoint()));
    let regions: Vec<Region> = SCALE_REGIONS[..REGIONS]
        .iter()
        .map(|r| r.parse().expect("a known Region"))
        .collect();
    let mut inventory = Inventory::new(clients.clone(), regions.clone());
    inventory.refresh(&runner);
    inventory.wait_all(&runner);
    let estate = inventory.estate().clone();
    let keys: usize = estate.families().map(|(_, f)| f.described().count()).sum();
    let mut app = App::new(
        runner,
        Inventory::new(clients, regions),
        AppOptions::default(),
    )
    .with_estate(estate);
    let ctx = egui::Context::default();
    frame(&ctx, &mut app);
    app.set_usage_view(true);

    let started = Instant::now();
    settle(&ctx, &mut app, Duration::from_secs(300));
    let filled = started.elapsed();
    let (first_screen, _) = app.inventory().usage_known();
    // Twenty screens scrolled past quickly: what scrolled away before its batch began is dropped.
    for _ in 0..20 {
        scroll_down(&ctx, &mut app);
        std::thread::sleep(Duration::from_millis(50));
    }
    settle(&ctx, &mut app, Duration::from_secs(300));
    let (read, failed) = app.inventory().usage_known();
    let stats = sim.stats();
    let calls = sum(&stats, "requests", "GetKeyLastUsage");
    let throttled = sum(&stats, "throttled", "GetKeyLastUsage");

    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    criterion.bench_function(
        "a frame of the Usage view, 10,000 families × 34 Regions",
        |b| b.iter(|| frame(&ctx, &mut app)),
    );

    println!();
    println!("Usage view, {FAMILIES} families × {REGIONS} Regions ({keys} keys), AWS quotas:");
    println!("  first screen: {first_screen} keys read");
    println!(
        "  after twenty screens scrolled past: usage read for {read} keys of {keys} ({:.4} of them)",
        read as f64 / keys.max(1) as f64
    );
    println!(
        "  {calls} GetKeyLastUsage calls ({:.2} per key read), {throttled} throttled and retried",
        calls as f64 / read.max(1) as f64
    );
    println!("  cells shown as failures: {failed} (goal 0)");
    println!("  screen filled in {:.1} s", filled.as_secs_f64());
}
