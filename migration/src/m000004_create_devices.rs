use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Devices::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Devices::Id))
                    .col(string_len_uniq(Devices::Name, 64))
                    .col(string_len(Devices::Host, 255))
                    .col(integer(Devices::Port))
                    .col(string_len(Devices::Username, 64))
                    .col(string_len(Devices::AuthType, 32))
                    // Vault ciphertexts ("v1:" + hex), bound to this row and column.
                    .col(text_null(Devices::PasswordEnc))
                    .col(text_null(Devices::PrivateKeyEnc))
                    .col(text_null(Devices::PassphraseEnc))
                    // The key's public half, shown for copying into authorized_keys.
                    .col(text_null(Devices::PublicKey))
                    .col(timestamp_with_time_zone(Devices::CreatedAt))
                    .col(timestamp_with_time_zone(Devices::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Devices::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Devices {
    Table,
    Id,
    Name,
    Host,
    Port,
    Username,
    AuthType,
    PasswordEnc,
    PrivateKeyEnc,
    PassphraseEnc,
    PublicKey,
    CreatedAt,
    UpdatedAt,
}
