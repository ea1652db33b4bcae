//! Importing key material into a family (**Import material…**): the material file read here,
//! NEW into the primary, then the same material as EXISTING into each replica, naming the ID
//! the primary returned, each replica checked to return the same ID. Refused in read-only
//! mode; every call journaled (what was asked, never the material); the material wiped after.

use std::path::PathBuf;

use zeroize::Zeroizing;

use super::action_state::CallRecord;
use super::inventory::Inventory;
use super::job_table::{Described, Done, Job};
use super::paced_reads::describe_each;
use super::runner::Runner;
use crate::aws::{AwsClients, KmsError, MaterialImported};
use crate::domain::material::{Expiry, ImportStep};
use crate::domain::problem::Problem;
use crate::domain::{KeyState, MrkId, Region, Role};

/// Symmetric key material is 256 bits.
pub const MATERIAL_BYTES: usize = 32;

/// One Region's import: the step asked and what KMS answered.
#[derive(Debug, Clone)]
pub struct RegionImport {
    pub region: Region,
    pub step: ImportStep,
    pub result: Result<MaterialImported, Problem>,
}

/// What the import job answers: each Region's import, and the keys as KMS now describes them.
pub type ImportAnswer = Result<(Vec<RegionImport>, Described), MaterialFileError>;

/// Why the material file cannot be imported: nothing was called.
#[derive(Debug, thiserror::Error)]
pub enum MaterialFileError {
    #[error("{path} could not be read: {source}")]
    Unreadable {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path} does not hold exactly {MATERIAL_BYTES} bytes: symmetric key material is {MATERIAL_BYTES} raw bytes (256 bits), not encoded"
    )]
    WrongLength { path: String },
}

/// Where an import into a family stands.
#[derive(Debug, Clone)]
pub enum MaterialImport {
    Running,
    /// The material file could not be used: nothing was called.
    Refused(String),
    Done(Vec<RegionImport>),
}

/// The material in `path`: exactly 32 bytes, read once and wiped when dropped. At most one
/// byte more is read, so a wrong path (a device, a large file) is refused at once.
pub fn read_material(path: &std::path::Path) -> Result<Zeroizing<Vec<u8>>, MaterialFileError> {
    use std::io::Read as _;
    let cannot = |source| MaterialFileError::Unreadable {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Zeroizing::new(Vec::with_capacity(MATERIAL_BYTES + 1));
    file.take(MATERIAL_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() != MATERIAL_BYTES {
        return Err(MaterialFileError::WrongLength {
            path: path.display().to_string(),
        });
    }
    Ok(bytes)
}

/// NEW into `primary`, then EXISTING into every replica (all at once), each replica's returned
/// ID checked against the primary's. A failed primary stops before any replica is called.
pub async fn import_into_family(
    clients: &AwsClients,
    id: &MrkId,
    primary: Region,
    replicas: &[Region],
    material: &Zeroizing<Vec<u8>>,
    expiry: Expiry,
) -> Vec<RegionImport> {
    let first = clients
        .client(primary)
        .import_material(id, material, &ImportStep::New, expiry)
        .await
        .map_err(|e| e.to_problem());
    let material_id = first.as_ref().ok().map(|m| m.material_id.clone());
    let mut out = vec![RegionImport {
        region: primary,
        step: ImportStep::New,
        result: first,
    }];
    let Some(material_id) = material_id else {
        return out;
    };
    let step = ImportStep::Existing {
        material_id: material_id.clone(),
    };
    let calls = replicas.iter().map(|&region| {
        let step = step.clone();
        let expected = material_id.clone();
        async move {
            let result = clients
                .client(region)
                .import_material(id, material, &step, expiry)
                .await
                .and_then(|m| same_material(region, &expected, m))
                .map_err(|e| e.to_problem());
            RegionImport {
                region,
                step,
                result,
            }
        }
    });
    out.extend(futures::future::join_all(calls).await);
    out
}

/// A replica that answered with another material ID did not take the primary's material.
fn same_material(
    region: Region,
    expected: &str,
    got: MaterialImported,
) -> Result<MaterialImported, KmsError> {
    match got.material_id == expected {
        true => Ok(got),
        false => Err(KmsError::Other {
            region,
            detail: format!(
                "KMS returned key material {} where the primary's is {expected}: this is not the primary's material",
                got.material_id
            ),
        }),
    }
}

impl Inventory {
    /// Starts importing the material in `path` into family `id`. Refused in read-only mode,
    /// for another account's family, while an import into it runs, or when the family's
    /// primary is not an Enabled key here. Returns whether it started.
    pub fn import_material(
        &mut self,
        runner: &Runner,
        id: &MrkId,
        path: PathBuf,
        expiry: Expiry,
    ) -> bool {
        if self.read_only {
            tracing::warn!("read-only mode: refused ImportKeyMaterial into {id}");
            return false;
        }
        if matches!(self.material_imports.get(id), Some(MaterialImport::Running)) {
            return false;
        }
        if !self.in_own_account(id) {
            self.material_imports.insert(
                id.clone(),
                MaterialImport::Refused(
                    "the family is in another account: work in that account first".into(),
                ),
            );
            return false;
        }
        let Some(family) = self.estate.family(id) else {
            return false;
        };
        let Some(primary) = family
            .described()
            .find(|k| k.role() == Role::Primary && k.state == KeyState::Enabled)
            .map(|k| k.region)
        else {
            // Said where the dialog shows it: nothing was called.
            self.material_imports.insert(
                id.clone(),
                MaterialImport::Refused("the family's primary is not an Enabled key here".into()),
            );
            return false;
        };
        let replicas: Vec<Region> = family
            .described()
            .filter(|k| k.role() == Role::Replica)
            .map(|k| k.region)
            .collect();
        let clients = self.clients.clone();
        let key_id = id.clone();
        let started = self
            .jobs
            .start(runner, Job::ImportMaterial(id.clone()), async move {
                let answer = match read_material(&path) {
                    Err(why) => Err(why),
                    Ok(material) => {
                        let steps = import_into_family(
                            &clients, &key_id, primary, &replicas, &material, expiry,
                        )
                        .await;
                        drop(material);
                        let changed = steps.iter().map(|s| (key_id.clone(), s.region)).collect();
                        Ok((steps, describe_each(clients, changed).await))
                    }
                };
                Done::MaterialImported {
                    id: key_id,
                    answer: Ok(answer),
                }
            });
        if started {
            self.material_imports
                .insert(id.clone(), MaterialImport::Running);
        }
        started
    }

    pub fn material_import(&self, id: &MrkId) -> Option<&MaterialImport> {
        self.material_imports.get(id)
    }

    /// The import answered: each Region's call journaled, the families re-read.
    pub(super) fn on_material_imported(
        &mut self,
        runner: &Runner,
        id: MrkId,
        answer: Result<ImportAnswer, super::runner::Panicked>,
    ) {
        let state = match answer {
            Err(panicked) => MaterialImport::Refused(panicked.to_string()),
            Ok(Err(why)) => MaterialImport::Refused(why.to_string()),
            Ok(Ok((steps, described))) => {
                for step in &steps {
                    self.record(CallRecord {
                        key_id: id.clone(),
                        region: step.region,
                        operation: "ImportKeyMaterial",
                        parameters: import_parameters(step),
                        result: match &step.result {
                            Ok(m) => Ok(format!("imported key material {}", m.material_id)),
                            Err(p) => Err(p.clone()),
                        },
                        request_id: step.result.as_ref().ok().and_then(|m| m.request_id.clone()),
                    });
                }
                self.upsert_described(runner, described);
                MaterialImport::Done(steps)
            }
        };
        self.material_imports.insert(id, state);
    }
}

/// What the journal keeps of an ImportKeyMaterial: the import type and material ID (never
/// the material, wrapped or not, nor the import token).
fn import_parameters(step: &RegionImport) -> serde_json::Value {
    match &step.step {
        ImportStep::New => serde_json::json!({ "ImportType": "NEW_KEY_MATERIAL" }),
        ImportStep::Existing { material_id } => serde_json::json!({
            "ImportType": "EXISTING_KEY_MATERIAL",
            "KeyMaterialId": material_id,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn material_of_another_length_or_a_device_is_refused_without_reading_it_all() {
        let dir = std::env::temp_dir().join(format!("material-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let short = dir.join("short.bin");
        std::fs::write(&short, [1u8; 31]).unwrap();
        let refused = read_material(&short)
            .map_err(|e| e.to_string())
            .unwrap_err();
        assert!(refused.contains("exactly 32 bytes"), "{refused}");
        let good = dir.join("good.bin");
        std::fs::write(&good, [1u8; 32]).unwrap();
        assert_eq!(read_material(&good).unwrap().len(), 32);
        assert!(read_material(std::path::Path::new("/dev/zero")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
