//! A literal estate for the panels' tests, with no simulator and no inventory: one family whose
//! primary is in us-east-1 with a replica in eu-west-1, and nothing yet in ap-southeast-2 (every
//! Region read).

use crate::domain::test_keys::{ID, key};
use crate::domain::{Estate, KeyEntry, MrkId, Region, RegionScan, Role};

pub const PRIMARY: &str = "us-east-1";
pub const REPLICA: &str = "eu-west-1";
pub const EMPTY: &str = "ap-southeast-2";

pub fn region(name: &str) -> Region {
    name.parse().unwrap_or_else(|e| panic!("{e}"))
}

pub fn family_id() -> MrkId {
    MrkId::parse(ID).unwrap_or_else(|| unreachable!("the fixture's ID is an mrk- ID"))
}

/// The estate as three scans would leave it.
pub fn one_family() -> Estate {
    let mut estate = Estate::new(vec![region(PRIMARY), region(REPLICA), region(EMPTY)]);
    let keys = [
        (PRIMARY, key(PRIMARY, Role::Primary, PRIMARY, &[REPLICA])),
        (REPLICA, key(REPLICA, Role::Replica, PRIMARY, &[REPLICA])),
    ];
    for (name, info) in keys {
        let scan = RegionScan {
            keys: vec![KeyEntry::Described(Box::new(info))],
            aliases: vec![("alias/payments".into(), ID.into())],
        };
        estate.apply_scan(region(name), scan);
    }
    estate.apply_scan(region(EMPTY), RegionScan::default());
    estate
}

/// A window of the app over `estate`, as the app shows it each frame, with the commands it
/// emits as the harness's state.
pub fn window_harness<W: crate::ui::window::Window + 'static>(
    mut window: W,
    estate: Estate,
    read_only: bool,
    size: egui::Vec2,
) -> egui_kittest::Harness<'static, Vec<crate::ui::Command>> {
    egui_kittest::Harness::builder()
        .with_size(size)
        .build_ui_state(
            move |ui, commands: &mut Vec<crate::ui::Command>| {
                let ctx = ui.ctx().clone();
                let view = crate::ui::window::WindowView {
                    estate_view: &estate,
                    read_only,
                };
                let _ = window.show(&ctx, &view, commands);
            },
            Vec::new(),
        )
}
