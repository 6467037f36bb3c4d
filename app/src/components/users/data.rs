//! The lists the Users modal shows, loaded together and reloaded after every change.

use cloudshell::models::users::{GroupView, NamedId, UserView};
use leptos::prelude::*;

use crate::api::devices::list_devices;
use crate::api::users::{list_groups, list_users};
use crate::error::AppError;
use crate::nav::go_to;

#[derive(Clone, Copy)]
pub struct UsersData {
    pub users: RwSignal<Option<Vec<UserView>>>,
    pub groups: RwSignal<Option<Vec<GroupView>>>,
    pub devices: RwSignal<Vec<NamedId>>,
    pub error: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    /// Increases with every reload; a late answer to an older one is dropped.
    generation: StoredValue<u64>,
}

impl UsersData {
    pub fn new() -> Self {
        Self {
            users: RwSignal::new(None),
            groups: RwSignal::new(None),
            devices: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            loading: RwSignal::new(false),
            generation: StoredValue::new(0),
        }
    }

    pub fn reload(self) {
        self.loading.set(true);
        self.generation.update_value(|g| *g += 1);
        let mine = self.generation.get_value();
        leptos::task::spawn_local(async move {
            let (users, groups, devices) = (
                list_users().await,
                list_groups().await,
                list_devices().await,
            );
            // The modal may have closed meanwhile, or a newer reload started.
            if self.generation.try_get_value() != Some(mine) {
                return;
            }
            self.loading.set(false);
            match (users, groups, devices) {
                (Ok(users), Ok(groups), Ok(devices)) => {
                    self.users.set(Some(users));
                    self.groups.set(Some(groups));
                    self.devices.set(
                        devices
                            .into_iter()
                            .map(|d| NamedId {
                                id: d.id,
                                name: d.name,
                            })
                            .collect(),
                    );
                    self.error.set(None);
                }
                (Err(AppError::Unauthorized), _, _) => go_to("/login"),
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                    self.error.set(Some(e.to_string()));
                }
            }
        });
    }

    /// Every group as (id, name), for pickers.
    pub fn group_names(self) -> Vec<NamedId> {
        self.groups
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|g| NamedId {
                id: g.id,
                name: g.name,
            })
            .collect()
    }

    pub fn user_names(self) -> Vec<NamedId> {
        self.users
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|u| NamedId {
                id: u.id,
                name: u.username,
            })
            .collect()
    }
}
