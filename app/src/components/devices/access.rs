//! The device form's "Access groups": which groups hold the device, for admins.

use cloudshell::models::users::{GroupView, NamedId};
use leptos::prelude::*;

use crate::api::devices::set_device_groups;
use crate::api::users::list_groups;
use crate::error::AppError;

#[derive(Clone, Copy)]
pub struct DeviceAccess {
    groups: RwSignal<Vec<GroupView>>,
    pub chosen: RwSignal<Vec<i64>>,
    /// What the device was in when the form opened, to save only a change.
    before: StoredValue<Vec<i64>>,
    pub loaded: RwSignal<bool>,
}

impl DeviceAccess {
    /// Loads the groups for an admin; for anyone else stays empty and saves nothing.
    pub fn load(device: Option<i64>, is_admin: bool) -> Self {
        let access = Self {
            groups: RwSignal::new(Vec::new()),
            chosen: RwSignal::new(Vec::new()),
            before: StoredValue::new(Vec::new()),
            loaded: RwSignal::new(false),
        };
        if is_admin {
            leptos::task::spawn_local(async move {
                let Ok(groups) = list_groups().await else {
                    return;
                };
                let holding: Vec<i64> = device
                    .map(|id| {
                        groups
                            .iter()
                            .filter(|g| g.devices.iter().any(|d| d.id == id))
                            .map(|g| g.id)
                            .collect()
                    })
                    .unwrap_or_default();
                // The dialog may have closed meanwhile.
                if access.groups.try_set(groups).is_some() {
                    return;
                }
                access.before.set_value(holding.clone());
                access.chosen.set(holding);
                access.loaded.set(true);
            });
        }
        access
    }

    pub fn names(self) -> Signal<Vec<NamedId>> {
        Signal::derive(move || {
            self.groups
                .get()
                .into_iter()
                .map(|g| NamedId {
                    id: g.id,
                    name: g.name,
                })
                .collect()
        })
    }

    /// Puts the device in the chosen groups, if they changed.
    pub async fn save(self, device: i64) -> Result<(), AppError> {
        if !self.loaded.get_untracked() {
            return Ok(());
        }
        let mut chosen = self.chosen.get_untracked();
        let mut before = self.before.get_value();
        chosen.sort_unstable();
        before.sort_unstable();
        if chosen == before {
            return Ok(());
        }
        set_device_groups(device, chosen.clone()).await?;
        self.before.set_value(chosen);
        Ok(())
    }
}
