//! The listener's limits against slow and greedy clients: slowloris, a connection cap, a
//! header-read deadline and a request timeout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: fail loudly.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use cloudshell::auth::throttle::Limits as ThrottleLimits;
use common::http::Request;
use common::{TestApp, spawn_app, spawn_app_adjusted};
use server::serve::{HEADER_READ_TIMEOUT, Limits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A second listener on the same app, with its own limits.
async fn listen_with(app: &TestApp, limits: Limits) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = server::build_router(app.state.clone());
    tokio::spawn(server::serve::run(
        listener,
        router,
        limits,
        std::future::pending(),
    ));
    addr
}

async fn health_within(addr: SocketAddr, limit: Duration) -> bool {
    tokio::time::timeout(limit, Request::get("/api/health").send(addr))
        .await
        .is_ok_and(|res| res.status == 200)
}

#[tokio::test]
async fn two_thousand_trickling_connections_do_not_stop_health_and_are_cut_off() {
    let app = spawn_app().await;
    // The real limits but a shorter header deadline, so the test sees them cut off soon.
    let addr = listen_with(
        &app,
        Limits {
            header_read_timeout: Duration::from_secs(2),
            ..Limits::default()
        },
    )
    .await;
    let mut slow = Vec::with_capacity(2000);
    for _ in 0..2000 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        slow.push(s);
    }
    // Keep them trickling, one header byte at a time.
    let trickle = tokio::spawn(async move {
        for _ in 0..10 {
            for s in slow.iter_mut() {
                let _ = s.write_all(b"X").await;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        slow
    });
    let started = Instant::now();
    assert!(health_within(addr, Duration::from_secs(1)).await);
    assert!(started.elapsed() < Duration::from_secs(1));
    // Past the deadline the server has hung up on every one of them.
    let mut slow = trickle.await.unwrap();
    let mut buf = [0u8; 512];
    for s in slow.iter_mut() {
        let closed = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "a trickling connection was still open");
    }
}

#[tokio::test]
async fn headers_that_never_finish_are_cut_off() {
    assert_eq!(HEADER_READ_TIMEOUT, Duration::from_secs(10));
    let app = spawn_app().await;
    let addr = listen_with(
        &app,
        Limits {
            header_read_timeout: Duration::from_secs(1),
            ..Limits::default()
        },
    )
    .await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    let started = Instant::now();
    let closed = async {
        let mut buf = [0u8; 256];
        loop {
            // Still trickling: a byte every 100 ms, until the server hangs up.
            if s.write_all(b"X").await.is_err() {
                return;
            }
            if let Ok(Ok(0) | Err(_)) =
                tokio::time::timeout(Duration::from_millis(100), s.read(&mut buf)).await
            {
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), closed)
        .await
        .expect("the server should close a connection whose headers never end");
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let app = spawn_app().await;
    let addr = listen_with(
        &app,
        Limits {
            max_connections: 20,
            ..Limits::default()
        },
    )
    .await;
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    assert!(
        !health_within(addr, Duration::from_millis(500)).await,
        "the 21st connection is not served while 20 are open"
    );
    idle.truncate(10);
    assert!(health_within(addr, Duration::from_secs(5)).await);
}

#[tokio::test]
async fn a_request_that_takes_too_long_gets_503() {
    let app = spawn_app_adjusted(|state| {
        state.request_timeout = Duration::from_millis(500);
        // Every login attempt waits 3 s first: longer than the request may take.
        state.auth = state.auth.clone().with_throttle_limits(ThrottleLimits {
            slow_after: 0,
            first_delay: Duration::from_secs(3),
            ..ThrottleLimits::default()
        });
    })
    .await;
    let started = Instant::now();
    let res = Request::login("admin", "whatever-pw").send(app.addr).await;
    assert_eq!(res.status, 503, "{}", res.body);
    assert!(started.elapsed() < Duration::from_secs(2));
}
