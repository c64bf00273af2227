//! Staff sign-in with the municipality's identity provider (OpenID Connect:
//! the authorization code flow with PKCE, `state` and `nonce`).
//!
//! `GET /login/oidc` keeps the flow's secrets in the visitor's sealed
//! session cookie and sends the browser to the provider; the provider sends
//! it back to `GET /login/oidc/callback` with a code. The code is exchanged
//! (with the PKCE verifier and the client secret) for an ID token whose
//! signature, issuer, audience, expiry and nonce are checked. The person is
//! matched by the provider's subject id; the role comes from the group
//! mapping, at every sign-in ([`crate::users::commands::ProviderSignIn`]).
//!
//! The provider's endpoints and keys are discovered from the issuer URL
//! when first needed (so the portal starts while the provider is down, and
//! admins can still use their break-glass passwords) and kept for an hour;
//! a token signed with a key not in the kept set fetches the keys once more
//! (key rotation) before it is refused.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, get, web};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IdToken, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, ProviderMetadataWithLogout, RedirectUrl, Scope,
    reqwest,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::domain::Role;
use crate::users::commands::{ProviderIdentity, ProviderOutcome, ProviderSignIn};
use crate::web::{
    AppState,
    auth::{self, Visitor},
    error::AppError,
    form::query,
    i18n,
    login::safe_next,
    render::{html_status, see_other},
};

/// The session key of a started sign-in.
const FLOW: &str = "oidc_flow";
/// Set in the session of a sign-in through the provider: sign-out ends
/// the provider's session too.
pub const VIA_PROVIDER: &str = "via_oidc";
/// How long discovered metadata and keys are used.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// How soon keys may be fetched again for a token with an unknown key.
const REFETCH_AFTER: Duration = Duration::from_secs(2);
/// The ID token signatures accepted: public-key ones only, whatever the
/// provider announces (an HMAC one would be made with the client secret,
/// which the portal shares with the provider).
const ALLOWED_ALGS: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];
/// How long a started sign-in may take at the provider.
const FLOW_MINUTES: i64 = 15;

/// The ID token's claims beyond the standard ones: all kept, so the role
/// claim's name can be configured (`groups`, `roles`, …).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct OtherClaims(HashMap<String, serde_json::Value>);

impl AdditionalClaims for OtherClaims {}

type PortalIdToken = IdToken<
    OtherClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// A started sign-in, in the visitor's session until the provider sends
/// the browser back.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Flow {
    state: String,
    nonce: String,
    pkce_verifier: String,
    next: String,
    started: i64,
}

/// Why a sign-in through the provider did not happen. Shown to the person
/// as one of a few plain messages; the reason goes to the log (no
/// personal data in it).
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached or answered nonsense.
    #[error("identity provider unavailable: {0}")]
    Unavailable(String),
    /// The answer did not belong to a sign-in started here, or its token
    /// did not check out.
    #[error("sign-in refused: {0}")]
    Refused(String),
    /// The sign-in started here is gone (expired, or already used).
    #[error("no sign-in in progress")]
    NoFlow,
    /// The provider said no (the person cancelled, or has no access).
    #[error("the provider refused: {0}")]
    ProviderSaidNo(String),
}

/// Which of the portal's roles a person's groups give: the highest.
#[derive(Debug, Clone, Default)]
pub struct RoleMap {
    pub claim: String,
    pub admin: Vec<String>,
    pub consultant: Vec<String>,
    pub council: Vec<String>,
}

impl RoleMap {
    pub fn from_settings(s: &Settings) -> RoleMap {
        RoleMap {
            claim: s.oidc_role_claim.clone(),
            admin: s.oidc_admin_groups.clone(),
            consultant: s.oidc_consultant_groups.clone(),
            council: s.oidc_council_groups.clone(),
        }
    }

    /// The role of someone whose role claim holds `value` (a list of
    /// strings, or one string).
    pub fn role_of(&self, value: Option<&serde_json::Value>) -> Option<Role> {
        let groups: Vec<&str> = match value {
            Some(serde_json::Value::Array(items)) => {
                items.iter().filter_map(serde_json::Value::as_str).collect()
            }
            Some(serde_json::Value::String(s)) => vec![s.as_str()],
            _ => Vec::new(),
        };
        let has = |list: &[String]| groups.iter().any(|g| list.iter().any(|l| l == g));
        if has(&self.admin) {
            Some(Role::Admin)
        } else if has(&self.consultant) {
            Some(Role::Consultant)
        } else if has(&self.council) {
            Some(Role::Council)
        } else {
            None
        }
    }
}

struct Discovered {
    at: Instant,
    metadata: ProviderMetadataWithLogout,
}

/// The portal as a client of the identity provider.
pub struct Oidc {
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    redirect: RedirectUrl,
    /// Where the provider sends the browser after signing out.
    post_logout: String,
    roles: RoleMap,
    http: reqwest::Client,
    discovered: tokio::sync::RwLock<Option<Arc<Discovered>>>,
}

impl Oidc {
    /// The client of the configured provider, or None when none is.
    pub fn from_settings(s: &Settings, app_url: &str) -> anyhow::Result<Option<Oidc>> {
        use anyhow::Context;
        if !s.oidc_enabled() {
            return Ok(None);
        }
        let issuer = IssuerUrl::new(s.oidc_issuer.clone().unwrap_or_default().trim().to_string())
            .context("oidc_issuer is not a URL")?;
        let client_id = s
            .oidc_client_id
            .clone()
            .filter(|c| !c.trim().is_empty())
            .context("oidc_issuer is set but oidc_client_id is not")?;
        let base = app_url.trim_end_matches('/');
        let redirect = RedirectUrl::new(
            s.oidc_redirect_url
                .clone()
                .unwrap_or_else(|| format!("{base}/login/oidc/callback")),
        )
        .context("oidc_redirect_url is not a URL")?;
        let http = reqwest::Client::builder()
            // Following redirects would let a provider's answer send the
            // portal's requests anywhere (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .context("building the identity provider's HTTP client")?;
        Ok(Some(Oidc {
            issuer,
            client_id: ClientId::new(client_id),
            client_secret: s
                .oidc_client_secret
                .as_ref()
                .map(|c| ClientSecret::new(c.expose_secret().to_string())),
            redirect,
            post_logout: format!("{base}/login"),
            roles: RoleMap::from_settings(s),
            http,
            discovered: tokio::sync::RwLock::new(None),
        }))
    }

    /// The issuer's origin (scheme, host, port), for the CSP.
    pub fn origin(&self) -> String {
        self.issuer.url().origin().ascii_serialization()
    }

    /// The provider's metadata and keys: kept, or fetched when older than
    /// an hour (or than `fresher_than`, to look for a rotated key).
    async fn metadata(&self, fresher_than: Duration) -> Result<Arc<Discovered>, OidcError> {
        if let Some(d) = self.discovered.read().await.as_ref()
            && d.at.elapsed() < fresher_than
        {
            return Ok(d.clone());
        }
        let mut slot = self.discovered.write().await;
        if let Some(d) = slot.as_ref()
            && d.at.elapsed() < fresher_than
        {
            return Ok(d.clone());
        }
        let metadata = ProviderMetadataWithLogout::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| OidcError::Unavailable(format!("discovery: {e}")))?;
        let d = Arc::new(Discovered {
            at: Instant::now(),
            metadata,
        });
        *slot = Some(d.clone());
        Ok(d)
    }

    fn client(
        &self,
        d: &Discovered,
    ) -> CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    > {
        CoreClient::from_provider_metadata(
            d.metadata.clone(),
            self.client_id.clone(),
            self.client_secret.clone(),
        )
        .set_redirect_uri(self.redirect.clone())
    }

    /// Starts a sign-in: the provider's address to send the browser to,
    /// and what the session keeps until it comes back.
    async fn begin(
        &self,
        next: &str,
        lang: crate::domain::Lang,
    ) -> Result<(String, Flow), OidcError> {
        let d = self.metadata(METADATA_TTL).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = self
            .client(&d)
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .add_extra_param("ui_locales", lang.as_str())
            .set_pkce_challenge(challenge)
            .url();
        let flow = Flow {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            next: next.to_string(),
            started: chrono::Utc::now().timestamp(),
        };
        Ok((url.to_string(), flow))
    }

    /// Completes a sign-in: checks the answer against the flow, exchanges
    /// the code and verifies the ID token.
    async fn finish(
        &self,
        flow: &Flow,
        params: &crate::web::form::FormData,
    ) -> Result<ProviderIdentity, OidcError> {
        if chrono::Utc::now().timestamp() - flow.started > FLOW_MINUTES * 60 {
            return Err(OidcError::NoFlow);
        }
        if !same_secret(params.get("state"), &flow.state) {
            return Err(OidcError::Refused("state does not match".into()));
        }
        // RFC 9207: the answer names the provider that gave it (a mix-up
        // with another provider is refused).
        if let Some(iss) = params.has("iss").then(|| params.get("iss"))
            && iss.trim_end_matches('/') != self.issuer.as_str().trim_end_matches('/')
        {
            return Err(OidcError::Refused("iss parameter of another issuer".into()));
        }
        if let Some(error) = params.has("error").then(|| params.get("error")) {
            return Err(OidcError::ProviderSaidNo(error.chars().take(64).collect()));
        }
        let code = params.get("code");
        if code.is_empty() {
            return Err(OidcError::Refused("no code".into()));
        }
        let d = self.metadata(METADATA_TTL).await?;
        let client = self.client(&d);
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::Unavailable(format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                openidconnect::RequestTokenError::ServerResponse(r) => {
                    OidcError::Refused(format!("token endpoint: {}", r.error()))
                }
                other => OidcError::Unavailable(format!("token endpoint: {other}")),
            })?;
        use openidconnect::TokenResponse;
        let raw = token
            .id_token()
            .ok_or_else(|| OidcError::Refused("no ID token".into()))?
            .to_string();
        let id_token: PortalIdToken = raw
            .parse()
            .map_err(|e| OidcError::Refused(format!("ID token: {e}")))?;
        let nonce = Nonce::new(flow.nonce.clone());
        let claims = match id_token.claims(&verifier(&client), &nonce) {
            Ok(c) => c.clone(),
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(
                openidconnect::SignatureVerificationError::NoMatchingKey,
            )) => {
                // Perhaps the provider rotated its keys: fetch them again.
                let fresh = self.metadata(REFETCH_AFTER).await?;
                let client = self.client(&fresh);
                id_token
                    .claims(&verifier(&client), &nonce)
                    .map_err(|e| OidcError::Refused(format!("ID token: {e}")))?
                    .clone()
            }
            Err(e) => return Err(OidcError::Refused(format!("ID token: {e}"))),
        };
        let subject = claims.subject().as_str().to_string();
        let email = claims.email().map(|e| e.as_str().to_lowercase());
        let username_hint = claims
            .preferred_username()
            .map(|u| u.as_str().to_string())
            .or_else(|| email.clone())
            .unwrap_or_default();
        // Without a name: the username or email, never the opaque subject.
        let display_name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().trim().to_string())
            .filter(|n| !n.is_empty())
            .or_else(|| Some(username_hint.clone()).filter(|u| !u.is_empty()))
            .unwrap_or_else(|| "(uden navn)".to_string());
        let role = self
            .roles
            .role_of(claims.additional_claims().0.get(&self.roles.claim));
        Ok(ProviderIdentity {
            issuer: self.issuer.as_str().to_string(),
            subject,
            username_hint,
            display_name: display_name.chars().take(200).collect(),
            email,
            role,
        })
    }

    /// Where to send the browser to end the provider's session too, when
    /// the provider supports it (RP-initiated logout).
    pub async fn logout_url(&self, lang: crate::domain::Lang) -> Option<String> {
        let d = tokio::time::timeout(Duration::from_secs(5), self.metadata(METADATA_TTL))
            .await
            .ok()?
            .ok()?;
        let end = d
            .metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let mut url = end.url().clone();
        url.query_pairs_mut()
            .append_pair("client_id", self.client_id.as_str())
            .append_pair("post_logout_redirect_uri", &self.post_logout)
            .append_pair("ui_locales", lang.as_str());
        Some(url.to_string())
    }
}

/// Compares two secrets without telling by its timing how much matched.
/// The client's ID token verifier, with public-key signatures only.
fn verifier<'a, A, B, C, D, E, F>(
    client: &'a CoreClient<A, B, C, D, E, F>,
) -> openidconnect::IdTokenVerifier<'a, openidconnect::core::CoreJsonWebKey>
where
    A: openidconnect::EndpointState,
    B: openidconnect::EndpointState,
    C: openidconnect::EndpointState,
    D: openidconnect::EndpointState,
    E: openidconnect::EndpointState,
    F: openidconnect::EndpointState,
{
    client.id_token_verifier().set_allowed_algs(ALLOWED_ALGS)
}

fn same_secret(a: &str, b: &str) -> bool {
    use sha2::Digest;
    !b.is_empty() && sha2::Sha256::digest(a.as_bytes()) == sha2::Sha256::digest(b.as_bytes())
}

/// The enabled account the provider's person already has.
async fn known_account(
    state: &AppState,
    identity: &ProviderIdentity,
) -> Result<Option<i32>, AppError> {
    use entity::app_user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Ok(app_user::Entity::find()
        .filter(app_user::Column::OidcIssuer.eq(&identity.issuer))
        .filter(app_user::Column::OidcSubject.eq(&identity.subject))
        .filter(app_user::Column::Disabled.eq(false))
        .one(&state.db)
        .await?
        .map(|u| u.id))
}

fn provider(state: &AppState) -> Result<&Oidc, AppError> {
    state.oidc.as_ref().ok_or(AppError::NotFound)
}

/// The page of a sign-in through the provider that did not happen.
fn failure(
    state: &AppState,
    visitor: &Visitor,
    key: &str,
    status: u16,
    next: &str,
) -> Result<HttpResponse, AppError> {
    let mut ctx = visitor.context();
    ctx.insert(
        "retry_href",
        &format!(
            "/login/oidc?{}",
            serde_urlencoded::to_string([("next", safe_next(next))]).unwrap_or_default()
        ),
    );
    ctx.insert("title", i18n::t(visitor.lang, &format!("{key}_title")));
    ctx.insert("message", i18n::t(visitor.lang, key));
    // Trying again helps when the sign-in failed, not when the answer is no.
    ctx.insert("retry", &!matches!(key, "oidc_no_role" | "oidc_disabled"));
    ctx.insert(
        "local_sign_in",
        &(state.settings.local_sign_in() != crate::config::LocalSignIn::Off),
    );
    let body = state
        .templates
        .render(visitor.lang, "login_oidc_error.html", &ctx)?;
    Ok(html_status(status, body))
}

#[get("/login/oidc")]
async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let oidc = provider(&state)?;
    let q = query(&req);
    let next = safe_next(q.get("next")).to_string();
    match oidc.begin(&next, visitor.lang).await {
        Ok((url, flow)) => {
            let _ = visitor.session.insert(FLOW, &flow);
            Ok(see_other(&url))
        }
        Err(e) => {
            tracing::warn!(error = %e, "identity provider sign-in could not start");
            failure(&state, &visitor, "oidc_unavailable", 503, &next)
        }
    }
}

#[get("/login/oidc/callback")]
async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let oidc = provider(&state)?;
    let params = query(&req);
    // One answer per started sign-in.
    let flow: Option<Flow> = visitor.session.get(FLOW).ok().flatten();
    visitor.session.remove(FLOW);
    let next = flow.as_ref().map_or("/".to_string(), |f| f.next.clone());
    let identity = match flow {
        None => Err(OidcError::NoFlow),
        Some(flow) => oidc.finish(&flow, &params).await,
    };
    let identity = match identity {
        Ok(ok) => ok,
        Err(e) => {
            tracing::warn!(error = %e, "identity provider sign-in refused");
            let (key, status) = match e {
                OidcError::Unavailable(_) => ("oidc_unavailable", 503),
                OidcError::NoFlow => ("oidc_expired", 400),
                OidcError::ProviderSaidNo(_) => ("oidc_provider_refused", 403),
                OidcError::Refused(_) => ("oidc_refused", 400),
            };
            return failure(&state, &visitor, key, status, &next);
        }
    };
    let ip = crate::web::client_ip(&req, &state);
    let sid = auth::random_token();
    let cmd = || ProviderSignIn {
        identity: identity.clone(),
        client: ip.to_string(),
        session_id: sid.clone(),
        hours: state.settings.session_hours,
        idle_minutes: state.settings.session_idle_minutes,
    };
    // The person's own act once they have an account (as a local sign-in
    // is), nobody's before.
    let actor = match known_account(&state, &identity).await? {
        Some(id) => crate::app::Actor::User(id),
        None => crate::app::Actor::Public,
    };
    // Two first sign-ins of one person at once: one creates the account,
    // the other finds it when it runs again.
    let outcome = match state.app.run(actor.clone(), cmd()).await {
        Err(crate::app::Error::Conflict { .. }) => state.app.run(actor.clone(), cmd()).await?,
        other => other?,
    };
    match outcome {
        ProviderOutcome::NoRole => failure(&state, &visitor, "oidc_no_role", 403, &next),
        ProviderOutcome::Disabled => failure(&state, &visitor, "oidc_disabled", 403, &next),
        ProviderOutcome::SignedIn(user) => {
            visitor.session.renew();
            visitor.session.clear();
            let _ = visitor.session.insert(auth::SESSION_ID, &sid);
            let _ = visitor.session.insert(auth::CSRF, auth::random_token());
            let _ = visitor.session.insert(VIA_PROVIDER, true);
            tracing::info!(user_id = user.id, "signed in through the identity provider");
            Ok(see_other(&next))
        }
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(start).service(callback);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_highest_mapped_role_wins_and_unmapped_groups_give_none() {
        let map = RoleMap {
            claim: "groups".into(),
            admin: vec!["g-admin".into()],
            consultant: vec!["g-kons".into(), "g-kons-2".into()],
            council: vec!["g-raad".into()],
        };
        assert_eq!(
            map.role_of(Some(&json!(["x", "g-raad", "g-kons-2"]))),
            Some(Role::Consultant)
        );
        assert_eq!(
            map.role_of(Some(&json!(["g-raad", "g-admin"]))),
            Some(Role::Admin)
        );
        assert_eq!(map.role_of(Some(&json!("g-raad"))), Some(Role::Council));
        assert_eq!(map.role_of(Some(&json!(["G-ADMIN", "other"]))), None);
        assert_eq!(map.role_of(Some(&json!([1, null]))), None);
        assert_eq!(map.role_of(None), None);
    }

    #[test]
    fn secrets_compare_equal_only_when_equal_and_never_when_empty() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abd", "abc"));
        assert!(!same_secret("", ""));
    }
}
