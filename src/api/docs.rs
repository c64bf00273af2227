//! `/api/docs`: the API reference as a page, rendered on the server from
//! the OpenAPI document (no script, so it passes the CSP and works
//! without JavaScript).
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use serde_json::Value;

use crate::web::{AppState, auth::Visitor, error::AppError};

#[derive(Serialize)]
struct Param {
    name: String,
    place: String,
    required: bool,
    description: String,
}

#[derive(Serialize)]
struct Operation {
    anchor: String,
    method: String,
    path: String,
    summary: String,
    params: Vec<Param>,
    body: Option<String>,
    responses: Vec<(String, String)>,
}

#[derive(Serialize)]
struct Group {
    tag: String,
    description: String,
    operations: Vec<Operation>,
}

#[derive(Serialize)]
struct Property {
    name: String,
    kind: String,
    required: bool,
    description: String,
}

#[derive(Serialize)]
struct Schema {
    name: String,
    description: String,
    properties: Vec<Property>,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// A schema's type as a reader wants it: `string`, `integer | null`, a
/// linked schema name, `array of Business` ….
fn kind(v: &Value) -> String {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(one) = v.get("oneOf").and_then(Value::as_array) {
        return one.iter().map(kind).collect::<Vec<_>>().join(" | ");
    }
    match v.get("type") {
        Some(Value::String(t)) if t == "array" => {
            format!("array of {}", v.get("items").map(kind).unwrap_or_default())
        }
        Some(Value::String(t)) => match v.get("format").and_then(Value::as_str) {
            Some(f) => format!("{t} ({f})"),
            None => t.clone(),
        },
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "object".into(),
    }
}

fn reference(doc: &Value) -> (Vec<Group>, Vec<Schema>) {
    let mut groups: Vec<Group> = doc
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| Group {
            tag: text(t, "name"),
            description: text(t, "description"),
            operations: Vec::new(),
        })
        .collect();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in ["get", "post", "put", "delete"] {
                let Some(op) = item.get(method) else { continue };
                let tag = op
                    .get("tags")
                    .and_then(|t| t.get(0))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let summary = [text(op, "summary"), text(op, "description")]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                let operation = Operation {
                    anchor: format!("{method}-{path}")
                        .replace(['/', '{', '}'], "-")
                        .replace("--", "-"),
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary,
                    params: op
                        .get("parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .map(|p| Param {
                            name: text(p, "name"),
                            place: text(p, "in"),
                            required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                            description: text(p, "description"),
                        })
                        .collect(),
                    body: op
                        .pointer("/requestBody/content/application~1json/schema")
                        .map(kind),
                    responses: op
                        .get("responses")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                        .map(|(status, r)| {
                            let body = r
                                .pointer("/content/application~1json/schema")
                                .map(kind)
                                .unwrap_or_default();
                            (status.clone(), body)
                        })
                        .collect(),
                };
                match groups.iter_mut().find(|g| g.tag == tag) {
                    Some(g) => g.operations.push(operation),
                    None => groups.push(Group {
                        tag,
                        description: String::new(),
                        operations: vec![operation],
                    }),
                }
            }
        }
    }
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, s)| {
            let required: Vec<&str> = s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            Schema {
                name: name.clone(),
                description: text(s, "description"),
                properties: s
                    .get("properties")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .map(|(p, v)| Property {
                        name: p.clone(),
                        kind: kind(v),
                        required: required.contains(&p.as_str()),
                        description: text(v, "description"),
                    })
                    .collect(),
            }
        })
        .collect();
    (groups, schemas)
}

#[get("/api/docs")]
async fn docs(state: web::Data<AppState>, v: Visitor) -> Result<HttpResponse, AppError> {
    let doc = serde_json::to_value(super::openapi::document())
        .map_err(|e| AppError::Unexpected(e.into()))?;
    let (groups, schemas) = reference(&doc);
    let mut ctx = v.context();
    ctx.insert("path", "/api/docs");
    ctx.insert("groups", &groups);
    ctx.insert("schemas", &schemas);
    ctx.insert(
        "version",
        &doc.pointer("/info/version").and_then(Value::as_str),
    );
    state.templates.page(v.lang, "api/docs.html", &ctx)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(docs);
}
