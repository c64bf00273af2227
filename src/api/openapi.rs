//! The OpenAPI 3.1 document, generated from the handlers' `utoipa::path`
//! attributes and the types' `ToSchema`, at `/api/openapi.json`. A test
//! (`tests/api/api.rs`) fails when a registered `/api/v1` route is missing
//! here, and checks responses against the schemas.
use actix_web::{HttpResponse, get, web};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "erhverv API",
        description = "The business-service portal of Copenhagen Municipality's business administration: businesses with P-units and contact persons, contacts, recruitment needs, placements and initiatives with key figures. Authenticate with `Authorization: Bearer <token>`; an admin makes tokens at /admin/api-tokens. Errors are `{\"error\", \"message\", \"fields\"}`; messages are Danish unless `Accept-Language` asks for English.",
        version = "1"
    ),
    paths(
        super::businesses::list,
        super::businesses::get_one,
        super::businesses::create,
        super::businesses::update,
        super::businesses::add_p_unit,
        super::businesses::add_person,
        super::contacts::list,
        super::contacts::get_one,
        super::contacts::create,
        super::contacts::update,
        super::needs::list,
        super::needs::get_one,
        super::needs::create,
        super::needs::update,
        super::placements::list,
        super::placements::get_one,
        super::placements::create,
        super::placements::update,
        super::initiatives::list,
        super::initiatives::get_one,
        super::initiatives::create,
        super::initiatives::update,
        super::initiatives::figures,
        super::initiatives::figure,
        super::initiatives::add_value,
        crate::search::handlers::api,
    ),
    modifiers(&Security),
    tags(
        (name = "businesses", description = "Virksomheder: the registry, with P-units and contact persons"),
        (name = "contacts", description = "Kontakter: calls, meetings, visits and emails with businesses"),
        (name = "needs", description = "Rekrutteringsbehov: recruitment needs"),
        (name = "placements", description = "Placeringer: flex jobs, wage-subsidy jobs and work trials (tokens with the placements scope only; every read is audited)"),
        (name = "initiatives", description = "Initiatives of the business strategy and tourism, with key figures"),
        (name = "search", description = "Search across the registry"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // Every call with a token can meet its rate limit: 429 everywhere.
        use utoipa::openapi::{RefOr, Response, ResponseBuilder, content::ContentBuilder};
        let too_many: Response = ResponseBuilder::new()
            .description("Too many requests for this token; see Retry-After.")
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build();
        for item in openapi.paths.paths.values_mut() {
            for op in [&mut item.get, &mut item.post, &mut item.put]
                .into_iter()
                .flatten()
            {
                op.responses
                    .responses
                    .entry("429".to_string())
                    .or_insert_with(|| RefOr::T(too_many.clone()));
            }
        }
    }
}

/// The document, built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    DOC.get_or_init(ApiDoc::openapi)
}

#[get("/api/openapi.json")]
async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("cache-control", "public, max-age=300"))
        .json(document())
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(openapi_json);
}
