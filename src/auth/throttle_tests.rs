use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn fail(t: &LoginThrottle, from: &str, user: &str, now: Instant) -> Option<Duration> {
    t.begin(ip(from), user, now)
        .expect("let through")
        .failed(now)
}

#[test]
fn five_failures_block_the_pair_doubling_up_to_an_hour() {
    let t = LoginThrottle::default();
    let start = Instant::now();
    for i in 0..4 {
        assert_eq!(
            fail(&t, "192.0.2.1", "bob", start + Duration::from_secs(i)),
            None
        );
    }
    assert_eq!(
        fail(&t, "192.0.2.1", "bob", start + Duration::from_secs(4)),
        Some(Duration::from_secs(60))
    );
    let wait = t
        .begin(ip("192.0.2.1"), "BOB", start + Duration::from_secs(14))
        .unwrap_err();
    assert_eq!(wait, Duration::from_secs(50));
    // Another username from that address, and that username from elsewhere, still get in.
    t.begin(ip("192.0.2.1"), "alice", start)
        .unwrap()
        .succeeded();
    t.begin(ip("198.51.100.1"), "bob", start)
        .unwrap()
        .succeeded();

    let mut now = start + Duration::from_secs(65);
    let mut expected = Duration::from_secs(120);
    for _ in 0..8 {
        let mut got = None;
        for _ in 0..5 {
            got = fail(&t, "192.0.2.1", "bob", now);
        }
        assert_eq!(got, Some(expected.min(Duration::from_secs(3600))));
        now += expected.min(Duration::from_secs(3600)) + Duration::from_secs(1);
        expected *= 2;
    }
}

#[test]
fn parallel_attempts_are_counted_before_any_is_checked() {
    let t = LoginThrottle::default();
    let now = Instant::now();
    let results: Vec<_> = (0..40)
        .map(|_| t.begin(ip("192.0.2.1"), "admin", now))
        .collect();
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|w| *w == Duration::from_secs(60))
    );
    let through: Vec<Attempt> = results.into_iter().filter_map(Result::ok).collect();
    assert_eq!(through.len(), 5);
    let blocks: Vec<_> = through.into_iter().map(|a| a.failed(now)).collect();
    assert_eq!(blocks.iter().flatten().count(), 1, "one block, not five");
    assert!(t.begin(ip("192.0.2.1"), "admin", now).is_err());
}

#[test]
fn an_address_trying_many_usernames_is_blocked() {
    let t = LoginThrottle::default();
    let now = Instant::now();
    for i in 0..9 {
        assert_eq!(fail(&t, "192.0.2.7", &format!("user{i}"), now), None);
    }
    assert_eq!(
        fail(&t, "192.0.2.7", "user9", now),
        Some(Duration::from_secs(60))
    );
    assert!(t.begin(ip("192.0.2.7"), "someone-new", now).is_err());
    assert!(t.begin(ip("192.0.2.8"), "someone-new", now).is_ok());
}

#[test]
fn failures_from_everywhere_only_slow_a_username_down() {
    let t = LoginThrottle::default();
    let now = Instant::now();
    // Many addresses, a few guesses each: none of them is blocked, and neither is the admin.
    for i in 0..40 {
        fail(&t, &format!("203.0.113.{i}"), "admin", now);
    }
    let honest = t
        .begin(ip("192.0.2.200"), "admin", now)
        .expect("never refused");
    assert_eq!(honest.delay, Duration::from_secs(4), "capped");
    honest.succeeded();
    let next = t.begin(ip("192.0.2.200"), "admin", now).unwrap();
    assert_eq!(next.delay, Duration::ZERO, "a success resets the slowdown");

    let t = LoginThrottle::default();
    let delays: Vec<Duration> = (0..8)
        .map(|i| {
            let a = t
                .begin(ip(&format!("203.0.113.{i}")), "carol", now)
                .unwrap();
            let d = a.delay;
            a.failed(now);
            d
        })
        .collect();
    let ms: Vec<u128> = delays.iter().map(Duration::as_millis).collect();
    assert_eq!(ms, [0, 0, 0, 0, 0, 250, 500, 1000]);
}

#[test]
fn failures_outside_the_window_do_not_count() {
    let t = LoginThrottle::default();
    let start = Instant::now();
    for i in 0..4 {
        fail(&t, "192.0.2.1", "bob", start + Duration::from_secs(i));
    }
    let later = start + Duration::from_secs(15 * 60 + 5);
    assert_eq!(fail(&t, "192.0.2.1", "bob", later), None);
}

#[test]
fn refusals_are_reported_once_per_block_when_it_ends() {
    let t = LoginThrottle::default();
    let start = Instant::now();
    for _ in 0..5 {
        fail(&t, "192.0.2.1", "Mallory", start);
    }
    for _ in 0..20 {
        assert!(t.begin(ip("192.0.2.1"), "mallory", start).is_err());
    }
    assert!(
        t.take_reports(start).is_empty(),
        "not while the block lasts"
    );
    let after = start + Duration::from_secs(61);
    assert_eq!(
        t.take_reports(after),
        [BlockReport {
            username: "Mallory".into(),
            ip: ip("192.0.2.1"),
            whole_address: false,
            refused: 20,
            blocked_for: Duration::from_secs(60),
        }]
    );
    assert!(t.take_reports(after).is_empty(), "reported once");
}

#[test]
fn a_flood_of_new_keys_cannot_lift_a_block() {
    let t = LoginThrottle::new(Limits {
        max_keys: 100,
        ..Limits::default()
    });
    let now = Instant::now();
    for i in 0..10 {
        fail(&t, "192.0.2.1", &format!("guess{i}"), now);
    }
    // The address is blocked; its refused attempts add no keys.
    let size = t.keys.lock().unwrap().len();
    for i in 0..1000 {
        assert!(t.begin(ip("192.0.2.1"), &format!("junk{i}"), now).is_err());
    }
    assert_eq!(t.keys.lock().unwrap().len(), size);
    // New addresses fill the map far past its size; the block stays.
    for i in 0..2000u32 {
        let [_, b, c, d] = (0x0a00_0000 + i).to_be_bytes();
        if let Ok(a) = t.begin(IpAddr::from([10, b, c, d]), "x", now) {
            a.succeeded();
        }
    }
    assert!(t.begin(ip("192.0.2.1"), "admin", now).is_err());
    assert!(t.keys.lock().unwrap().len() <= 100);
}

#[test]
fn ipv6_addresses_count_by_their_64() {
    let t = LoginThrottle::default();
    let now = Instant::now();
    for i in 0..5 {
        fail(&t, &format!("2001:db8:1:2::{i}"), "admin", now);
    }
    assert!(t.begin(ip("2001:db8:1:2:ffff::9"), "admin", now).is_err());
    assert!(t.begin(ip("2001:db8:1:3::1"), "admin", now).is_ok());
    // An IPv4-mapped address is its IPv4 address.
    for _ in 0..5 {
        fail(&t, "::ffff:192.0.2.9", "bob", now);
    }
    assert!(t.begin(ip("192.0.2.9"), "bob", now).is_err());
}

#[test]
fn attempts_that_never_finish_do_not_count() {
    let t = LoginThrottle::default();
    let now = Instant::now();
    for _ in 0..20 {
        // Busy, a database error, a client gone: the attempt is dropped unfinished.
        drop(t.begin(ip("192.0.2.1"), "admin", now).expect("let through"));
    }
    assert!(t.begin(ip("192.0.2.1"), "admin", now).is_ok());
    assert!(t.take_reports(now).is_empty());
}

#[test]
fn the_map_has_a_fixed_size() {
    let t = LoginThrottle::new(Limits {
        max_keys: 100,
        ..Limits::default()
    });
    let now = Instant::now();
    for i in 0..1000u32 {
        let [a, b, c, d] = (0x0a00_0000 + i).to_be_bytes();
        let _ = t.begin(IpAddr::from([a, b, c, d]), &format!("user{i}"), now);
        assert!(t.keys.lock().unwrap().len() <= 101);
    }
}
