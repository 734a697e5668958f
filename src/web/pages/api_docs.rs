//! The JSON API described for people: every operation of the generated
//! OpenAPI document (`/api/v1/openapi.json`), grouped by area, with its
//! parameters, request body and answers. Rendered on the server from the
//! document itself, so the page and the document never disagree.

use crate::error::AppResult;
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::render;
use crate::web::routes;
use crate::web::State;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::Value;

pub const TEMPLATES: &[(&str, &str)] = &[(
    "api_docs.html",
    include_str!("../../../templates/pages/api_docs.html"),
)];

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/api/docs").get(page));
}

/// The methods in the order each path shows them.
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

#[derive(Serialize)]
struct TagView {
    name: String,
    heading: String,
    description: String,
    operations: Vec<OperationView>,
}

#[derive(Serialize)]
struct OperationView {
    anchor: String,
    method: String,
    path: String,
    summary: String,
    description: String,
    signed: bool,
    parameters: Vec<ParameterView>,
    body: Vec<ContentView>,
    body_required: bool,
    responses: Vec<ResponseView>,
}

#[derive(Serialize)]
struct ParameterView {
    name: String,
    location: String,
    required: bool,
    schema: String,
    description: String,
}

#[derive(Serialize)]
struct ContentView {
    content_type: String,
    schema: String,
}

#[derive(Serialize)]
struct ResponseView {
    status: String,
    description: String,
    contents: Vec<ContentView>,
}

#[derive(Serialize)]
struct SchemaView {
    name: String,
    description: String,
    properties: Vec<ParameterView>,
}

async fn page(state: State, req: HttpRequest, caller: Caller) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let doc = crate::web::api::openapi::value()?;
    let user = match caller.actor.user() {
        Some(u) => Some(
            state
                .db(move |conn| crate::workflow::accounts::account(conn, u))
                .await?,
        ),
        None => None,
    };
    let mut ctx = tera::Context::new();
    ctx.insert("tags", &tags_of(&doc, |k| state.catalog.get(lang, k)));
    ctx.insert("schemas", &schemas_of(&doc));
    ctx.insert("version", &text(&doc["info"]["version"]));
    ctx.insert("title", &text(&doc["info"]["title"]));
    ctx.insert("intro", &text(&doc["info"]["description"]));
    render(&state, &req, "api_docs.html", ctx, user)
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// A short name for a schema: the component's name, `[T]` for an array,
/// or the JSON type.
pub fn schema_name(s: &Value) -> String {
    if let Some(r) = s["$ref"].as_str() {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(all) = s["oneOf"].as_array().or_else(|| s["anyOf"].as_array()) {
        return all.iter().map(schema_name).collect::<Vec<_>>().join(" | ");
    }
    let types: Vec<String> = match &s["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts.iter().map(text).collect(),
        _ => vec![],
    };
    let shown: Vec<String> = types
        .iter()
        .map(|t| match t.as_str() {
            "array" => format!("[{}]", schema_name(&s["items"])),
            "string" => match s["enum"].as_array() {
                Some(values) => values
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" | "),
                None => match s["format"].as_str() {
                    Some(f) => format!("string ({f})"),
                    None => "string".to_string(),
                },
            },
            other => other.to_string(),
        })
        .collect();
    if shown.is_empty() {
        "any".to_string()
    } else {
        shown.join(" | ")
    }
}

fn contents(v: &Value) -> Vec<ContentView> {
    v["content"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(ct, c)| ContentView {
                    content_type: ct.clone(),
                    schema: schema_name(&c["schema"]),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every operation of the document, grouped by its first tag, in the order of
/// the document's tags.
fn tags_of(doc: &Value, message: impl Fn(&str) -> String) -> Vec<TagView> {
    let mut tags: Vec<TagView> = doc["tags"]
        .as_array()
        .map(|ts| {
            ts.iter()
                .map(|t| {
                    let name = text(&t["name"]);
                    TagView {
                        heading: message(&format!("api_tag_{name}")),
                        description: text(&t["description"]),
                        name,
                        operations: Vec::new(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let Some(paths) = doc["paths"].as_object() else {
        return tags;
    };
    for (path, item) in paths {
        for method in METHODS {
            let op = &item[method];
            if op.is_null() {
                continue;
            }
            let tag = op["tags"][0].as_str().unwrap_or("").to_string();
            let parameters = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| ParameterView {
                            name: text(&p["name"]),
                            location: text(&p["in"]),
                            required: p["required"].as_bool().unwrap_or(false),
                            schema: schema_name(&p["schema"]),
                            description: text(&p["description"]),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let responses = op["responses"]
                .as_object()
                .map(|rs| {
                    rs.iter()
                        .map(|(status, r)| ResponseView {
                            status: status.clone(),
                            description: text(&r["description"]),
                            contents: contents(r),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let view = OperationView {
                anchor: text(&op["operationId"]),
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text(&op["summary"]),
                description: text(&op["description"]),
                signed: op["security"].as_array().is_some_and(|s| !s.is_empty()),
                parameters,
                body: contents(&op["requestBody"]),
                body_required: op["requestBody"]["required"].as_bool().unwrap_or(false),
                responses,
            };
            match tags.iter_mut().find(|t| t.name == tag) {
                Some(t) => t.operations.push(view),
                None => tags.push(TagView {
                    heading: tag.clone(),
                    name: tag,
                    description: String::new(),
                    operations: vec![view],
                }),
            }
        }
    }
    tags.retain(|t| !t.operations.is_empty());
    tags
}

/// The named schemas and their properties.
fn schemas_of(doc: &Value) -> Vec<SchemaView> {
    let Some(schemas) = doc["components"]["schemas"].as_object() else {
        return Vec::new();
    };
    schemas
        .iter()
        .map(|(name, s)| {
            let required: Vec<&str> = s["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let properties = s["properties"]
                .as_object()
                .map(|ps| {
                    ps.iter()
                        .map(|(p, v)| ParameterView {
                            name: p.clone(),
                            location: String::new(),
                            required: required.contains(&p.as_str()),
                            schema: schema_name(v),
                            description: text(&v["description"]),
                        })
                        .collect()
                })
                .unwrap_or_default();
            SchemaView {
                name: name.clone(),
                description: text(&s["description"]),
                properties,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schemas_are_named_shortly() {
        assert_eq!(
            schema_name(&json!({"$ref": "#/components/schemas/Contest"})),
            "Contest"
        );
        assert_eq!(
            schema_name(&json!({"type": "array", "items": {"$ref": "#/components/schemas/Tier"}})),
            "[Tier]"
        );
        assert_eq!(
            schema_name(&json!({"type": ["integer", "null"]})),
            "integer | null"
        );
        assert_eq!(schema_name(&json!({})), "any");
    }

    #[test]
    fn every_operation_of_the_document_is_on_the_page() {
        let doc = crate::web::api::openapi::value().expect("the document");
        let tags = tags_of(&doc, |k| k.to_string());
        let shown: usize = tags.iter().map(|t| t.operations.len()).sum();
        let in_doc: usize = doc["paths"]
            .as_object()
            .expect("paths")
            .values()
            .map(|item| METHODS.iter().filter(|m| !item[**m].is_null()).count())
            .sum();
        assert_eq!(shown, in_doc);
        assert!(tags.iter().all(|t| !t.heading.is_empty()));
    }
}
