//! Who may use which route. Every registered route is in [`ROUTES`]; a test
//! (`tests/api/access.rs`) reads the route attributes in the source, fails
//! when one is missing here, and walks every route as every role to check
//! that the handlers' extractors (`Staff`, `CaseWorker`, `Admin`) say the
//! same as this table.

/// Who may come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in staff member, the council included.
    Staff,
    /// Consultants and admins: case work.
    CaseWorker,
    /// Admins only.
    Admin,
    /// Other systems with an API token (writes); every session is refused.
    Token,
}

impl Access {
    /// Whether a visitor with `role` (None: not signed in) may use it.
    pub fn allows(self, role: Option<crate::domain::Role>) -> bool {
        use crate::domain::Role;
        match (self, role) {
            (Access::Public, _) => true,
            (_, None) => false,
            (Access::Staff, Some(_)) => true,
            (Access::CaseWorker, Some(r)) => matches!(r, Role::Admin | Role::Consultant),
            (Access::Admin, Some(r)) => r == Role::Admin,
            (Access::Token, Some(_)) => false,
        }
    }
}

/// (method, path pattern, access)
pub const ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/health", Access::Public),
    ("GET", "/ready", Access::Public),
    ("GET", "/static/style.css", Access::Public),
    ("GET", "/login", Access::Public),
    ("POST", "/login", Access::Public),
    ("POST", "/logout", Access::Staff),
    // Sign-in with the identity provider (404 when none is configured).
    ("GET", "/login/oidc", Access::Public),
    ("GET", "/login/oidc/callback", Access::Public),
    ("GET", "/account/password", Access::Staff),
    ("POST", "/account/password", Access::Staff),
    ("GET", "/lang/{code}", Access::Public),
    // The public front page without a session; the council goes on to /dashboard.
    ("GET", "/", Access::Public),
    ("GET", "/dashboard", Access::Staff),
    ("GET", "/dashboard/figures/{id}/data.csv", Access::Staff),
    ("POST", "/dashboard/report", Access::Admin),
    ("GET", "/strategi", Access::Public),
    // The council reads initiatives; consultants and admins change them.
    ("GET", "/initiatives", Access::Staff),
    ("GET", "/initiatives/new", Access::CaseWorker),
    ("POST", "/initiatives", Access::CaseWorker),
    ("GET", "/initiatives/{id}", Access::Staff),
    ("GET", "/initiatives/{id}/edit", Access::CaseWorker),
    ("POST", "/initiatives/{id}", Access::CaseWorker),
    ("POST", "/initiatives/{id}/updates", Access::CaseWorker),
    ("POST", "/initiatives/{id}/milestones", Access::CaseWorker),
    (
        "POST",
        "/initiatives/{id}/milestones/{mid}/done",
        Access::CaseWorker,
    ),
    ("POST", "/initiatives/{id}/businesses", Access::CaseWorker),
    (
        "POST",
        "/initiatives/{id}/businesses/{bid}/delete",
        Access::CaseWorker,
    ),
    ("GET", "/figures/new", Access::CaseWorker),
    ("POST", "/figures", Access::CaseWorker),
    ("GET", "/figures/{id}", Access::CaseWorker),
    ("POST", "/figures/{id}", Access::CaseWorker),
    ("POST", "/figures/{id}/values", Access::CaseWorker),
    ("GET", "/businesses", Access::CaseWorker),
    ("GET", "/businesses/new", Access::CaseWorker),
    ("POST", "/businesses", Access::CaseWorker),
    ("GET", "/businesses/{id}", Access::CaseWorker),
    ("GET", "/businesses/{id}/edit", Access::CaseWorker),
    ("POST", "/businesses/{id}", Access::CaseWorker),
    ("POST", "/businesses/{id}/p-units", Access::CaseWorker),
    ("POST", "/businesses/{id}/persons", Access::CaseWorker),
    // {child}: p-units or persons.
    (
        "POST",
        "/businesses/{id}/{child}/{pid}/delete",
        Access::CaseWorker,
    ),
    ("GET", "/businesses/{id}/contacts/new", Access::CaseWorker),
    ("POST", "/businesses/{id}/contacts", Access::CaseWorker),
    ("GET", "/businesses/{id}/emails/new", Access::CaseWorker),
    ("POST", "/businesses/{id}/emails", Access::CaseWorker),
    (
        "POST",
        "/businesses/{id}/emails/{eid}/cancel",
        Access::CaseWorker,
    ),
    ("GET", "/followups", Access::CaseWorker),
    ("POST", "/followups/{id}/done", Access::CaseWorker),
    ("GET", "/contacts/mine", Access::CaseWorker),
    ("GET", "/search", Access::CaseWorker),
    ("GET", "/businesses/export.csv", Access::CaseWorker),
    // The API: consultants and admins read with their session as well;
    // changes need a token (tests/api/api.rs checks tokens and scopes).
    ("GET", "/api/openapi.json", Access::Public),
    ("GET", "/api/docs", Access::Public),
    ("GET", "/api/v1/search", Access::CaseWorker),
    ("GET", "/api/v1/businesses", Access::CaseWorker),
    ("POST", "/api/v1/businesses", Access::Token),
    ("GET", "/api/v1/businesses/{id}", Access::CaseWorker),
    ("PUT", "/api/v1/businesses/{id}", Access::Token),
    ("POST", "/api/v1/businesses/{id}/p-units", Access::Token),
    ("POST", "/api/v1/businesses/{id}/persons", Access::Token),
    ("GET", "/api/v1/contacts", Access::CaseWorker),
    ("POST", "/api/v1/contacts", Access::Token),
    ("GET", "/api/v1/contacts/{id}", Access::CaseWorker),
    ("PUT", "/api/v1/contacts/{id}", Access::Token),
    ("GET", "/api/v1/needs", Access::CaseWorker),
    ("POST", "/api/v1/needs", Access::Token),
    ("GET", "/api/v1/needs/{id}", Access::CaseWorker),
    ("PUT", "/api/v1/needs/{id}", Access::Token),
    ("GET", "/api/v1/placements", Access::Token),
    ("POST", "/api/v1/placements", Access::Token),
    ("GET", "/api/v1/placements/{id}", Access::Token),
    ("PUT", "/api/v1/placements/{id}", Access::Token),
    ("GET", "/api/v1/initiatives", Access::CaseWorker),
    ("POST", "/api/v1/initiatives", Access::Token),
    ("GET", "/api/v1/initiatives/{id}", Access::CaseWorker),
    ("PUT", "/api/v1/initiatives/{id}", Access::Token),
    ("GET", "/api/v1/figures", Access::CaseWorker),
    ("GET", "/api/v1/figures/{id}", Access::CaseWorker),
    ("POST", "/api/v1/figures/{id}/values", Access::Token),
    ("GET", "/needs", Access::CaseWorker),
    ("GET", "/needs/export.csv", Access::CaseWorker),
    ("GET", "/needs/new", Access::CaseWorker),
    ("POST", "/needs/new", Access::CaseWorker),
    ("GET", "/needs/{id}", Access::CaseWorker),
    ("POST", "/needs/{id}", Access::CaseWorker),
    // The council sees counts at /placements, never a row.
    ("GET", "/placements", Access::Staff),
    ("GET", "/placements/stats", Access::Staff),
    ("GET", "/placements/new", Access::CaseWorker),
    ("GET", "/placements/export.csv", Access::CaseWorker),
    ("POST", "/placements", Access::CaseWorker),
    ("GET", "/placements/{id}", Access::CaseWorker),
    ("POST", "/placements/{id}", Access::CaseWorker),
    ("GET", "/rekruttering", Access::Public),
    ("POST", "/rekruttering", Access::Public),
    ("GET", "/rekruttering/tak", Access::Public),
    ("GET", "/rekruttering/bekraeft/{token}", Access::Public),
    ("POST", "/rekruttering/bekraeft/{token}", Access::Public),
    ("GET", "/admin/users", Access::Admin),
    ("POST", "/admin/users", Access::Admin),
    ("POST", "/admin/users/{username}/disabled", Access::Admin),
    ("GET", "/admin/import", Access::Admin),
    ("POST", "/admin/import", Access::Admin),
    ("GET", "/admin/import/{job}", Access::Admin),
    ("GET", "/admin/outbox", Access::Admin),
    ("POST", "/admin/outbox/{id}/retry", Access::Admin),
    ("GET", "/admin/audit", Access::Admin),
    ("GET", "/admin/duplicates", Access::Admin),
    ("GET", "/admin/duplicates/merge", Access::Admin),
    ("POST", "/admin/duplicates/merge", Access::Admin),
    ("POST", "/admin/merges/{id}/undo", Access::Admin),
    ("GET", "/admin/api-tokens", Access::Admin),
    ("POST", "/admin/api-tokens", Access::Admin),
    ("POST", "/admin/api-tokens/{id}/revoke", Access::Admin),
    ("GET", "/admin/gdpr", Access::Admin),
    ("GET", "/admin/placement-rules", Access::Admin),
    ("POST", "/admin/placement-rules", Access::Admin),
    ("POST", "/admin/gdpr/purge", Access::Admin),
    ("GET", "/admin/gdpr/person/export.json", Access::Admin),
    ("POST", "/admin/gdpr/person/erase", Access::Admin),
];
