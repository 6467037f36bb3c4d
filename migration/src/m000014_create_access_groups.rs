use sea_orm_migration::{prelude::*, schema::*};

/// Users, roles and per-device access (#18):
/// - `users.disabled` and `users.last_login_at`;
/// - the role `user` becomes `operator`, who may use only the devices of their access groups;
/// - `access_groups`, with their members (users) and devices, both removed with the group,
///   the user or the device.
///
/// Upgrading in place loses nothing: before this change a `user` could open every device,
/// so if any such account exists, one group holding every device and every such account is
/// created, and they keep exactly the access they had.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The group an upgrade creates for accounts that had every device before roles existed.
const UPGRADE_GROUP: &str = "All devices (from before roles)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on every backend (SQLite's DDL is transactional too): an interrupted
    /// upgrade leaves the schema as it was, and the next start runs it again whole.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one change per ALTER TABLE, and does not undo a DDL statement when a
        // later one fails: each step is skipped if an interrupted earlier run did it.
        if !manager.has_column("users", "disabled").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(boolean(Users::Disabled).default(false))
                        .to_owned(),
                )
                .await?;
        }
        if !manager.has_column("users", "last_login_at").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(timestamp_with_time_zone_null(Users::LastLoginAt))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(AccessGroups::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AccessGroups::Id))
                    .col(string_len_uniq(AccessGroups::Name, 64))
                    .col(timestamp_with_time_zone(AccessGroups::CreatedAt))
                    .col(timestamp_with_time_zone(AccessGroups::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(link_table(
                AccessGroupMembers::Table,
                AccessGroupMembers::UserId,
                Users::Table,
                Users::Id,
            ))
            .await?;
        manager
            .create_table(link_table(
                AccessGroupDevices::Table,
                AccessGroupDevices::DeviceId,
                Devices::Table,
                Devices::Id,
            ))
            .await?;
        // The access check looks groups up from the user's and the device's side.
        manager
            .create_index(
                Index::create()
                    .name("idx_access_group_members_user")
                    .table(AccessGroupMembers::Table)
                    .col(AccessGroupMembers::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_access_group_devices_device")
                    .table(AccessGroupDevices::Table)
                    .col(AccessGroupDevices::DeviceId)
                    .to_owned(),
            )
            .await?;
        upgrade_plain_users(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Before roles every account could use every device, and none could be disabled:
        // going back would hand auditors and disabled accounts everything. Refused instead.
        let db = manager.get_connection();
        // The same for an operator who may not use every device today.
        let risky = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM users u WHERE u.role = 'auditor' OR u.disabled \
                 OR (u.role = 'operator' AND EXISTS (SELECT 1 FROM devices d WHERE NOT EXISTS \
                 (SELECT 1 FROM access_group_members m JOIN access_group_devices g \
                 ON g.group_id = m.group_id WHERE m.user_id = u.id AND g.device_id = d.id)))",
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0);
        if risky > 0 {
            return Err(DbErr::Migration(format!(
                "{risky} account(s) (auditors, disabled accounts, operators without every \
                 device) would get every device before roles: delete them first"
            )));
        }
        for table in [
            AccessGroupDevices::Table.into_iden(),
            AccessGroupMembers::Table.into_iden(),
            AccessGroups::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        db.execute_unprepared("UPDATE users SET role = 'user' WHERE role <> 'admin'")
            .await?;
        for column in [Users::LastLoginAt, Users::Disabled] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

/// `(group_id, other_id)`, both removed with either side.
fn link_table<T, C, R, RC>(table: T, column: C, other: R, other_id: RC) -> TableCreateStatement
where
    T: IntoIden + Copy + 'static,
    C: IntoIden + Copy + 'static,
    R: IntoIden + 'static,
    RC: IntoIden + 'static,
{
    Table::create()
        .table(table)
        .if_not_exists()
        .col(big_integer(Link::GroupId))
        .col(big_integer(column))
        .primary_key(Index::create().col(Link::GroupId).col(column))
        .foreign_key(
            ForeignKey::create()
                .from(table, Link::GroupId)
                .to(AccessGroups::Table, AccessGroups::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .from(table, column)
                .to(other, other_id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

/// Accounts with the old role `user` become operators, granted every device through one group.
async fn upgrade_plain_users(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = db.get_database_backend();
    let statement = |sql: &str| {
        // The group's name is the one bound value; PostgreSQL numbers its placeholders.
        let sql = match backend {
            sea_orm::DatabaseBackend::Postgres => sql.replace('?', "$1"),
            _ => sql.to_owned(),
        };
        sea_orm::Statement::from_sql_and_values(backend, sql, [UPGRADE_GROUP.into()])
    };
    let plain = db
        .query_one_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM users WHERE role = 'user'",
        ))
        .await?
        .map(|row| row.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    if plain == 0 {
        return Ok(());
    }
    // The timestamps are copied from a user row, so they are stored exactly as the ORM
    // stores every other timestamp on this backend.
    for sql in [
        "INSERT INTO access_groups (name, created_at, updated_at) \
         SELECT ?, MAX(updated_at), MAX(updated_at) FROM users",
        "INSERT INTO access_group_members (group_id, user_id) \
         SELECT g.id, u.id FROM access_groups g, users u WHERE g.name = ? AND u.role = 'user'",
        "INSERT INTO access_group_devices (group_id, device_id) \
         SELECT g.id, d.id FROM access_groups g, devices d WHERE g.name = ?",
    ] {
        db.execute_raw(statement(sql)).await?;
    }
    db.execute_unprepared("UPDATE users SET role = 'operator' WHERE role = 'user'")
        .await?;
    Ok(())
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    Disabled,
    LastLoginAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Devices {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum AccessGroups {
    Table,
    Id,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AccessGroupMembers {
    Table,
    UserId,
}

#[derive(DeriveIden, Clone, Copy)]
enum AccessGroupDevices {
    Table,
    DeviceId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Link {
    GroupId,
}
