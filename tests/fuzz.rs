//! Fuzzing the readers of untrusted input: the registration CSV (any bytes,
//! any encoding), marking schemes and award policies (TOML), and marks as
//! JSON checked against a scheme. Random bytes and random edits of real
//! files must never make a reader panic or take long. The test script runs
//! a short round; `JIANGXIN_FUZZ_CASES=200000 cargo test --release --test fuzz`
//! runs a long one (see docs/operations.md).

use jiangxin::engine::scoring::{check_mark, Layout, Slot};
use jiangxin::io::encoding::decode;
use jiangxin::io::entries_csv::parse_entries;
use jiangxin::web::api::marking::MarkBody;
use jiangxin::workflow::marking::{read_scheme, valid_client_id};
use jiangxin::workflow::results::check_policy;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rust_decimal::Decimal;
use std::time::{Duration, Instant};

const CSV: &str = "参赛号,姓名,证件号码,单位,组别,技能等级\n\
101,张伟,330106199001010018,HZ-TURB,职工,高级工\n\
102,李娜,330203199202020024,NB-PORT,学生,技师\n";
const SCHEME: &str = include_str!("../fixtures/schemes/worldskills-practical.toml");
const SCHEME_B: &str = include_str!("../fixtures/schemes/figure-skating-panels.toml");
const POLICY: &str = include_str!("../fixtures/policies/china-national.toml");
const MARK: &str = r#"{"id": "00000000-0000-4000-8000-000000000001", "entry": 7, "aspect": "A1.1", "kind": "mark", "value": "2.5", "replaces": null, "device": "tablet-1", "reason": "re-marked"}"#;

/// No single input may take longer than this to read.
const SLOW: Duration = Duration::from_secs(2);

fn runner() -> TestRunner {
    let cases = std::env::var("JIANGXIN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500);
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Random bytes, or a real file with random bytes overwritten, inserted
/// and cut out.
fn input(seed: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let edits = prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..24);
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        edits.prop_map(move |edits| {
            let mut b = seed.as_bytes().to_vec();
            for (at, byte, how) in edits {
                let at = at % (b.len() + 1);
                match how {
                    0 if at < b.len() => b[at] = byte,
                    1 => b.insert(at, byte),
                    _ if at < b.len() => {
                        b.remove(at);
                    }
                    _ => b.push(byte),
                }
            }
            b
        }),
    ]
}

fn timed<T>(what: &str, bytes: &[u8], f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    assert!(
        started.elapsed() < SLOW,
        "{what} took {:?} on {:?}",
        started.elapsed(),
        String::from_utf8_lossy(bytes)
    );
    out
}

#[test]
fn the_registration_csv_reader_never_panics() {
    runner()
        .run(&input(CSV), |bytes| {
            timed("the CSV reader", &bytes, || {
                for encoding in [None, Some(jiangxin::io::encoding::TextEncoding::Gbk)] {
                    if let Ok((text, _)) = decode(&bytes, encoding) {
                        let _ = parse_entries(&text);
                    }
                }
            });
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_scheme_and_policy_readers_never_panic() {
    for seed in [SCHEME, SCHEME_B] {
        runner()
            .run(&input(seed), |bytes| {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                timed("the scheme reader", &bytes, || {
                    if let Ok(s) = read_scheme(&text) {
                        let _ = Layout::new(s);
                    }
                });
                Ok(())
            })
            .unwrap();
    }
    runner()
        .run(&input(POLICY), |bytes| {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            timed("the policy reader", &bytes, || {
                let _ = check_policy(&text);
            });
            Ok(())
        })
        .unwrap();
}

#[test]
fn marks_as_json_never_panic_their_checks() {
    let layout = Layout::new(read_scheme(SCHEME).unwrap()).unwrap();
    let slots = ["value", "factor", "overrule", "judge:7", "judge:", "x"];
    runner()
        .run(&input(MARK), |bytes| {
            timed("the mark checks", &bytes, || {
                if let Ok(m) = serde_json::from_slice::<MarkBody>(&bytes)
                    .map(|b| b.input(jiangxin::engine::model::EntryId(0)))
                {
                    let _ = valid_client_id(&m.id);
                    if let (Some(i), Ok(value)) = (
                        layout.find(&m.aspect),
                        Decimal::from_str_exact(m.value.trim()),
                    ) {
                        for s in slots {
                            if let Ok(slot) = Slot::decode(s) {
                                let _ = check_mark(&layout, i, &slot, value);
                            }
                        }
                    }
                }
            });
            Ok(())
        })
        .unwrap();
}
