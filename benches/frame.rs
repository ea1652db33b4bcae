//! Frame benchmark: CPU time of one frame of the coverage grid (egui layout and tessellation, no
//! GPU) at 10,000 families × 34 Regions against the same at 100 families. Prints the ratio and
//! the 10,000-family frame time, from one run.
//!
//! The estates are built in memory (shaped like a scan of `scale:34:N`: a primary and 0–3
//! replicas per family, mixed states, aliases) so only drawing is measured.
//!
//! Run: `cargo bench --bench frame`

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use criterion::Criterion;
use kms_replica_console::aws::AwsClients;
use kms_replica_console::domain::rows::{RowFacts, RowQuery, SortKey, select_rows};
use kms_replica_console::domain::{
    Estate, KeyEntry, KeyInfo, KeyState, MrkId, MultiRegionConfig, Region, RegionScan, RelatedKey,
    Role,
};
use kms_replica_console::jobs::{Inventory, Runner};
use kms_replica_console::sim::SCALE_REGIONS;
use kms_replica_console::ui::{App, AppOptions};

const REGIONS: usize = 34;
/// A typical laptop window.
const WINDOW: egui::Vec2 = egui::vec2(1600.0, 900.0);

fn arn(region: &str, id: &MrkId) -> String {
    format!("arn:aws:kms:{region}:111122223333:key/{id}")
}

/// `families` families over the 34 scale Regions, as a scan would fold them in.
pub fn estate(families: usize) -> Estate {
    let regions: Vec<Region> = SCALE_REGIONS[..REGIONS]
        .iter()
        .map(|r| r.parse().expect("a known Region"))
        .collect();
    let mut scans: Vec<RegionScan> = vec![RegionScan::default(); REGIONS];
    let states = [
        KeyState::Enabled,
        KeyState::Enabled,
        KeyState::Enabled,
        KeyState::Disabled,
        KeyState::PendingDeletion,
        KeyState::Creating,
    ];
    for i in 0..families {
        let id = MrkId::parse(&format!("mrk-{i:032x}")).expect("a valid mrk- ID");
        let primary = i % REGIONS;
        let members: Vec<usize> = (0..=i % 4).map(|k| (primary + k * 7) % REGIONS).collect();
        let related = |r: usize| RelatedKey {
            arn: arn(regions[r].name(), &id),
            region: regions[r].name().to_string(),
        };
        for (n, &r) in members.iter().enumerate() {
            let role = if n == 0 { Role::Primary } else { Role::Replica };
            let info = KeyInfo {
                key_id: id.clone(),
                region: regions[r],
                arn: arn(regions[r].name(), &id),
                state: states[(i + n) % states.len()].clone(),
                enabled: true,
                description: format!("family {i}"),
                key_spec: "SYMMETRIC_DEFAULT".into(),
                key_usage: "ENCRYPT_DECRYPT".into(),
                origin: "AWS_KMS".into(),
                created: Some(1_700_000_000),
                deletion_date: None,
                valid_to: None,
                expiration_model: None,
                multi_region: Some(MultiRegionConfig {
                    role,
                    primary: Some(related(members[0])),
                    replicas: members[1..].iter().map(|&m| related(m)).collect(),
                }),
            };
            scans[r].keys.push(KeyEntry::Described(Box::new(info)));
            scans[r]
                .aliases
                .push((format!("alias/app-{i}"), id.to_string()));
        }
    }
    let mut estate = Estate::new(regions.clone());
    for (region, scan) in regions.into_iter().zip(scans) {
        estate.apply_scan(region, scan);
    }
    estate
}

/// An app showing `families` families, and an egui context that has drawn it a few times.
fn app(families: usize) -> (App, egui::Context) {
    let runner = Runner::new().expect("a runtime");
    let clients = runner.block_on(AwsClients::connect(&support::connect_settings(
        "http://127.0.0.1:9",
    )));
    let est = estate(families);
    let regions = est.regions().to_vec();
    let mut app = App::new(
        runner,
        Inventory::new(clients, regions),
        AppOptions::default(),
    )
    .with_estate(est);
    let ctx = egui::Context::default();
    for _ in 0..3 {
        let _ = frame(&ctx, &mut app);
    }
    (app, ctx)
}

fn input() -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, WINDOW)),
        ..Default::default()
    }
}

/// One frame: layout, then tessellation into meshes (what the GPU would be given).
fn frame(ctx: &egui::Context, app: &mut App) -> usize {
    let output = ctx.run_ui(input(), |ui| app.show(ui));
    ctx.tessellate(output.shapes, output.pixels_per_point).len()
}

fn main() {
    let mut criterion = Criterion::default()
        .configure_from_args()
        .sample_size(50)
        .measurement_time(Duration::from_secs(5));
    let mut mean = Vec::new();
    let mut group = criterion.benchmark_group("grid frame, 34 Regions");
    for families in [100, 10_000] {
        let (mut app, ctx) = app(families);
        let mut total = Duration::ZERO;
        let mut frames = 0u64;
        group.bench_function(format!("{families} families"), |b| {
            b.iter_custom(|iters| {
                let started = Instant::now();
                for _ in 0..iters {
                    std::hint::black_box(frame(&ctx, &mut app));
                }
                let elapsed = started.elapsed();
                total += elapsed;
                frames += iters;
                elapsed
            })
        });
        mean.push(total.as_secs_f64() / frames.max(1) as f64);
    }
    group.finish();

    // What a keystroke in the search box or a click on a header costs at 10,000 families: the
    // rows are selected once per change, then cached.
    let big = estate(10_000);
    let tags = std::collections::HashMap::new();
    let findings = |_: &MrkId| false;
    let facts = RowFacts {
        tags: &tags,
        findings: &findings,
    };
    let mut select = Vec::new();
    let queries = [
        (
            "search 'app-99'",
            RowQuery {
                search: "app-99".into(),
                ..RowQuery::default()
            },
        ),
        (
            "sort by a Region's cell",
            RowQuery {
                sort: SortKey::Region(big.regions()[3]),
                ..RowQuery::default()
            },
        ),
    ];
    for (name, query) in &queries {
        let mut total = Duration::ZERO;
        let mut runs = 0u64;
        criterion.bench_function(&format!("rows at 10,000 families: {name}"), |b| {
            b.iter_custom(|iters| {
                let started = Instant::now();
                for _ in 0..iters {
                    std::hint::black_box(select_rows(&big, query, &facts));
                }
                let elapsed = started.elapsed();
                total += elapsed;
                runs += iters;
                elapsed
            })
        });
        select.push((*name, total.as_secs_f64() / runs.max(1) as f64));
    }
    // The coverage summary under the Region headers is recounted once per estate, baseline or
    // known-tags change, on the UI thread: what one recount costs at 10,000 families.
    let baseline = kms_replica_console::domain::baseline::Baseline {
        require_regions: big.regions()[..2].to_vec(),
        allow_regions: Some(big.regions()[..30].to_vec()),
        rules: vec![],
        replicas: Default::default(),
    };
    let mut total = Duration::ZERO;
    let mut runs = 0u64;
    criterion.bench_function("coverage summary at 10,000 families", |b| {
        b.iter_custom(|iters| {
            let started = Instant::now();
            for _ in 0..iters {
                std::hint::black_box(kms_replica_console::domain::coverage::region_coverage(
                    &big, &baseline, &tags,
                ));
            }
            let elapsed = started.elapsed();
            total += elapsed;
            runs += iters;
            elapsed
        })
    });
    select.push((
        "coverage summary recount",
        total.as_secs_f64() / runs.max(1) as f64,
    ));
    for (name, seconds) in select {
        println!(
            "rows at 10,000 families, {name}: {:.2} ms once per change = {:.2} of a 60 Hz frame",
            seconds * 1e3,
            seconds / (1.0 / 60.0)
        );
    }
    if let [small, large] = mean[..] {
        println!(
            "grid frame (layout + tessellation), {} × {} px window, 34 Regions, one run:\n  \
             frame(10,000) / frame(100) = {:.2}; frame(10,000) = {:.2} ms, frame(100) = {:.2} ms",
            WINDOW.x,
            WINDOW.y,
            large / small,
            large * 1e3,
            small * 1e3
        );
    }
    criterion.final_summary();
}
