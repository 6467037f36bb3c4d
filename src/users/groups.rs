//! Access groups: a member may use every device of their groups. Created, renamed, filled
//! and deleted by admins; every change is audited with the names involved.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};
use time::OffsetDateTime;

use super::{UserError, UserService};
use crate::audit::Actor;
use crate::db::entities::{access_group, access_group_device, access_group_member, device, user};
use crate::models::users::{GroupChange, GroupView, MAX_IDS_PER_CHANGE, NamedId, check_group_name};
use crate::models::{AuditAction, AuditOutcome};

impl UserService {
    /// Every group, sorted by name, with its members and devices.
    pub async fn list_groups(&self) -> Result<Vec<GroupView>, UserError> {
        self.load_groups(None).await
    }

    /// One group, read alone: changes read it before and after, so they do not load them all.
    async fn group(&self, id: i64) -> Result<GroupView, UserError> {
        self.load_groups(Some(id))
            .await?
            .pop()
            .ok_or(UserError::NotFound)
    }

    /// Every group, or only `only`, with the names of just the users and devices they hold.
    async fn load_groups(&self, only: Option<i64>) -> Result<Vec<GroupView>, UserError> {
        let mut groups = access_group::Entity::find().order_by_asc(access_group::Column::Name);
        let mut members = access_group_member::Entity::find();
        let mut links = access_group_device::Entity::find();
        if let Some(id) = only {
            groups = groups.filter(access_group::Column::Id.eq(id));
            members = members.filter(access_group_member::Column::GroupId.eq(id));
            links = links.filter(access_group_device::Column::GroupId.eq(id));
        }
        let mut views: Vec<GroupView> = groups
            .all(&self.db)
            .await?
            .into_iter()
            .map(|g| GroupView {
                id: g.id,
                name: g.name,
                members: Vec::new(),
                devices: Vec::new(),
            })
            .collect();
        let members = members.all(&self.db).await?;
        let links = links.all(&self.db).await?;
        let users = user_names(&self.db, members.iter().map(|m| m.user_id)).await?;
        let devices = device_names(&self.db, links.iter().map(|d| d.device_id)).await?;
        let index: HashMap<i64, usize> = views.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
        for m in members {
            if let (Some(&i), Some(name)) = (index.get(&m.group_id), users.get(&m.user_id)) {
                views[i].members.push(NamedId {
                    id: m.user_id,
                    name: name.clone(),
                });
            }
        }
        for d in links {
            if let (Some(&i), Some(name)) = (index.get(&d.group_id), devices.get(&d.device_id)) {
                views[i].devices.push(NamedId {
                    id: d.device_id,
                    name: name.clone(),
                });
            }
        }
        for v in &mut views {
            v.members.sort_by(|a, b| a.name.cmp(&b.name));
            v.devices.sort_by(|a, b| a.name.cmp(&b.name));
        }
        Ok(views)
    }

    pub async fn create_group(&self, actor: &Actor, name: &str) -> Result<GroupView, UserError> {
        check_group_name(name).map_err(|m| UserError::Invalid("name", m))?;
        let name = name.trim().to_owned();
        let _guard = self.changes.lock().await;
        if self.name_taken(&name, None).await? {
            return Err(UserError::Invalid("name", "is already taken"));
        }
        let now = OffsetDateTime::now_utc();
        let group = access_group::ActiveModel {
            name: Set(name.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(|e| {
            if super::queries::is_duplicate(&e) {
                UserError::Invalid("name", "is already taken")
            } else {
                e.into()
            }
        })?;
        self.record(
            actor,
            AuditAction::GroupCreated,
            format!("Created group {name}"),
        )
        .await?;
        self.group(group.id).await
    }

    /// Renames the group and adds or removes members and devices, in one transaction and
    /// one GROUP_UPDATED naming each change.
    pub async fn update_group(
        &self,
        actor: &Actor,
        id: i64,
        change: GroupChange,
    ) -> Result<GroupView, UserError> {
        if change.id_count() > MAX_IDS_PER_CHANGE {
            return Err(UserError::Invalid("group", "too many changes at once"));
        }
        let _guard = self.changes.lock().await;
        let before = self.group(id).await?;
        let mut said = Vec::new();
        let txn = self.db.begin().await?;
        if let Some(name) = change.name.as_deref().map(str::trim)
            && name != before.name
        {
            check_group_name(name).map_err(|m| UserError::Invalid("name", m))?;
            if self.name_taken(name, Some(id)).await? {
                return Err(UserError::Invalid("name", "is already taken"));
            }
            let mut active: access_group::ActiveModel = access_group::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .ok_or(UserError::NotFound)?
                .into();
            active.name = Set(name.to_owned());
            active.updated_at = Set(OffsetDateTime::now_utc());
            active.update(&txn).await?;
            said.push(format!("renamed {} → {name}", before.name));
        }
        let mut users = named(
            &change.add_members,
            user_names(&txn, change.add_members.iter().copied()).await?,
        )?;
        users.retain(|u| !before.members.iter().any(|m| m.id == u.id));
        link_members(&txn, id, &users).await?;
        said.extend(users.iter().map(|u| format!("added member {}", u.name)));
        for m in before
            .members
            .iter()
            .filter(|m| change.remove_members.contains(&m.id))
        {
            access_group_member::Entity::delete_by_id((id, m.id))
                .exec(&txn)
                .await?;
            said.push(format!("removed member {}", m.name));
        }
        let mut devices = named(
            &change.add_devices,
            device_names(&txn, change.add_devices.iter().copied()).await?,
        )?;
        devices.retain(|d| !before.devices.iter().any(|b| b.id == d.id));
        link_devices(&txn, id, &devices).await?;
        said.extend(devices.iter().map(|d| format!("added device {}", d.name)));
        for d in before
            .devices
            .iter()
            .filter(|d| change.remove_devices.contains(&d.id))
        {
            access_group_device::Entity::delete_by_id((id, d.id))
                .exec(&txn)
                .await?;
            said.push(format!("removed device {}", d.name));
        }
        txn.commit().await?;
        let after = self.group(id).await?;
        if !said.is_empty() {
            let detail = format!("Updated group {}: {}", after.name, said.join("; "));
            self.record(actor, AuditAction::GroupUpdated, detail)
                .await?;
        }
        Ok(after)
    }

    /// Puts the device in exactly `groups`: one GROUP_UPDATED for each group it joins or
    /// leaves (the device form's "Access groups").
    pub async fn set_device_groups(
        &self,
        actor: &Actor,
        device_id: i64,
        groups: &[i64],
    ) -> Result<(), UserError> {
        if groups.len() > MAX_IDS_PER_CHANGE {
            return Err(UserError::Invalid(
                "groups",
                "too many groups in one change",
            ));
        }
        let all = self.list_groups().await?;
        if groups.iter().any(|id| !all.iter().any(|g| g.id == *id)) {
            return Err(UserError::Invalid(
                "groups",
                "a chosen group no longer exists",
            ));
        }
        for group in all {
            let has = group.devices.iter().any(|d| d.id == device_id);
            let wants = groups.contains(&group.id);
            let change = match (has, wants) {
                (false, true) => GroupChange {
                    add_devices: vec![device_id],
                    ..Default::default()
                },
                (true, false) => GroupChange {
                    remove_devices: vec![device_id],
                    ..Default::default()
                },
                _ => continue,
            };
            self.update_group(actor, group.id, change).await?;
        }
        Ok(())
    }

    pub async fn delete_group(&self, actor: &Actor, id: i64) -> Result<(), UserError> {
        let _guard = self.changes.lock().await;
        let group = self.group(id).await?;
        access_group::Entity::delete_by_id(id)
            .exec(&self.db)
            .await?;
        let list = |items: &[NamedId]| {
            if items.is_empty() {
                "none".to_owned()
            } else {
                super::names(items)
            }
        };
        let detail = format!(
            "Deleted group {}; members: {}; devices: {}",
            group.name,
            list(&group.members),
            list(&group.devices)
        );
        self.record(actor, AuditAction::GroupDeleted, detail).await
    }

    async fn name_taken(&self, name: &str, except: Option<i64>) -> Result<bool, DbErr> {
        let mut query = access_group::Entity::find().filter(access_group::Column::Name.eq(name));
        if let Some(id) = except {
            query = query.filter(access_group::Column::Id.ne(id));
        }
        Ok(query.one(&self.db).await?.is_some())
    }

    async fn record(
        &self,
        actor: &Actor,
        action: AuditAction,
        detail: String,
    ) -> Result<(), UserError> {
        self.auditor
            .record_durable(actor.event(action, detail).outcome(AuditOutcome::Success))
            .await
            .map_err(crate::auth::AuthError::from)?;
        Ok(())
    }
}

/// The usernames of these user ids (one query).
async fn user_names(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, String>, DbErr> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.collect::<HashSet<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect())
}

/// The names of these device ids (one query).
async fn device_names(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, String>, DbErr> {
    Ok(device::Entity::find()
        .filter(device::Column::Id.is_in(ids.collect::<HashSet<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect())
}

/// `ids` (once each, in order) with their names; an id that no longer exists is refused.
fn named(ids: &[i64], names: HashMap<i64, String>) -> Result<Vec<NamedId>, UserError> {
    let mut seen = HashSet::new();
    ids.iter()
        .filter(|id| seen.insert(**id))
        .map(|&id| {
            names
                .get(&id)
                .map(|name| NamedId {
                    id,
                    name: name.clone(),
                })
                .ok_or(UserError::Invalid(
                    "group",
                    "a chosen user or device no longer exists",
                ))
        })
        .collect()
}

/// Links the group to users not yet in it (the caller left out those already there).
async fn link_members(
    db: &impl ConnectionTrait,
    group: i64,
    users: &[NamedId],
) -> Result<(), DbErr> {
    if users.is_empty() {
        return Ok(());
    }
    access_group_member::Entity::insert_many(users.iter().map(|u| {
        access_group_member::ActiveModel {
            group_id: Set(group),
            user_id: Set(u.id),
        }
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// Links the group to devices not yet in it (the caller left out those already there).
async fn link_devices(
    db: &impl ConnectionTrait,
    group: i64,
    devices: &[NamedId],
) -> Result<(), DbErr> {
    if devices.is_empty() {
        return Ok(());
    }
    access_group_device::Entity::insert_many(devices.iter().map(|d| {
        access_group_device::ActiveModel {
            group_id: Set(group),
            device_id: Set(d.id),
        }
    }))
    .exec(db)
    .await?;
    Ok(())
}
