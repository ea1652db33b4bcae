//! The lifecycle calls on one key: EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion,
//! UpdatePrimaryRegion, and the rotation calls on a primary.

use aws_sdk_kms::operation::RequestId;

use super::{KmsError, RegionClient};
use crate::domain::MrkId;
use crate::domain::lifecycle::KeyAction;

impl RegionClient {
    /// Makes the call for `action` on `key_id` in this client's Region, and returns KMS's request
    /// ID for the journal. For a promotion, this client must be the *primary's* Region and
    /// `new_primary` the replica's.
    pub async fn key_action(
        &self,
        key_id: &MrkId,
        action: KeyAction,
        new_primary: Option<&str>,
    ) -> Result<Option<String>, KmsError> {
        let id = key_id.as_str();
        let region = self.region();
        let sdk = self.sdk();
        match action {
            KeyAction::Enable => sdk
                .enable_key()
                .key_id(id)
                .send()
                .await
                .map(|out| out.request_id().map(str::to_string))
                .map_err(|e| KmsError::from_sdk(region, e)),
            KeyAction::Disable => sdk
                .disable_key()
                .key_id(id)
                .send()
                .await
                .map(|out| out.request_id().map(str::to_string))
                .map_err(|e| KmsError::from_sdk(region, e)),
            KeyAction::ScheduleDeletion { days } => sdk
                .schedule_key_deletion()
                .key_id(id)
                .pending_window_in_days(days)
                .send()
                .await
                .map(|out| out.request_id().map(str::to_string))
                .map_err(|e| KmsError::from_sdk(region, e)),
            KeyAction::CancelDeletion => sdk
                .cancel_key_deletion()
                .key_id(id)
                .send()
                .await
                .map(|out| out.request_id().map(str::to_string))
                .map_err(|e| KmsError::from_sdk(region, e)),
            KeyAction::Promote => sdk
                .update_primary_region()
                .key_id(id)
                .set_primary_region(new_primary.map(str::to_string))
                .send()
                .await
                .map(|out| out.request_id().map(str::to_string))
                .map_err(|e| KmsError::from_sdk(region, e)),
            KeyAction::EnableRotation { days } => self.set_rotation(key_id, Some(days)).await,
            KeyAction::DisableRotation => self.set_rotation(key_id, None).await,
            KeyAction::RotateNow => self.rotate_on_demand(key_id).await,
        }
    }
}
