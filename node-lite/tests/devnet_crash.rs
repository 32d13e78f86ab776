//! kill -9 the `node-lite devnet` process at random moments and restart on its data dir: no
//! block it printed (accepted and committed) is lost, every node's state is its tip's, and the
//! chain goes on. `DEVNET_KILL_RUNS` (default 20, as CI runs it) sets the number of runs; the moments come from
//! a seed printed at start (`DEVNET_KILL_SEED` replays one).

use node_lite::devnet::{BlockMode, NodeConfig, spawn};
use node_lite::node_api::NodeApi;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const WAIT: Duration = Duration::from_secs(60);

/// SplitMix64: the moments to kill at, from one seed.
struct Moments(u64);

impl Moments {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % bound
    }
}

#[test]
fn kill_9_at_random_moments_then_restart_loses_no_accepted_block() {
    let runs: u64 = std::env::var("DEVNET_KILL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let seed = std::env::var("DEVNET_KILL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    eprintln!("DEVNET_KILL_SEED={seed}");
    let mut moments = Moments(seed);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut highest_printed = 0;
    for run in 0..runs {
        let mut child = Command::new(env!("CARGO_BIN_EXE_node-lite"))
            .args([
                "devnet",
                "--signatures",
                "fake",
                "--block-time",
                "100",
                "--port",
                "0",
            ])
            .arg("--data")
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node-lite devnet starts");
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut words = line.split_whitespace();
                if words.next() == Some("block")
                    && let Some(height) = words.next().and_then(|h| h.parse::<u64>().ok())
                {
                    let _ = tx.send(height);
                }
            }
        });
        // Kill after a random number of new blocks, a random few ms after the last one.
        let blocks = 1 + moments.next(6);
        let mut printed = 0;
        for _ in 0..blocks {
            let height = rx.recv_timeout(WAIT).expect("the devnet makes blocks");
            printed = printed.max(height);
        }
        std::thread::sleep(Duration::from_millis(moments.next(150)));
        child.kill().expect("kill -9");
        let _ = child.wait();
        let _ = reader.join();
        while let Ok(h) = rx.try_recv() {
            printed = printed.max(h);
        }
        highest_printed = highest_printed.max(printed);

        let devnet = spawn(
            NodeConfig::test()
                .with_block_mode(BlockMode::Interval(100))
                .with_data_dir(dir.path()),
        )
        .unwrap_or_else(|e| panic!("run {run}: the restart refused its data dir: {e}"));
        let tip = (0..devnet.nodes())
            .map(|i| devnet.node_tip(i))
            .max()
            .unwrap();
        assert!(
            tip >= highest_printed,
            "run {run}: block {highest_printed} was printed (accepted) but the highest tip after the restart is {tip}"
        );
        let goal = tip + 2;
        assert!(
            devnet.wait_until(WAIT, || devnet.head().height >= goal),
            "run {run}: the chain did not go on after the restart: {:?}",
            devnet.head()
        );
        for i in 0..devnet.nodes() {
            assert_eq!(devnet.node_failure(i), None, "run {run}: node {i}");
        }
        highest_printed = highest_printed.max(devnet.head().height);
        devnet.shutdown();
    }
}
