//! Search: one [`SearchIndex`] trait, two backends — tantivy embedded in the
//! data directory (the default) and Meilisearch (when `MEILI_URL` is set).
//! Both receive the same [`SearchDoc`]s, interpret queries with the same
//! shared normalisation (`normalize`), and return the same result shape with
//! highlights computed by shared code (`highlight`).
//!
//! Placements and anything about a citizen are never indexed.
pub mod bench;
pub mod docs;
pub mod handlers;
pub mod highlight;
pub mod meili;
pub mod normalize;
pub mod sync;
pub mod tantivy_index;
mod types;

pub use handlers::routes;
pub use sync::SearchService;
pub use types::*;

use std::sync::Arc;

use secrecy::ExposeSecret;

use crate::config::Settings;

/// The configured backend: Meilisearch when `meili_url` is set, else the
/// embedded tantivy index in the data directory.
/// Applies the Meilisearch index settings now (making the index on a fresh
/// server), for a command that must not end before they are: `reindex`.
/// Nothing to do for the embedded index.
pub async fn apply_settings(settings: &Settings) -> anyhow::Result<()> {
    if let Some(url) = &settings.meili_url {
        let key = settings
            .meili_key
            .as_ref()
            .map(|k| k.expose_secret().to_string());
        meili::MeiliIndex::new(url, key.as_deref(), &settings.meili_index)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .ensure_settings()
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}

pub async fn open(settings: &Settings) -> anyhow::Result<Arc<dyn SearchIndex>> {
    match &settings.meili_url {
        Some(url) => {
            let key = settings
                .meili_key
                .as_ref()
                .map(|k| k.expose_secret().to_string());
            let index = Arc::new(
                meili::MeiliIndex::new(url, key.as_deref(), &settings.meili_index)
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            );
            // Apply the index settings; if the server is down at start-up,
            // keep trying in the background: writes queue meanwhile.
            let setup = index.clone();
            tokio::spawn(async move {
                let mut wait = std::time::Duration::from_secs(1);
                while let Err(e) = setup.settle().await {
                    tracing::warn!(error = %e, "Meilisearch settings not applied yet");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(std::time::Duration::from_secs(30));
                }
            });
            Ok(index)
        }
        None => {
            let dir = settings.data_dir.join("search");
            std::fs::create_dir_all(&dir)?;
            Ok(Arc::new(tantivy_index::TantivyIndex::open(&dir).map_err(
                |e| anyhow::anyhow!("opening the search index: {e}"),
            )?))
        }
    }
}
