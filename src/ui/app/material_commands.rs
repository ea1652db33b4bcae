//! The commands on imported key material: open the import or a deletion's confirmation, and
//! start the confirmed call (the family's properties are read again once it has landed).

use std::path::PathBuf;

use super::App;
use crate::domain::material::{Expiry, KeyMaterial};
use crate::domain::{MrkId, Region};
use crate::ui::import_dialog::ImportDialog;
use crate::ui::material_delete_dialog::MaterialDeleteDialog;

impl App {
    pub(super) fn open_import(&mut self, id: MrkId) {
        if !self.options.read_only {
            self.import_dialog = Some(ImportDialog::new(id));
        }
    }

    pub(super) fn confirm_delete_material(
        &mut self,
        id: MrkId,
        region: Region,
        material: KeyMaterial,
    ) {
        if !self.options.read_only {
            self.material_delete_dialog = Some(MaterialDeleteDialog::new(id, region, material));
        }
    }

    pub(super) fn delete_material(&mut self, id: MrkId, region: Region, material_id: String) {
        if self
            .work
            .inventory
            .delete_material(&self.runner, &id, region, material_id)
        {
            self.reread_after.push((id, region));
        }
    }

    /// Starts the import; every Region of the family is read again once it has landed.
    pub(super) fn import_material(&mut self, id: MrkId, path: PathBuf, expiry: Expiry) {
        if !self
            .work
            .inventory
            .import_material(&self.runner, &id, path, expiry)
        {
            return;
        }
        let regions: Vec<Region> = self
            .work
            .inventory
            .estate()
            .family(&id)
            .map(|f| f.described().map(|k| k.region).collect())
            .unwrap_or_default();
        self.reread_after
            .extend(regions.into_iter().map(|r| (id.clone(), r)));
    }
}
