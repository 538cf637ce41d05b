//! Key material does not outlive the client: after a client has fetched, decrypted and written
//! secrets and has been dropped, the process memory holds none of the keys it derived and none
//! of the secret values it handled.
//!
//! The check runs in a fresh child process (this test binary again, filtered to
//! [`zeroize_child`] and marked by an environment variable), so that nothing else in the scanned
//! memory knows the keys: the local server, which must know them, stays in the parent. The child
//! connects, reads, writes, drops the client and its runtime (which joins the runtime's threads
//! and drops every task, pooled connections included), then reads every readable, writable,
//! private mapping of itself through `/proc/self/maps` and `/proc/self/mem`: the heap and the
//! malloc arenas of other threads, anonymous mappings (the stacks of threads, exited ones that
//! glibc keeps for reuse included), `.data`/`.bss`, and the main stack.
//!
//! The needles reach the child only XOR-masked (`MASK`), the token included, so the environment
//! (and the stack area holding it) contains no plain copy: the token's plain form exists only in
//! the buffer the child hands to the client and wipes afterwards. The scanner masks each block of
//! memory it reads and searches it for the masked needles, so its own copies of the needles can
//! never match, and a hit is reported by name and address, never by value. A positive control (a
//! canary left in a leaked plain `Vec`) proves that the scan finds what is there; without it, a
//! scanner that read nothing would pass.
//!
//! Checked, as raw bytes and as lowercase hex (the protocol carries keys as hex text): the
//! account private key, both of its XOR shares (the token's and the server's unwrapped one), the
//! token's wrap key, the environment seed and private key; the environment salt (hex text only,
//! as it is used); the 30 bytes of each private key that X25519 clamping leaves alone, which a
//! clamped copy made by an X25519 implementation would hold; and the plaintext values of secrets
//! read (directly, exported, and substituted into another value through a reference) and written
//! (created and updated): `SecretString` promises to wipe values on drop.
//!
//! Not checked: secret key names, comments and paths (plain `String`s in `Secret`, not secret
//! values); the bearer part of the token, which travels in an HTTP header through reqwest and
//! hyper, whose buffers are not wiped (it authenticates but decrypts nothing; the child reports
//! it as a known exposure when it finds it, without failing); ciphertexts (the HTTP bodies hold
//! only those); the per-message X25519 session keys (nothing outside a single decryption knows
//! them); CPU registers. `NewSecret` and `SecretUpdate` hold the caller's own plain `String`s,
//! so the child wipes those itself and only copies made by the client are looked for. The
//! process-wide runtime of `BlockingClient` lives as long as the process; this test drives the
//! async client on a runtime it owns so that everything can be dropped before the scan.

#![cfg(target_os = "linux")]

use std::process::Command;

use phasekit::Token;
use phasekit_server::{BackgroundServer, Seed, World};

/// Marks the child process; without it, [`zeroize_child`] does nothing.
const CHILD_MARKER: &str = "PHASEKIT_ZEROIZE_CHILD";
const HOST_VAR: &str = "PHASEKIT_ZEROIZE_HOST";
/// The masked token, hex-encoded.
const TOKEN_VAR: &str = "PHASEKIT_ZEROIZE_TOKEN";
/// The masked values the child writes (created, then updated), hex-encoded, `;`-separated.
const WRITES_VAR: &str = "PHASEKIT_ZEROIZE_WRITES";
/// `label=masked hex` pairs, `;`-separated: found means failed.
const NEEDLES_VAR: &str = "PHASEKIT_ZEROIZE_NEEDLES";
/// Like the needles, but only reported: exposure that is known and accepted.
const INFO_VAR: &str = "PHASEKIT_ZEROIZE_INFO";
/// The masked positive-control bytes.
const CANARY_VAR: &str = "PHASEKIT_ZEROIZE_CANARY";
/// What the child prints when its scan completed, so the parent knows it really ran.
const DONE_LINE: &str = "zeroize scan complete";
/// What the child prints when this system does not let a process read its own memory.
const SKIP_LINE: &str = "zeroize scan skipped";

const MASK: u8 = 0x5A;

const APP: &str = "app";
const ENV: &str = "Development";

fn masked_hex(plain: &[u8]) -> String {
    hex::encode(plain.iter().map(|b| b ^ MASK).collect::<Vec<u8>>())
}

fn random_hex() -> String {
    hex::encode(phasekit::crypto::random_bytes::<24>())
}

/// Labelled byte strings the child must not find.
#[derive(Default)]
struct Needles(Vec<(String, Vec<u8>)>);

impl Needles {
    fn add(&mut self, label: &str, bytes: &[u8]) {
        self.0.push((label.to_owned(), bytes.to_vec()));
    }

    /// A 32-byte key: its raw bytes and its lowercase hex text.
    fn add_key(&mut self, label: &str, bytes: &[u8]) {
        self.add(&format!("{label} (raw)"), bytes);
        self.add(&format!("{label} (hex)"), hex::encode(bytes).as_bytes());
    }

    /// An X25519 private key, also as the bytes a clamped copy of it shares with it (clamping
    /// changes bits of the first and the last byte only).
    fn add_private_key(&mut self, label: &str, bytes: &[u8]) {
        self.add_key(label, bytes);
        self.add(&format!("{label} (clamped)"), &bytes[1..31]);
    }

    fn encode(&self) -> String {
        self.0
            .iter()
            .map(|(label, bytes)| format!("{label}={}", masked_hex(bytes)))
            .collect::<Vec<_>>()
            .join(";")
    }
}

#[test]
fn key_material_does_not_outlive_the_client() {
    // Values long and random enough that no unrelated memory holds them by chance.
    let plain_value = format!("plain-{}", random_hex());
    let folder_value = format!("folder-{}", random_hex());
    let referenced_value = format!("referenced-{}", random_hex());
    let created_value = format!("created-{}", random_hex());
    let updated_value = format!("updated-{}", random_hex());
    let seed = serde_json::json!({
        "apps": [{"name": APP, "environments": [ENV], "secrets": {ENV: [
            {"key": "PLAIN", "value": plain_value, "comment": "a comment"},
            {"key": "IN_FOLDER", "value": folder_value, "path": "/folder"},
            {"key": "TARGET", "value": referenced_value},
            {"key": "POINTER", "value": "url=${TARGET}/${/folder/IN_FOLDER}"},
        ]}}],
        "service_accounts": [{"name": "sa", "access": {APP: "*"}, "tokens": [{"name": "sa"}]}]
    });
    let (world, minted) = World::from_seed(&Seed::from_json(&seed.to_string()).unwrap()).unwrap();
    let minted = &minted["sa"];

    // Every key of the chain, from what the server's world knows (the console's side of it).
    let mut needles = Needles::default();
    let token = Token::parse(&minted.token).unwrap();
    let account_secret = world
        .account(&minted.account_id)
        .unwrap()
        .keypair
        .secret
        .as_bytes();
    let share0 = token.keyshare0().as_bytes();
    let share1: Vec<u8> = account_secret
        .iter()
        .zip(share0)
        .map(|(a, b)| a ^ b)
        .collect();
    needles.add_private_key("account private key", account_secret);
    needles.add_key("token key share", share0);
    needles.add_key("server key share", &share1);
    needles.add_key("token wrap key", token.wrap_key().as_bytes());
    let console = &world.console[&world.env_id(APP, ENV).unwrap()];
    let seed_bytes = hex::decode(console.seed_hex.as_str()).unwrap();
    needles.add_key("environment seed", &seed_bytes);
    needles.add_private_key(
        "environment private key",
        console.keys.keypair().secret.as_bytes(),
    );
    needles.add("environment salt (hex)", console.keys.salt_hex().as_bytes());
    needles.add("plain value", plain_value.as_bytes());
    needles.add("folder value", folder_value.as_bytes());
    needles.add("referenced value", referenced_value.as_bytes());
    needles.add("created value", created_value.as_bytes());
    needles.add("updated value", updated_value.as_bytes());
    let mut info = Needles::default();
    info.add(
        "bearer token",
        minted.token.split(':').nth(2).unwrap().as_bytes(),
    );
    let canary = phasekit::crypto::random_bytes::<32>();

    let server = BackgroundServer::start(world).unwrap();
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "zeroize_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_MARKER, "1")
        .env(HOST_VAR, server.url())
        .env(TOKEN_VAR, masked_hex(minted.token.as_bytes()))
        .env(
            WRITES_VAR,
            format!(
                "{};{}",
                masked_hex(created_value.as_bytes()),
                masked_hex(updated_value.as_bytes())
            ),
        )
        .env(NEEDLES_VAR, needles.encode())
        .env(INFO_VAR, info.encode())
        .env(CANARY_VAR, masked_hex(&canary))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "the child found key material or failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains(DONE_LINE) || stdout.contains(SKIP_LINE),
        "the child did not run its scan:\n{stdout}\n{stderr}"
    );
}

/// The child half of [`key_material_does_not_outlive_the_client`]; it does nothing unless that
/// test started it.
#[test]
#[ignore = "run by key_material_does_not_outlive_the_client in a child process"]
fn zeroize_child() {
    if std::env::var_os(CHILD_MARKER).is_none() {
        return;
    }
    child::run();
}

mod child {
    use std::fs::File;
    use std::os::unix::fs::FileExt;

    use phasekit::{AppRef, Client, ExportFormat, GetOptions, NewSecret, SecretUpdate};
    use zeroize::{Zeroize, Zeroizing};

    use super::{
        APP, CANARY_VAR, DONE_LINE, ENV, HOST_VAR, INFO_VAR, MASK, NEEDLES_VAR, SKIP_LINE,
        TOKEN_VAR, WRITES_VAR,
    };

    struct Needle {
        label: String,
        masked: Vec<u8>,
    }

    fn var(name: &str) -> String {
        std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
    }

    fn read_needles(name: &str) -> Vec<Needle> {
        var(name)
            .split(';')
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                let (label, masked) = entry.split_once('=').expect("label=hex");
                Needle {
                    label: label.to_owned(),
                    masked: hex::decode(masked).expect("masked hex"),
                }
            })
            .collect()
    }

    /// Unmasks ASCII text into a buffer of exactly its size (no reallocation leaves a partial
    /// copy behind), wiped when dropped.
    fn unmask_text(masked_hex: &str) -> Zeroizing<String> {
        let masked = hex::decode(masked_hex).expect("masked hex");
        let mut out = Zeroizing::new(String::with_capacity(masked.len()));
        for byte in masked {
            let plain = byte ^ MASK;
            assert!(plain.is_ascii(), "masked text must be ASCII");
            out.push(char::from(plain));
        }
        out
    }

    pub fn run() {
        // Where a process may not read its own memory (a hardened /proc), there is nothing to
        // test; say so rather than fail.
        let mem = match File::open("/proc/self/mem") {
            Ok(mem) => mem,
            Err(err) => {
                println!("{SKIP_LINE}: /proc/self/mem cannot be opened ({err})");
                return;
            }
        };
        let host = var(HOST_VAR);
        let token = unmask_text(&var(TOKEN_VAR));
        let writes = var(WRITES_VAR);
        let (created, updated) = writes.split_once(';').expect("two written values");
        let (created, updated) = (unmask_text(created), unmask_text(updated));
        let mut needles = read_needles(NEEDLES_VAR);
        let checked = needles.len();
        needles.extend(read_needles(INFO_VAR));
        let canary_index = needles.len();
        needles.push(Needle {
            label: "canary".to_owned(),
            masked: hex::decode(var(CANARY_VAR)).expect("masked hex"),
        });

        {
            // A runtime like the blocking client's, but owned here: dropping it joins its
            // workers and drops every task, idle pooled connections included.
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(exercise(&host, &token, &created, &updated));
        }
        drop((token, created, updated));

        // The positive control: plain bytes left on the heap on purpose.
        let plain_canary: Vec<u8> = needles[canary_index]
            .masked
            .iter()
            .map(|b| b ^ MASK)
            .collect();
        std::mem::forget(plain_canary);

        let scan = scan(&mem, &needles);
        let mut leaks = Vec::new();
        let mut canary_hits = 0;
        for hit in &scan.hits {
            let label = &needles[hit.needle].label;
            let place = format!("at {:#x} in {}", hit.address, hit.region);
            if hit.needle == canary_index {
                canary_hits += 1;
            } else if hit.needle < checked {
                leaks.push(format!("{label} {place}"));
            } else {
                println!("known exposure (not asserted): {label} {place}");
            }
        }
        println!(
            "{DONE_LINE}: {} mappings, {} KiB, {} unreadable, canary found {canary_hits} time(s)",
            scan.regions,
            scan.bytes >> 10,
            scan.unreadable
        );
        assert!(
            canary_hits > 0,
            "the positive control was not found: the scan does not see the heap"
        );
        assert!(
            leaks.is_empty(),
            "key material or secret values in memory after the client was dropped:\n{}",
            leaks.join("\n")
        );
    }

    /// What a client does with keys and values: the session and the key chain, a get of the
    /// whole environment with references, a single-key get (by digest), an export, a create and
    /// an update (which finds the secret by digest and decrypts its name).
    async fn exercise(host: &str, token: &str, created: &str, updated: &str) {
        let client = Client::builder().token(token).host(host).build().unwrap();
        let app = AppRef::name(APP);
        let options = GetOptions::new(app.clone(), ENV);
        let secrets = client.get(&options).await.unwrap();
        assert_eq!(secrets.len(), 4);
        let pointer = secrets.iter().find(|s| s.key == "POINTER").unwrap();
        let value = pointer.value.expose();
        assert!(
            value.starts_with("url=referenced-") && value.contains("/folder-"),
            "the references are resolved"
        );
        drop(secrets);
        let one = client
            .get_secret(app.clone(), ENV, "PLAIN", None)
            .await
            .unwrap();
        assert!(one.value.expose().starts_with("plain-"));
        drop(one);
        let exported = client.export(&options, ExportFormat::Dotenv).await.unwrap();
        assert!(exported.contains("TARGET="));
        drop(exported);

        // The request types hold the caller's plain strings; wipe them after use, as a careful
        // caller would, so that only copies made by the client remain to be found.
        let mut new = NewSecret::new("WRITTEN", created);
        client
            .create(&app, ENV, std::slice::from_ref(&new))
            .await
            .unwrap();
        new.value.zeroize();
        let mut update = SecretUpdate::new("WRITTEN");
        update.value = Some(updated.to_owned());
        client.update(&app, ENV, &update).await.unwrap();
        if let Some(value) = update.value.as_mut() {
            value.zeroize();
        }
        let written = client.get_secret(app, ENV, "WRITTEN", None).await.unwrap();
        assert_eq!(written.value.expose(), updated);
    }

    struct Hit {
        needle: usize,
        address: usize,
        region: String,
    }

    struct Scan {
        hits: Vec<Hit>,
        regions: usize,
        bytes: usize,
        unreadable: usize,
    }

    struct Region {
        start: usize,
        end: usize,
        name: String,
    }

    /// The readable, writable, private mappings: where a process keeps the data it makes.
    fn regions() -> Vec<Region> {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        maps.lines()
            .filter_map(|line| {
                let mut fields = line.split_whitespace();
                let range = fields.next()?;
                let perms = fields.next()?;
                let path = fields.nth(3).unwrap_or("");
                if !perms.starts_with("rw") || perms.as_bytes().get(3) != Some(&b'p') {
                    return None;
                }
                let (start, end) = range.split_once('-')?;
                let (start, end) = (
                    usize::from_str_radix(start, 16).ok()?,
                    usize::from_str_radix(end, 16).ok()?,
                );
                let name = if path.is_empty() { "anonymous" } else { path };
                Some(Region {
                    start,
                    end,
                    name: format!("{name} {start:#x}-{end:#x}"),
                })
            })
            .collect()
    }

    const BLOCK: usize = 1 << 20;
    const WORD_MASK: u64 = u64::from_ne_bytes([MASK; 8]);

    /// XORs a block with the mask, a word at a time (tests are compiled without optimisation,
    /// and the scan reads megabytes).
    fn mask_in_place(block: &mut [u8]) {
        // SAFETY: every bit pattern is a valid u8 and a valid u64.
        let (head, words, tail) = unsafe { block.align_to_mut::<u64>() };
        for byte in head.iter_mut().chain(tail.iter_mut()) {
            *byte ^= MASK;
        }
        for word in words {
            *word ^= WORD_MASK;
        }
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        // SAFETY: both pointers and lengths describe live slices, which memmem only reads.
        let found = unsafe {
            libc::memmem(
                haystack.as_ptr().cast(),
                haystack.len(),
                needle.as_ptr().cast(),
                needle.len(),
            )
        };
        (!found.is_null()).then(|| found as usize - haystack.as_ptr() as usize)
    }

    /// Reads every region through `/proc/self/mem` (which, unlike a pointer, cannot fault) in
    /// blocks that overlap by the longest needle, masks each block and looks for the masked
    /// needles. The block is wiped after each use, so the scan leaves no copy of what it read,
    /// and reading the block's own memory yields zeros.
    fn scan(mem: &File, needles: &[Needle]) -> Scan {
        let longest = needles.iter().map(|n| n.masked.len()).max().unwrap();
        let mut block = vec![0u8; BLOCK];
        let regions = regions();
        let mut out = Scan {
            hits: Vec::new(),
            regions: regions.len(),
            bytes: 0,
            unreadable: 0,
        };
        for region in &regions {
            let mut at = region.start;
            while at < region.end {
                let want = BLOCK.min(region.end - at);
                let read = match mem.read_at(&mut block[..want], at as u64) {
                    Ok(0) | Err(_) => {
                        out.unreadable += 1;
                        break;
                    }
                    Ok(read) => read,
                };
                let last = at + read >= region.end;
                // Matches starting at `limit` or later are found by the next, overlapping read.
                let limit = if last || read < longest {
                    read
                } else {
                    read - (longest - 1)
                };
                mask_in_place(&mut block[..read]);
                for (index, needle) in needles.iter().enumerate() {
                    let mut from = 0;
                    while let Some(offset) = find(&block[from..read], &needle.masked) {
                        let offset = from + offset;
                        if offset >= limit {
                            break;
                        }
                        out.hits.push(Hit {
                            needle: index,
                            address: at + offset,
                            region: region.name.clone(),
                        });
                        from = offset + 1;
                    }
                }
                block[..read].fill(0);
                out.bytes += limit;
                at += limit;
            }
        }
        out
    }
}
