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
        let txn = self.db.begin().await?;
        // Decided on the row as it is once locked, with the other admins locked too.
        let (row, others) = queries::lock_for_change(&txn, id)
            .await?
            .ok_or(UserError::NotFound)?;
        let role_before = Role::parse(&row.role).ok_or(UserError::NotFound)?;
        if role_before == Role::Admin
            && !row.disabled
            && change.role.is_some_and(|r| r != Role::Admin)
            && others == 0
        {
            return Err(UserError::LastAdmin);
        }
        let before = queries::user_views(&txn, Some(id))
            .await?
            .pop()
            .ok_or(UserError::NotFound)?;
        let mut changed = Vec::new();
        let role = change.role.unwrap_or(before.role);
        if role != before.role {
            let mut active: user::ActiveModel = row.into();
            active.role = Set(role.as_str().to_owned());
            active.updated_at = Set(OffsetDateTime::now_utc());
            active.update(&txn).await?;
            changed.push(format!("role {} → {}", before.role.as_str(), role.as_str()));
        }
        // Groups give devices to operators only. Kept on another role they would be invisible
        // and would come back to life with a later change to operator, so they go.
        let groups = match (&change.groups, role) {
            (_, r) if r != Role::Operator => Some(Vec::new()),
            (Some(groups), _) => Some(queries::existing_groups(&txn, groups).await?),
            (None, _) => None,
        };
        if let Some(groups) = groups {
            let mut old: Vec<i64> = before.groups.iter().map(|g| g.id).collect();
            old.sort_unstable();
            if old != groups {
                queries::set_groups(&txn, id, &groups).await?;
                changed.push("groups".to_owned());
            }
        }
        txn.commit().await?;
        let after = self.get(id).await?;
        let result = Changed {
            lost_devices: before.role.uses_devices() && !after.role.uses_devices(),
            user: after.clone(),
        };
        if changed.is_empty() {
            return Ok(result);
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
        // If the log does not confirm in time the caller gets 503 (the event stays queued);
        // terminals the change no longer allows end anyway, by the session watch.
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
        Ok(result)
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
        let (row, others) = queries::lock_for_change(&txn, id)
            .await?
            .ok_or(UserError::NotFound)?;
        if row.disabled == disabled {
            txn.commit().await?;
            return self.get(id).await;
        }
        if disabled && row.role == Role::Admin.as_str() && others == 0 {
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
        let (row, others) = queries::lock_for_change(&txn, id)
            .await?
            .ok_or(UserError::NotFound)?;
        if row.role == Role::Admin.as_str() && !row.disabled && others == 0 {
            return Err(UserError::LastAdmin);
        }
        // Its group memberships go with it (the database cascades): the detail names them.
        let groups = queries::user_views(&txn, Some(id))
            .await?
            .pop()
            .map(|v| names(&v.groups))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "none".to_owned());
        let ended = queries::end_web_sessions(&txn, id).await?;
        user::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        self.auditor
            .record_durable(
                actor
                    .event(
                        AuditAction::UserDeleted,
                        format!(
                            "Deleted {}; groups: {groups}; signed out {ended} session(s)",
                            row.username
                        ),
                    )
                    .outcome(AuditOutcome::Success),
            )
            .await
            .map_err(crate::auth::AuthError::from)?;
        Ok(row.username)
    }
}
