//! `/api/users*` and `/api/groups*`: accounts and access groups, for admins only. Every
//! call checks the role server-side; the UI hiding the Users icon is only a convenience.

use cloudshell::models::users::{
    GroupChange, GroupView, NewUser, TemporaryPassword, UserChange, UserView,
};
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub(crate) use ssr::user_error;

#[cfg(feature = "ssr")]
mod ssr {
    use cloudshell::audit::Actor;
    use cloudshell::auth::AuthError;
    use cloudshell::models::{FieldError, Role};
    use cloudshell::users::{UserError, UserService};

    use crate::api::ssr::{actor, auth_failure, busy, fail, internal, require, users};
    use crate::error::AppError;

    /// The admin calling, and the service; anyone else gets ACCESS_DENIED and 403.
    pub async fn admin() -> Result<(Actor, UserService), AppError> {
        require(Role::manages).await?;
        Ok((actor()?, users()?))
    }

    pub(crate) fn user_error(context: &'static str, err: UserError) -> AppError {
        match err {
            UserError::NotFound => fail(AppError::NotFound),
            UserError::LastAdmin => fail(AppError::LastAdmin),
            UserError::Invalid(field, message) => fail(AppError::Invalid(vec![FieldError {
                field: field.to_owned(),
                message: message.to_owned(),
            }])),
            UserError::Auth(AuthError::Busy) => busy(),
            UserError::Auth(e) => auth_failure(context, e),
            other => internal(context, other),
        }
    }
}

/// `GET /api/users`: every account with role, groups, status, last sign-in.
#[server(prefix = "/api", endpoint = "users", input = GetUrl)]
pub async fn list_users() -> Result<Vec<UserView>, AppError> {
    let (_, users) = ssr::admin().await?;
    users
        .list()
        .await
        .map_err(|e| ssr::user_error("list users", e))
}

/// `POST /api/users/create`, JSON `{"input": NewUser}`: the answer holds the temporary
/// password, once; the account must replace it at its first sign-in.
#[server(prefix = "/api", endpoint = "users/create", input = Json)]
pub async fn create_user(input: NewUser) -> Result<TemporaryPassword, AppError> {
    let (actor, users) = ssr::admin().await?;
    users
        .create(&actor, input)
        .await
        .map_err(|e| ssr::user_error("create user", e))
}

/// `POST /api/users/update`, JSON `{"id": 2, "change": {"role": "auditor", "groups": [1]}}`.
/// A role that no longer uses devices ends the account's terminals and file sessions.
#[server(prefix = "/api", endpoint = "users/update", input = Json)]
pub async fn update_user(id: i64, change: UserChange) -> Result<UserView, AppError> {
    let (actor, users) = ssr::admin().await?;
    let changed = users
        .update(&actor, id, change)
        .await
        .map_err(|e| ssr::user_error("update user", e))?;
    if changed.lost_devices {
        crate::api::ssr::end_terminals(
            &changed.user.username,
            cloudshell::terminal::EndReason::RoleChanged,
        )
        .await;
    }
    Ok(changed.user)
}

/// `POST /api/users/reset-password` (form `id`): a new temporary password, shown once. The
/// account's web sessions and terminals end.
#[server(prefix = "/api", endpoint = "users/reset-password")]
pub async fn reset_user_password(
    #[server(default)] id: i64,
) -> Result<TemporaryPassword, AppError> {
    let (actor, users) = ssr::admin().await?;
    let reset = users
        .reset_password(&actor, id)
        .await
        .map_err(|e| ssr::user_error("reset password", e))?;
    crate::api::ssr::end_terminals(
        &reset.user.username,
        cloudshell::terminal::EndReason::PasswordChanged,
    )
    .await;
    Ok(reset)
}

/// `POST /api/users/disable` (form `id`, `disabled` = true | false). Disabling ends the
/// account's web sessions and terminals at once, on every replica.
#[server(prefix = "/api", endpoint = "users/disable")]
pub async fn set_user_disabled(
    #[server(default)] id: i64,
    #[server(default)] disabled: bool,
) -> Result<UserView, AppError> {
    let (actor, users) = ssr::admin().await?;
    let user = users
        .set_disabled(&actor, id, disabled)
        .await
        .map_err(|e| ssr::user_error("disable user", e))?;
    if disabled {
        crate::api::ssr::end_terminals(
            &user.username,
            cloudshell::terminal::EndReason::AccountDisabled,
        )
        .await;
    }
    Ok(user)
}

/// `POST /api/users/delete` (form `id`). Its audit entries keep its name.
#[server(prefix = "/api", endpoint = "users/delete")]
pub async fn delete_user(#[server(default)] id: i64) -> Result<(), AppError> {
    let (actor, users) = ssr::admin().await?;
    let username = users
        .delete(&actor, id)
        .await
        .map_err(|e| ssr::user_error("delete user", e))?;
    crate::api::ssr::end_terminals(&username, cloudshell::terminal::EndReason::AccountDeleted)
        .await;
    Ok(())
}

/// `GET /api/groups`: every access group with its members and devices.
#[server(prefix = "/api", endpoint = "groups", input = GetUrl)]
pub async fn list_groups() -> Result<Vec<GroupView>, AppError> {
    let (_, users) = ssr::admin().await?;
    users
        .list_groups()
        .await
        .map_err(|e| ssr::user_error("list groups", e))
}

/// `POST /api/groups/create` (form `name`).
#[server(prefix = "/api", endpoint = "groups/create")]
pub async fn create_group(#[server(default)] name: String) -> Result<GroupView, AppError> {
    let (actor, users) = ssr::admin().await?;
    users
        .create_group(&actor, &name)
        .await
        .map_err(|e| ssr::user_error("create group", e))
}

/// `POST /api/groups/update`, JSON `{"id": 1, "change": GroupChange}`: rename, add or remove
/// members and devices, in one audited change.
#[server(prefix = "/api", endpoint = "groups/update", input = Json)]
pub async fn update_group(id: i64, change: GroupChange) -> Result<GroupView, AppError> {
    let (actor, users) = ssr::admin().await?;
    users
        .update_group(&actor, id, change)
        .await
        .map_err(|e| ssr::user_error("update group", e))
}

/// `POST /api/groups/delete` (form `id`). Its members lose the access it gave.
#[server(prefix = "/api", endpoint = "groups/delete")]
pub async fn delete_group(#[server(default)] id: i64) -> Result<(), AppError> {
    let (actor, users) = ssr::admin().await?;
    users
        .delete_group(&actor, id)
        .await
        .map_err(|e| ssr::user_error("delete group", e))
}
