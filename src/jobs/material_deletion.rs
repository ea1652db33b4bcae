//! Deleting one key material of one key (the materials grid's **Delete…**, confirmed twice):
//! DeleteImportedKeyMaterial naming the material, then the family's keys described again (a
//! primary's pending material goes from its replicas too; a key that lost a current or older
//! material is PendingImport). Refused in read-only mode; journaled like every mutating call.

use super::action_state::{ActionPhase, CallRecord};
use super::inventory::Inventory;
use super::job_table::{Answer, Described, Done, Job};
use super::paced_reads::describe_each;
use super::runner::{Runner, problem_of};
use crate::domain::{MrkId, Region};

/// One material being deleted from the family's key in one Region.
pub struct MaterialDeletion {
    pub material_id: String,
    pub phase: ActionPhase,
}

impl MaterialDeletion {
    pub fn in_flight(&self) -> bool {
        matches!(self.phase, ActionPhase::Calling)
    }
}

impl Inventory {
    /// Starts deleting material `material_id` of the family's key in `region`. Refused in
    /// read-only mode, for another account's family, or while a deletion there is in flight.
    pub fn delete_material(
        &mut self,
        runner: &Runner,
        id: &MrkId,
        region: Region,
        material_id: String,
    ) -> bool {
        if self.read_only {
            tracing::warn!("read-only mode: refused DeleteImportedKeyMaterial in {region}");
            return false;
        }
        let slot = (id.clone(), region);
        if self
            .material_deletions
            .get(&slot)
            .is_some_and(MaterialDeletion::in_flight)
            || !self.in_own_account(id)
        {
            return false;
        }
        let Some(family) = self.estate.family(id) else {
            return false;
        };
        let regions: Vec<Region> = family.described().map(|k| k.region).collect();
        if !regions.contains(&region) {
            return false;
        }
        let clients = self.clients.clone();
        let (key_id, material) = (id.clone(), material_id.clone());
        let started = self.jobs.start(
            runner,
            Job::DeleteMaterial(id.clone(), region),
            async move {
                let answer = async {
                    let request_id = clients
                        .client(region)
                        .delete_material(&key_id, &material)
                        .await?;
                    let family = regions.iter().map(|r| (key_id.clone(), *r)).collect();
                    Ok((request_id, describe_each(clients.clone(), family).await))
                }
                .await;
                Done::MaterialDeleted {
                    id: key_id,
                    region,
                    answer: Ok(answer),
                }
            },
        );
        if started {
            self.material_deletions.insert(
                slot,
                MaterialDeletion {
                    material_id,
                    phase: ActionPhase::Calling,
                },
            );
        }
        started
    }

    pub fn material_deletion(&self, id: &MrkId, region: Region) -> Option<&MaterialDeletion> {
        self.material_deletions.get(&(id.clone(), region))
    }

    /// DeleteImportedKeyMaterial answered: journaled, and the keys as KMS now describes them.
    pub(super) fn on_material_deleted(
        &mut self,
        runner: &Runner,
        id: MrkId,
        region: Region,
        answer: Answer<(Option<String>, Described)>,
    ) {
        let Some(deletion) = self.material_deletions.get_mut(&(id.clone(), region)) else {
            return;
        };
        let parameters = serde_json::json!({ "KeyMaterialId": deletion.material_id });
        let outcome = problem_of(answer);
        deletion.phase = match &outcome {
            Ok(_) => ActionPhase::Done,
            Err(problem) => ActionPhase::Failed(problem.clone()),
        };
        let result = outcome
            .as_ref()
            .map(|_| format!("deleted key material {}", deletion.material_id))
            .map_err(Clone::clone);
        let (request_id, described) = outcome.unwrap_or_default();
        self.upsert_described(runner, described);
        self.record(CallRecord {
            key_id: id,
            region,
            operation: "DeleteImportedKeyMaterial",
            parameters,
            result,
            request_id,
        });
    }
}
