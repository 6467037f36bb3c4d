//! Access groups: a member may use every device of their groups. Created, renamed, filled
//! and deleted by admins; every change is audited with the names involved.

use std::collections::HashMap;

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
        let users: HashMap<i64, String> = user::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.username))
            .collect();
        let devices: HashMap<i64, String> = device::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
        let mut views: Vec<GroupView> = access_group::Entity::find()
            .order_by_asc(access_group::Column::Name)
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
        let index: HashMap<i64, usize> = views.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
        for m in access_group_member::Entity::find().all(&self.db).await? {
            if let (Some(&i), Some(name)) = (index.get(&m.group_id), users.get(&m.user_id)) {
                views[i].members.push(NamedId {
                    id: m.user_id,
                    name: name.clone(),
                });
            }
        }
        for d in access_group_device::Entity::find().all(&self.db).await? {
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

    async fn group(&self, id: i64) -> Result<GroupView, UserError> {
        self.list_groups()
            .await?
            .into_iter()
            .find(|g| g.id == id)
            .ok_or(UserError::NotFound)
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
        let mut users = names_of::<user::Entity>(&txn, &change.add_members).await?;
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
        let mut devices = names_of::<device::Entity>(&txn, &change.add_devices).await?;
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

/// Users or devices named by `ids` that exist, with their names; unknown ids are refused.
async fn names_of<E>(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<NamedId>, UserError>
where
    E: EntityTrait,
    E::Model: Named,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<i64>,
{
    let mut found = Vec::with_capacity(ids.len());
    let mut seen = std::collections::HashSet::new();
    for &id in ids {
        if !seen.insert(id) {
            continue;
        }
        let model = E::find_by_id(id).one(db).await?.ok_or(UserError::Invalid(
            "group",
            "a chosen user or device no longer exists",
        ))?;
        found.push(NamedId {
            id,
            name: model.name().to_owned(),
        });
    }
    Ok(found)
}

trait Named {
    fn name(&self) -> &str;
}

impl Named for user::Model {
    fn name(&self) -> &str {
        &self.username
    }
}

impl Named for device::Model {
    fn name(&self) -> &str {
        &self.name
    }
}

/// Adds links that are not there yet (adding twice is not an error).
async fn link_members(
    db: &impl ConnectionTrait,
    group: i64,
    users: &[NamedId],
) -> Result<(), DbErr> {
    for u in users {
        if access_group_member::Entity::find_by_id((group, u.id))
            .one(db)
            .await?
            .is_none()
        {
            access_group_member::ActiveModel {
                group_id: Set(group),
                user_id: Set(u.id),
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

async fn link_devices(
    db: &impl ConnectionTrait,
    group: i64,
    devices: &[NamedId],
) -> Result<(), DbErr> {
    for d in devices {
        if access_group_device::Entity::find_by_id((group, d.id))
            .one(db)
            .await?
            .is_none()
        {
            access_group_device::ActiveModel {
                group_id: Set(group),
                device_id: Set(d.id),
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}
