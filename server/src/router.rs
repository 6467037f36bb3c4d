//! The axum router: health, server functions under /api, Leptos pages, static files.

use app::error::AppError;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::middleware::{from_fn_with_state, map_response};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};

use crate::state::AppState;
use crate::{health::health, middleware::auth_gate};

/// What server functions and pages find with `use_context`.
fn provide_services(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static + use<> {
    let auth = state.auth.clone();
    let auditor = state.auditor.clone();
    let db = state.db.clone();
    let devices = state.devices.clone();
    let terminals = state.terminals.clone();
    let verifier = state.verifier.clone();
    let revocations = state.revocations.clone();
    let files = state.files.clone();
    let permissions = state.permissions.clone();
    let users = state.users.clone();
    move || {
        provide_context(permissions.clone());
        provide_context(users.clone());
        provide_context(files.clone());
        provide_context(revocations.clone());
        provide_context(verifier.clone());
        provide_context(terminals.clone());
        provide_context(auth.clone());
        provide_context(devices.clone());
        provide_context(auditor.clone());
        provide_context(db.clone());
    }
}

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> Response {
    leptos_axum::handle_server_fns_with_context(provide_services(&state), req)
        .await
        .into_response()
}

/// Errors raised before a server function runs (arguments that do not decode) leave
/// server_fn's blanket 500; give them the status their AppError names.
async fn server_fn_error_status(res: Response) -> Response {
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key("serverfnerror")
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status()).unwrap_or(parts.status);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Every route that is not a server function or a page, with its handler. The router is
/// built from this list, and the access-matrix test reads it: a route added here without a
/// row in that test's table fails it.
pub fn plain_routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/api/health", get(health)),
        ("/api/audit/export", get(crate::export::export)),
        ("/sw.js", get(crate::pwa::service_worker)),
        (
            "/ws/terminal/{device_id}",
            get(crate::terminal::terminal_ws),
        ),
        (
            "/api/transfers/{session}/download",
            get(crate::transfers::download),
        ),
        (
            "/api/transfers/{session}/archive",
            get(crate::archive::archive),
        ),
        (
            "/api/transfers/{session}/upload",
            axum::routing::put(crate::transfers::upload),
        ),
    ]
}

pub fn build_router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let mut router = Router::new();
    for (path, handler) in plain_routes() {
        router = router.route(path, handler);
    }
    router
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .leptos_routes_with_context(&state, routes, provide_services(&state), move || {
            shell(options.clone())
        })
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            provide_services(&state),
            shell,
        ))
        .layer(map_response(server_fn_error_status))
        .layer(from_fn_with_state(state.clone(), auth_gate))
        .layer(from_fn_with_state(
            state.request_timeout,
            crate::edge::request_timeout,
        ))
        .layer(from_fn_with_state(
            crate::headers::Https(state.public_url.as_ref().is_some_and(|o| o.https)),
            crate::headers::security_headers,
        ))
        .with_state(state)
}
