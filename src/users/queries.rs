//! The database side of users and groups: lookups, views, group links.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use super::UserError;
use crate::db::entities::{access_group, access_group_member, user, web_session};
use crate::models::Role;
use crate::models::users::{MAX_IDS_PER_CHANGE, NamedId, UserView};

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find_by_id(id).one(db).await
}

pub async fn by_name(db: &DatabaseConnection, name: &str) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::Username.eq(name))
        .one(db)
        .await
}

/// Every user (or one), sorted by name, with their groups.
pub async fn user_views(
    db: &impl ConnectionTrait,
    only: Option<i64>,
) -> Result<Vec<UserView>, UserError> {
    let mut query = user::Entity::find().order_by_asc(user::Column::Username);
    if let Some(id) = only {
        query = query.filter(user::Column::Id.eq(id));
    }
    let users = query.all(db).await?;
    let group_names: HashMap<i64, String> = access_group::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    let mut links = access_group_member::Entity::find();
    if let Some(id) = only {
        links = links.filter(access_group_member::Column::UserId.eq(id));
    }
    let mut groups_of: HashMap<i64, Vec<NamedId>> = HashMap::new();
    for link in links.all(db).await? {
        if let Some(name) = group_names.get(&link.group_id) {
            groups_of.entry(link.user_id).or_default().push(NamedId {
                id: link.group_id,
                name: name.clone(),
            });
        }
    }
    Ok(users
        .into_iter()
        .filter_map(|u| {
            // A row with a role this build does not know is left out rather than guessed.
            let role = Role::parse(&u.role)?;
            let mut groups = groups_of.remove(&u.id).unwrap_or_default();
            groups.sort_by(|a, b| a.name.cmp(&b.name));
            Some(UserView {
                id: u.id,
                username: u.username,
                role,
                groups,
                disabled: u.disabled,
                last_login_at: u.last_login_at,
                must_change_password: u.must_change_password,
            })
        })
        .collect())
}

/// The ids of `ids` that are groups, ascending; too many is refused.
pub async fn existing_groups(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<i64>, UserError> {
    if ids.len() > MAX_IDS_PER_CHANGE {
        return Err(UserError::Invalid(
            "groups",
            "too many groups in one change",
        ));
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut found: Vec<i64> = access_group::Entity::find()
        .filter(access_group::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.id)
        .collect();
    if found.len() != {
        let mut unique = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        unique.len()
    } {
        return Err(UserError::Invalid(
            "groups",
            "a chosen group no longer exists",
        ));
    }
    found.sort_unstable();
    Ok(found)
}

/// Replaces the user's groups with `groups`.
pub async fn set_groups(
    db: &impl ConnectionTrait,
    user_id: i64,
    groups: &[i64],
) -> Result<(), DbErr> {
    access_group_member::Entity::delete_many()
        .filter(access_group_member::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    if groups.is_empty() {
        return Ok(());
    }
    access_group_member::Entity::insert_many(groups.iter().map(|&group_id| {
        access_group_member::ActiveModel {
            group_id: sea_orm::Set(group_id),
            user_id: sea_orm::Set(user_id),
        }
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// Deletes every web session of the user; returns how many there were.
pub async fn end_web_sessions(db: &impl ConnectionTrait, user_id: i64) -> Result<u64, DbErr> {
    Ok(web_session::Entity::delete_many()
        .filter(web_session::Column::UserId.eq(user_id))
        .exec(db)
        .await?
        .rows_affected)
}

/// Locks the account `id` and every active admin, in id order, until the transaction ends,
/// and returns the account as it is now with how many other active admins there are.
///
/// PostgreSQL: the rows are locked (`FOR UPDATE`) in one statement and one order, so two
/// replicas changing two admins at once wait for each other, never both pass the check, and
/// cannot deadlock. SQLite: a write comes first, so the transaction holds the one write lock
/// from its start (a deferred transaction that reads first fails with SQLITE_BUSY when
/// another connection commits before its first write); the service's mutex orders this
/// process's changes.
pub async fn lock_for_change(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<(user::Model, usize)>, DbErr> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{Condition, QuerySelect};
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        user::Entity::update_many()
            .col_expr(user::Column::Id, Expr::col(user::Column::Id))
            .filter(user::Column::Id.eq(id))
            .exec(db)
            .await?;
    }
    let rows = user::Entity::find()
        .filter(
            Condition::any().add(user::Column::Id.eq(id)).add(
                Condition::all()
                    .add(user::Column::Role.eq(Role::Admin.as_str()))
                    .add(user::Column::Disabled.eq(false)),
            ),
        )
        .order_by_asc(user::Column::Id)
        .lock_exclusive()
        .all(db)
        .await?;
    let others = rows
        .iter()
        .filter(|u| u.id != id && u.role == Role::Admin.as_str() && !u.disabled)
        .count();
    Ok(rows.into_iter().find(|u| u.id == id).map(|u| (u, others)))
}

/// Whether a database error is a unique or primary-key violation (a concurrent insert of
/// the same name or link won the race).
pub fn is_duplicate(e: &DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
