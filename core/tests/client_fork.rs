//! A client used before `fork` keeps working in the child: the child gets its own runtime and
//! connection pool instead of the parent's, whose threads do not exist there.

use std::time::{Duration, Instant};

mod common;

use common::{Local, one_secret_seed};
use phasekit::{AppRef, GetOptions};

#[test]
fn a_client_used_before_fork_works_in_the_child() {
    let local = Local::start(&one_secret_seed("v"));
    let client = local.client("sa");
    let options = GetOptions::new(AppRef::name("app"), "Development");
    assert_eq!(client.get(&options).unwrap()[0].value.expose(), "v");

    // SAFETY: the child only uses the client and leaves with _exit, never returning into the
    // test harness.
    let child = unsafe { libc::fork() };
    assert!(child >= 0, "fork failed");
    if child == 0 {
        let ok = client
            .get(&options)
            .is_ok_and(|s| s[0].value.expose() == "v");
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    let started = Instant::now();
    let mut status = 0;
    loop {
        // SAFETY: waits for our own child without blocking.
        let done = unsafe { libc::waitpid(child, &mut status, libc::WNOHANG) };
        if done == child {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            unsafe { libc::kill(child, libc::SIGKILL) };
            panic!("the child hung after fork");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the child's get failed"
    );
    // The parent's client is unaffected.
    assert_eq!(client.get(&options).unwrap()[0].value.expose(), "v");
}
