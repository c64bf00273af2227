use actix_multipart::Multipart;
use actix_web::{HttpResponse, get, post, web};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use super::jobs::{JobState, percent};
use super::{Counting, ImportFailure};
use crate::web::{
    AppState, auth,
    auth::{Admin, Staff},
    error::AppError,
    render::see_other,
};

fn page_ctx(staff: &Staff) -> tera::Context {
    let mut ctx = staff.context();
    ctx.insert("columns", &super::KNOWN_COLUMNS);
    ctx.insert("error", &Option::<String>::None);
    ctx
}

#[get("/admin/import")]
async fn form(state: web::Data<AppState>, staff: Admin) -> Result<HttpResponse, AppError> {
    state
        .templates
        .page(staff.lang, "admin/import.html", &page_ctx(&staff))
}

/// Receives the upload into a file in the data directory (streamed, never
/// whole in memory), then imports it in the background.
#[post("/admin/import")]
async fn upload(
    state: web::Data<AppState>,
    staff: Admin,
    mut payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let dir = state.settings.data_dir.join("imports");
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?;
    let job = auth::random_token();
    let path = dir.join(format!("{job}.csv"));
    let mut csrf_ok = false;
    let mut size = 0u64;
    let expected = staff.csrf.clone();
    let max_upload = state.settings.max_upload_mib as u64 * 1024 * 1024;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|_| AppError::BadRequest)?;
        let name = field.name().unwrap_or("").to_string();
        if name == "csrf_token" {
            let mut v = Vec::new();
            while let Some(chunk) = field.next().await {
                v.extend_from_slice(&chunk.map_err(|_| AppError::BadRequest)?);
                if v.len() > 200 {
                    return Err(AppError::Csrf);
                }
            }
            csrf_ok = v == expected.as_bytes();
        } else if name == "file" {
            if !csrf_ok {
                // The token field comes first in the form; refuse the file
                // before writing anything if it didn't.
                return Err(AppError::Csrf);
            }
            let mut out = tokio::fs::File::create(&path)
                .await
                .map_err(|e| AppError::Unexpected(e.into()))?;
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|_| AppError::BadRequest)?;
                size += chunk.len() as u64;
                if size > max_upload {
                    drop(out);
                    let _ = tokio::fs::remove_file(&path).await;
                    return Err(AppError::TooLarge);
                }
                out.write_all(&chunk)
                    .await
                    .map_err(|e| AppError::Unexpected(e.into()))?;
            }
            out.flush()
                .await
                .map_err(|e| AppError::Unexpected(e.into()))?;
        }
    }
    if !csrf_ok {
        return Err(AppError::Csrf);
    }
    if size == 0 {
        let _ = tokio::fs::remove_file(&path).await;
        let mut ctx = page_ctx(&staff);
        ctx.insert("error", staff.t("import_no_file"));
        let body = state
            .templates
            .render(staff.lang, "admin/import.html", &ctx)?;
        return Ok(crate::web::render::html_status(422, body));
    }
    let file = std::fs::File::open(&path).map_err(|e| AppError::Unexpected(e.into()))?;
    let reader = Counting::new(std::io::BufReader::new(file));
    state
        .imports
        .start(&job, staff.id, reader.read.clone(), size);
    let st = state.clone();
    let (lang, actor, job_id) = (staff.lang, staff.id, job.clone());
    tokio::spawn(async move {
        let result = super::run(&st.app, reader, lang, Some(actor), 5, false).await;
        let state = match result {
            Ok(summary) => JobState::Done(summary),
            Err(ImportFailure::Unreadable(msg)) => JobState::Failed(msg),
            Err(ImportFailure::Unexpected(e)) => {
                tracing::error!(error = %e, "import failed");
                JobState::Failed(crate::web::i18n::t(lang, "error_500").to_string())
            }
        };
        st.imports.finish(&job_id, state);
        let _ = tokio::fs::remove_file(&path).await;
    });
    Ok(see_other(&format!("/admin/import/{job}")))
}

#[get("/admin/import/{job}")]
async fn job_page(
    state: web::Data<AppState>,
    staff: Admin,
    job: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let s = state
        .imports
        .get(&job, staff.id)
        .ok_or(AppError::NotFound)?;
    let mut ctx = staff.context();
    match s {
        JobState::Running { read, total } => {
            ctx.insert("running", &true);
            ctx.insert("percent", &percent(&read, total));
            ctx.insert("summary", &Option::<()>::None);
            ctx.insert("failed", &Option::<String>::None);
        }
        JobState::Done(summary) => {
            ctx.insert("running", &false);
            ctx.insert("percent", &100);
            ctx.insert("summary", &summary);
            ctx.insert("failed", &Option::<String>::None);
        }
        JobState::Failed(msg) => {
            ctx.insert("running", &false);
            ctx.insert("percent", &0);
            ctx.insert("summary", &Option::<()>::None);
            ctx.insert("failed", &Some(msg));
        }
    }
    state
        .templates
        .page(staff.lang, "admin/import_job.html", &ctx)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(form).service(upload).service(job_page);
}
