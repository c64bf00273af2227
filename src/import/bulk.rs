//! A first load into an empty database: inserting a million rows
//! into tables that keep several secondary B-tree indexes, in the file's
//! order, touches a random page of every index for every row. Building an
//! index once from the loaded table sorts instead, which is many times
//! faster. So an import that starts on an empty `business` table sets the
//! non-unique indexes of the tables it fills aside and builds them again at
//! the end.
//!
//! Unique indexes stay: they are what refuses a second business with one
//! CVR number or a P-number twice (and what `ON CONFLICT` needs). The
//! definitions of the indexes set aside are kept in `deferred_index`, in the
//! transaction that drops them, so an import killed half-way leaves them
//! there: [`restore`] runs after every import and at every start
//! ([`crate::db::migrate`]).
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

/// The tables an import writes a row to per business.
pub const IMPORT_TABLES: &[&str] = &["business", "p_unit", "search_sync"];

/// The statement for `sql` with `?` placeholders, in the backend's form.
fn statement(backend: DbBackend, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => {
            let mut n = 0;
            sql.chars()
                .map(|c| {
                    if c == '?' {
                        n += 1;
                        format!("${n}")
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        }
        _ => sql.to_string(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Sets the non-unique indexes of `tables` aside, if the `business` table
/// is empty. True if it did.
pub async fn defer(db: &DatabaseConnection, tables: &[&str]) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let list = match backend {
        DbBackend::Sqlite => {
            "SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' \
             AND tbl_name IN (TABLES) AND sql IS NOT NULL \
             AND sql NOT LIKE 'CREATE UNIQUE%'"
        }
        DbBackend::Postgres => {
            "SELECT indexname AS name, indexdef AS definition FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename IN (TABLES) \
             AND indexdef NOT LIKE 'CREATE UNIQUE%'"
        }
        _ => return Ok(false),
    };
    let tx = crate::db::begin_write(db).await?;
    let empty = tx
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM business) THEN 0 ELSE 1 END AS empty",
        ))
        .await?
        .and_then(|r| r.try_get::<i32>("", "empty").ok())
        == Some(1);
    if !empty {
        return Ok(false);
    }
    let tables: Vec<String> = tables
        .iter()
        .map(|t| format!("'{}'", t.replace('\'', "''")))
        .collect();
    let indexes = tx
        .query_all_raw(Statement::from_string(
            backend,
            list.replace("TABLES", &tables.join(", ")),
        ))
        .await?;
    for row in &indexes {
        let name: String = row.try_get("", "name")?;
        let definition: String = row.try_get("", "definition")?;
        tx.execute_raw(statement(
            backend,
            "INSERT INTO deferred_index (name, definition) VALUES (?, ?) \
             ON CONFLICT (name) DO NOTHING",
            vec![name.clone().into(), definition.into()],
        ))
        .await?;
        tx.execute_unprepared(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))
            .await?;
    }
    tx.commit().await?;
    Ok(!indexes.is_empty())
}

/// Builds every index set aside by [`defer`] again; how many.
pub async fn restore(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let backend = db.get_database_backend();
    let deferred = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT name, definition FROM deferred_index ORDER BY name",
        ))
        .await?;
    let mut built = 0;
    for row in &deferred {
        let name: String = row.try_get("", "name")?;
        let tx = crate::db::begin_write(db).await?;
        // The row is taken first: another process building the same index
        // (two instances starting at once) waits for this transaction and
        // then finds nothing to do.
        let taken = tx
            .query_one_raw(statement(
                backend,
                "DELETE FROM deferred_index WHERE name = ? RETURNING definition",
                vec![name.into()],
            ))
            .await?;
        let Some(taken) = taken else {
            continue;
        };
        let definition: String = taken.try_get("", "definition")?;
        // Harmless if an index of that name exists (made by hand).
        let definition = definition.replacen("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1);
        tx.execute_unprepared(&definition).await?;
        tx.commit().await?;
        built += 1;
    }
    Ok(built)
}
