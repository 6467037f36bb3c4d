use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(HostKeys::Table)
                    .if_not_exists()
                    .col(big_pk_auto(HostKeys::Id))
                    // Lower-cased, without IPv6 brackets: one entry per endpoint however it is typed.
                    .col(string_len(HostKeys::Host, 255))
                    .col(integer(HostKeys::Port))
                    .col(string_len(HostKeys::Algorithm, 64))
                    .col(string_len(HostKeys::Fingerprint, 128))
                    .col(timestamp_with_time_zone(HostKeys::LearnedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_host_keys_endpoint")
                    .table(HostKeys::Table)
                    .col(HostKeys::Host)
                    .col(HostKeys::Port)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HostKeys::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum HostKeys {
    Table,
    Id,
    Host,
    Port,
    Algorithm,
    Fingerprint,
    LearnedAt,
}
