//! Changes to an existing account: role and groups, disable and enable, delete.

use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};
use time::OffsetDateTime;

use super::{UserError, UserService, names, queries};
use crate::audit::Actor;
use crate::db::entities::user;
use crate::models::users::{UserChange, UserView};
use crate::models::{AuditAction, AuditOutcome, Role};

/// What a change did that the caller must act on (ending terminals).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub user: UserView,
    /// The account can no longer use devices: its terminals and file sessions must end.
    pub lost_devices: bool,
}

impl UserService {
    /// Changes the role and/or the groups; USER_UPDATED names what changed. Demoting the last
    /// active admin is refused.
    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        change: UserChange,
    ) -> Result<Changed, UserError> {
        let _guard = self.changes.lock().await;
        let before = self.get(id).await?;
        let txn = self.db.begin().await?;
        let row = queries::by_id(&txn, id).await?.ok_or(UserError::NotFound)?;
        let mut changed = Vec::new();
        if let Some(role) = change.role.filter(|r| *r != before.role) {
            if before.role == Role::Admin
                && !before.disabled
                && queries::other_active_admins(&txn, id).await? == 0
            {
                return Err(UserError::LastAdmin);
            }
            let mut active: user::ActiveModel = row.into();
            active.role = Set(role.as_str().to_owned());
            active.updated_at = Set(OffsetDateTime::now_utc());
            active.update(&txn).await?;
            changed.push(format!("role {} → {}", before.role.as_str(), role.as_str()));
        }
        if let Some(groups) = &change.groups {
            let groups = queries::existing_groups(&txn, groups).await?;
            let mut old: Vec<i64> = before.groups.iter().map(|g| g.id).collect();
            old.sort_unstable();
            if old != groups {
                queries::set_groups(&txn, id, &groups).await?;
                changed.push("groups".to_owned());
            }
        }
        txn.commit().await?;
        let after = self.get(id).await?;
        if changed.is_empty() {
            return Ok(Changed {
                user: after,
                lost_devices: false,
            });
        }
        // "groups" is spelled out with the names before and after.
        let detail = changed
            .iter()
            .map(|c| {
                if c == "groups" {
                    format!(
                        "groups [{}] → [{}]",
                        names(&before.groups),
                        names(&after.groups)
                    )
                } else {
                    c.clone()
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        self.auditor
            .record_durable(
                actor
                    .event(
                        AuditAction::UserUpdated,
                        format!("Updated {}: {detail}", after.username),
                    )
                    .outcome(AuditOutcome::Success),
            )
            .await
            .map_err(crate::auth::AuthError::from)?;
        Ok(Changed {
            lost_devices: before.role.uses_devices() && !after.role.uses_devices(),
            user: after,
        })
    }

    /// Disables or enables the account. Disabling ends its web sessions here (the caller
    /// ends its terminals); disabling the last active admin is refused.
    pub async fn set_disabled(
        &self,
        actor: &Actor,
        id: i64,
        disabled: bool,
    ) -> Result<UserView, UserError> {
        let _guard = self.changes.lock().await;
        let txn = self.db.begin().await?;
        let row = queries::by_id(&txn, id).await?.ok_or(UserError::NotFound)?;
        if row.disabled == disabled {
            txn.commit().await?;
            return self.get(id).await;
        }
        if disabled
            && row.role == Role::Admin.as_str()
            && queries::other_active_admins(&txn, id).await? == 0
        {
            return Err(UserError::LastAdmin);
        }
        let username = row.username.clone();
        let mut active: user::ActiveModel = row.into();
        active.disabled = Set(disabled);
        active.updated_at = Set(OffsetDateTime::now_utc());
        active.update(&txn).await?;
        let ended = if disabled {
            queries::end_web_sessions(&txn, id).await?
        } else {
            0
        };
        txn.commit().await?;
        let (action, detail) = if disabled {
            (
                AuditAction::UserDisabled,
                format!("Disabled {username}; signed out {ended} session(s)"),
            )
        } else {
            (AuditAction::UserEnabled, format!("Enabled {username}"))
        };
        self.auditor
            .record_durable(actor.event(action, detail).outcome(AuditOutcome::Success))
            .await
            .map_err(crate::auth::AuthError::from)?;
        self.get(id).await
    }

    /// Deletes the account; its web sessions, workspace and group memberships go with it,
    /// its audit entries keep its name. Deleting the last active admin is refused.
    pub async fn delete(&self, actor: &Actor, id: i64) -> Result<String, UserError> {
        let _guard = self.changes.lock().await;
        let txn = self.db.begin().await?;
        let row = queries::by_id(&txn, id).await?.ok_or(UserError::NotFound)?;
        if row.role == Role::Admin.as_str()
            && !row.disabled
            && queries::other_active_admins(&txn, id).await? == 0
        {
            return Err(UserError::LastAdmin);
        }
        let ended = queries::end_web_sessions(&txn, id).await?;
        user::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        self.auditor
            .record_durable(
                actor
                    .event(
                        AuditAction::UserDeleted,
                        format!("Deleted {}; signed out {ended} session(s)", row.username),
                    )
                    .outcome(AuditOutcome::Success),
            )
            .await
            .map_err(crate::auth::AuthError::from)?;
        Ok(row.username)
    }
}
