//! `serve` and `demo`: the server with its background work (the delivery worker, the chat
//! listener, the search index warmed, statistics of cases closed earlier), until Ctrl-C or SIGTERM;
//! the demo loads its data, prints the logins, sends its notices and warms the search index
//! first, so that its address is the last line printed.

use std::net::SocketAddr;

use anyhow::Context;
use qiaoyi_app::config::Config;
use qiaoyi_app::outbox::OutboxWorker;
use qiaoyi_app::{App, ImportOutcome};
use tokio::net::TcpListener;

use super::open;
use crate::Failure;

/// `qiaoyi serve`: the installation's server.
pub(crate) async fn serve_installation(config: Config) -> Result<(), Failure> {
    if config.smtp_host.is_none() {
        tracing::warn!(
            "smtp_host is not set: e-mail is kept as files in {} instead of being sent",
            config.data_dir.join("messages").display()
        );
    }
    let listener = bind(config.listen).await?;
    let app = open(config).await?;
    let worker = app.outbox_worker();
    // Nodes of a new installation may start before its catalogue is imported (by another node,
    // or by `qiaoyi import catalog`): they serve, and /readyz keeps a load balancer away until
    // the catalogue is there.
    match app.catalog_header().await {
        Ok(_) => {}
        Err(qiaoyi_app::AppError::NoCatalog) => tracing::warn!(
            "no catalogue has been imported yet: /readyz answers 503 until `qiaoyi import catalog DIR`"
        ),
        Err(e) => return Err(Failure::Other(e.into())),
    }
    // The search index is opened, or built, before the first question rather than during it.
    let warm = app.clone();
    tokio::spawn(async move { warm_search(&warm).await });
    serve(listener, app, worker).await
}

/// `qiaoyi demo`: the demo data loaded (once), then served.
pub(crate) async fn demo(mut config: Config) -> Result<(), Failure> {
    let listener = bind(config.listen).await?;
    // Links in mail, QR codes and printed addresses must lead here: unless the address people use
    // is configured, it is the one listened on (its real port when --listen asked for port 0).
    if !config.public_url_given {
        let addr = listener.local_addr().context("listening address")?;
        config.public_url = format!("http://{addr}");
    }
    let data_dir = config.data_dir.clone();
    let app = open(config).await?;
    let seeded = app
        .seed_demo(app.now_ms())
        .await
        .context("cannot load the demo data")?;
    if let ImportOutcome::Imported {
        items,
        guides,
        stations,
        ..
    } = seeded.catalogue
    {
        println!(
            "imported the reference catalogue: {items} items, {guides} guides, {stations} stations"
        );
    }
    if seeded.cases_created > 0 {
        let closed = app
            .seed_demo_history(app.now_ms())
            .await
            .context("cannot load the demo's closed cases")?;
        app.seed_demo_video(app.now_ms())
            .await
            .context("cannot publish the demo's video-check times")?;
        app.seed_demo_care(app.now_ms())
            .await
            .context("cannot record the demo's children in the care programme")?;
        println!(
            "created {} demo cases and {closed} closed ones for the statistics",
            seeded.cases_created
        );
    }
    print_demo_logins();
    // The demo's notices leave (as files, without a mail server) before the address is printed,
    // so that it is the last line a newcomer reads.
    let mut worker = app.outbox_worker();
    while worker.round().await >= 100 {}
    warm_search(&app).await;
    let addr = listener.local_addr().context("listening address")?;
    println!(
        "Qiaoyi demo: http://{addr}/  (data in {}; stop with Ctrl-C)",
        data_dir.display()
    );
    serve(listener, app, worker).await
}

async fn warm_search(app: &App) {
    match app.warm_search().await {
        Ok(documents) => tracing::info!(documents, "search index ready"),
        Err(e) => {
            tracing::warn!(error = %e, "search index not ready; it is built at the first search")
        }
    }
}

fn print_demo_logins() {
    use qiaoyi_app::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET};
    println!("demo logins (password \"{DEMO_PASSWORD}\"; staff TOTP secret {DEMO_TOTP_SECRET}):");
    for (email, _, grants) in DEMO_ACCOUNTS {
        let roles: Vec<String> = grants
            .iter()
            .map(|(role, scope)| {
                if scope.is_empty() {
                    (*role).to_owned()
                } else {
                    format!("{role}:{scope}")
                }
            })
            .collect();
        println!("  {email:<32} {}", roles.join(", "));
    }
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, Failure> {
    TcpListener::bind(addr).await.map_err(|e| {
        Failure::Other(anyhow::anyhow!(
            "cannot listen on {addr}: {e}; choose another address with --listen or QIAOYI_LISTEN"
        ))
    })
}

async fn serve(listener: TcpListener, app: App, worker: OutboxWorker) -> Result<(), Failure> {
    let worker = worker.spawn();
    // With PostgreSQL, messages written on other nodes reach this node's chat clients.
    let listener_task = app.spawn_chat_listener();
    // Cases closed before statistics existed get their figures once.
    let backfill = app.clone();
    tokio::spawn(async move {
        match backfill.backfill_outcomes(backfill.now_ms()).await {
            Ok(0) => {}
            Ok(cases) => tracing::info!(cases, "statistics recorded for cases closed earlier"),
            Err(e) => tracing::warn!(error = %e, "statistics of cases closed earlier not recorded"),
        }
    });
    let served = qiaoyi_web::serve(listener, app.clone(), shutdown_signal())
        .await
        .context("the server stopped");
    worker.abort();
    if let Some(task) = listener_task {
        task.abort();
    }
    served?;
    app.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
