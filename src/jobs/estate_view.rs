//! `EstateView`: what a panel reads of one account — its estate, and where each piece of work
//! on it stands — and nothing it could change. The inventory is one; a bare `Estate` is another
//! (no work under way), so a panel's test builds its state from a literal, with no simulator.

use super::action_state::{ActionJob, ActionRecord};
use super::grant_copy::GrantCopy;
use super::inventory::Inventory;
use super::replicate::state::ReplicaJob;
use super::usage_reads::UsageCell;
use crate::domain::account::account_of_arn;
use crate::domain::{Estate, MrkId, Region};

pub trait EstateView {
    fn estate(&self) -> &Estate;

    /// The replication into `region` of the family, when one was started this session.
    fn replica_job(&self, _id: &MrkId, _region: Region) -> Option<&ReplicaJob> {
        None
    }

    /// The lifecycle action on the family's key in `region`, when one was started.
    fn action_job(&self, _id: &MrkId, _region: Region) -> Option<&ActionJob> {
        None
    }

    /// The grant copy into `region`, when one was started.
    fn grant_copy(&self, _id: &MrkId, _region: Region) -> Option<&GrantCopy> {
        None
    }

    /// The material import into the family, when one was started.
    fn material_import(&self, _id: &MrkId) -> Option<&super::material_import::MaterialImport> {
        None
    }

    /// The deletion of a key material of the family's key in `region`, when one was started.
    fn material_deletion(
        &self,
        _id: &MrkId,
        _region: Region,
    ) -> Option<&super::material_deletion::MaterialDeletion> {
        None
    }

    /// A Region's scan in flight: `(described, listed)` once listing is done.
    fn progress(&self, _region: Region) -> Option<Option<(usize, usize)>> {
        None
    }

    fn is_scanning(&self) -> bool {
        false
    }

    /// A key's last usage, when it was read.
    fn key_usage(&self, _id: &MrkId, _region: Region) -> Option<&UsageCell> {
        None
    }

    /// Whether a key's last usage is waiting to be read or being read.
    fn usage_pending(&self, _id: &MrkId, _region: Region) -> bool {
        false
    }

    /// What this app did to the family, oldest first.
    fn actions_on(&self, _id: &MrkId) -> Vec<&ActionRecord> {
        Vec::new()
    }

    /// How a confirmation names the account a call acts in: the key's own ARN says it when
    /// nothing else does.
    fn account_label(&self, arn: &str) -> String {
        account_of_arn(arn).unwrap_or("unknown").to_string()
    }

    /// True while a ReplicateKey or its watcher runs for that family and Region.
    fn replica_in_flight(&self, id: &MrkId, region: Region) -> bool {
        self.replica_job(id, region)
            .is_some_and(ReplicaJob::in_flight)
    }
}

/// An estate read, with no work under way.
impl EstateView for Estate {
    fn estate(&self) -> &Estate {
        self
    }
}

impl EstateView for Inventory {
    fn estate(&self) -> &Estate {
        Inventory::estate(self)
    }

    fn replica_job(&self, id: &MrkId, region: Region) -> Option<&ReplicaJob> {
        Inventory::replica_job(self, id, region)
    }

    fn action_job(&self, id: &MrkId, region: Region) -> Option<&ActionJob> {
        Inventory::action_job(self, id, region)
    }

    fn grant_copy(&self, id: &MrkId, region: Region) -> Option<&GrantCopy> {
        Inventory::grant_copy(self, id, region)
    }

    fn material_import(&self, id: &MrkId) -> Option<&super::material_import::MaterialImport> {
        Inventory::material_import(self, id)
    }

    fn material_deletion(
        &self,
        id: &MrkId,
        region: Region,
    ) -> Option<&super::material_deletion::MaterialDeletion> {
        Inventory::material_deletion(self, id, region)
    }

    fn key_usage(&self, id: &MrkId, region: Region) -> Option<&UsageCell> {
        Inventory::key_usage(self, id, region)
    }

    fn usage_pending(&self, id: &MrkId, region: Region) -> bool {
        Inventory::usage_pending(self, id, region)
    }

    fn progress(&self, region: Region) -> Option<Option<(usize, usize)>> {
        Inventory::progress(self, region)
    }

    fn is_scanning(&self) -> bool {
        Inventory::is_scanning(self)
    }

    fn actions_on(&self, id: &MrkId) -> Vec<&ActionRecord> {
        Inventory::actions_on(self, id).collect()
    }

    fn account_label(&self, arn: &str) -> String {
        Inventory::account_label(self, arn)
    }
}
