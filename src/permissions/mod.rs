//! Who may use which device, and the audit trail of refusals.
//!
//! Roles decide what kind of thing a user may do (`Role`); access groups decide which
//! devices an operator may use. Every route asks here, server-side; the UI only hides.

mod denials;

use std::sync::Arc;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

pub use denials::DenialLog;

use crate::audit::{Actor, Auditor};
use crate::db::entities::{access_group, access_group_device, access_group_member, user};
use crate::models::Role;
use crate::terminal::EndReason;

/// The devices a user may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceScope {
    /// Every device (admins).
    All,
    /// Only these (an operator's groups' devices), ascending, without repeats.
    Only(Vec<i64>),
}

impl DeviceScope {
    pub fn contains(&self, device_id: i64) -> bool {
        match self {
            DeviceScope::All => true,
            DeviceScope::Only(ids) => ids.binary_search(&device_id).is_ok(),
        }
    }
}

#[derive(Clone)]
pub struct Permissions {
    db: DatabaseConnection,
    auditor: Auditor,
    denials: Arc<DenialLog>,
}

impl Permissions {
    pub fn new(db: DatabaseConnection, auditor: Auditor) -> Self {
        Self {
            db,
            auditor,
            denials: Arc::new(DenialLog::default()),
        }
    }

    /// Whether this user may open terminals and files on `device_id`. One indexed query for
    /// an operator; none for the other roles.
    pub async fn may_use_device(
        &self,
        user_id: i64,
        role: Role,
        device_id: i64,
    ) -> Result<bool, DbErr> {
        match role {
            Role::Admin => Ok(true),
            Role::Auditor => Ok(false),
            Role::Operator => {
                let members = Alias::new("m");
                let devices = Alias::new("d");
                let query = Query::select()
                    .expr(Expr::val(1))
                    .from_as(access_group_member::Entity, members.clone())
                    .join_as(
                        JoinType::InnerJoin,
                        access_group_device::Entity,
                        devices.clone(),
                        Expr::col((devices.clone(), access_group_device::Column::GroupId))
                            .equals((members.clone(), access_group_member::Column::GroupId)),
                    )
                    .and_where(
                        Expr::col((members, access_group_member::Column::UserId)).eq(user_id),
                    )
                    .and_where(
                        Expr::col((devices, access_group_device::Column::DeviceId)).eq(device_id),
                    )
                    .limit(1)
                    .to_owned();
                Ok(self.db.query_one(&query).await?.is_some())
            }
        }
    }

    /// Every device this user may use: all for admins, their groups' for operators, none
    /// for auditors.
    pub async fn device_scope(&self, user_id: i64, role: Role) -> Result<DeviceScope, DbErr> {
        match role {
            Role::Admin => Ok(DeviceScope::All),
            Role::Auditor => Ok(DeviceScope::Only(Vec::new())),
            Role::Operator => {
                let groups = access_group_member::Entity::find()
                    .filter(access_group_member::Column::UserId.eq(user_id))
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .map(|m| m.group_id);
                let mut ids: Vec<i64> = access_group_device::Entity::find()
                    .filter(access_group_device::Column::GroupId.is_in(groups))
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .map(|d| d.device_id)
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                Ok(DeviceScope::Only(ids))
            }
        }
    }

    /// Of these (user, device) pairs with live sessions, those no longer allowed, and why:
    /// the account was deleted or disabled, its role uses no devices, or its groups no
    /// longer give the device.
    pub async fn revoked(
        &self,
        pairs: &[(String, i64)],
    ) -> Result<Vec<(String, i64, EndReason)>, DbErr> {
        use std::collections::HashMap;
        if pairs.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<&str> = pairs.iter().map(|(u, _)| u.as_str()).collect();
        let users: HashMap<String, user::Model> = user::Entity::find()
            .filter(user::Column::Username.is_in(names))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.username.clone(), u))
            .collect();
        let mut scopes: HashMap<i64, DeviceScope> = HashMap::new();
        let mut revoked = Vec::new();
        for (username, device) in pairs {
            let reason = match users.get(username) {
                None => Some(EndReason::AccountDeleted),
                Some(u) if u.disabled => Some(EndReason::AccountDisabled),
                Some(u) => match Role::parse(&u.role).filter(|r| r.uses_devices()) {
                    None => Some(EndReason::RoleChanged),
                    Some(role) => {
                        if let std::collections::hash_map::Entry::Vacant(slot) = scopes.entry(u.id)
                        {
                            slot.insert(self.device_scope(u.id, role).await?);
                        }
                        let allowed = scopes.get(&u.id).is_some_and(|s| s.contains(*device));
                        (!allowed).then_some(EndReason::AccessRevoked)
                    }
                },
            };
            if let Some(reason) = reason {
                revoked.push((username.clone(), *device, reason));
            }
        }
        Ok(revoked)
    }

    /// The access groups the sidebar shows this user, sorted by name: every group for an
    /// admin, their own for an operator, none for an auditor.
    pub async fn sidebar_groups(
        &self,
        user_id: i64,
        role: Role,
    ) -> Result<Vec<crate::models::users::DeviceGroup>, DbErr> {
        use sea_orm::QueryOrder;
        let mut query = access_group::Entity::find().order_by_asc(access_group::Column::Name);
        match role {
            Role::Admin => {}
            Role::Auditor => return Ok(Vec::new()),
            Role::Operator => {
                let mine: Vec<i64> = access_group_member::Entity::find()
                    .filter(access_group_member::Column::UserId.eq(user_id))
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .map(|m| m.group_id)
                    .collect();
                query = query.filter(access_group::Column::Id.is_in(mine));
            }
        }
        let groups = query.all(&self.db).await?;
        let links = access_group_device::Entity::find()
            .filter(access_group_device::Column::GroupId.is_in(groups.iter().map(|g| g.id)))
            .all(&self.db)
            .await?;
        Ok(groups
            .into_iter()
            .map(|g| crate::models::users::DeviceGroup {
                device_ids: links
                    .iter()
                    .filter(|l| l.group_id == g.id)
                    .map(|l| l.device_id)
                    .collect(),
                id: g.id,
                name: g.name,
            })
            .collect())
    }

    /// Records ACCESS_DENIED for a refused request, at most once a minute per user and
    /// route, so a client hammering a route cannot flood the log.
    pub async fn denied(&self, actor: &Actor, route: &str, device_id: Option<i64>) {
        tracing::warn!(user = %actor.username, %route, device = ?device_id, "access denied");
        if !self
            .denials
            .should_record(&actor.username, route, std::time::Instant::now())
        {
            return;
        }
        let detail = match device_id {
            Some(id) => format!("Refused {route} for device #{id}"),
            None => format!("Refused {route}"),
        };
        let mut event = actor
            .event(crate::models::AuditAction::AccessDenied, detail)
            .reason(crate::models::AuditReason::NotAllowed)
            .outcome(crate::models::AuditOutcome::Failure);
        if let Some(id) = device_id {
            event = event.device(id);
        }
        self.auditor.record(event).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_contains_its_devices_only() {
        assert!(DeviceScope::All.contains(7));
        let only = DeviceScope::Only(vec![2, 5, 9]);
        assert!(only.contains(5));
        assert!(!only.contains(4));
        assert!(!DeviceScope::Only(Vec::new()).contains(1));
    }
}
