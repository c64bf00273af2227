//! A bare actix-web hello-world: the baseline the list page is measured
//! against in BENCHMARKS.md (same machine, same run, same load tool).
use actix_web::{App, HttpServer, get};

#[get("/")]
async fn hello() -> &'static str {
    "Hello, world!"
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18081".into());
    HttpServer::new(|| App::new().service(hello))
        .bind(bind)?
        .run()
        .await
}
