//! Steps the manual-mode devnet tests share: mine blocks on request, read a provisioner and the
//! set a round was drawn from.

use node_lite::devnet::DevnetHandle;
use node_lite::node_api::{NodeApi, ProvisionerView};

/// Mines one block and returns its height.
pub fn mine(devnet: &DevnetHandle) -> u64 {
    devnet.mine().expect("a block on request")
}

/// Mines until the head is at `height` or above.
pub fn mine_to(devnet: &DevnetHandle, height: u64) {
    while devnet.head().height < height {
        mine(devnet);
    }
}

/// The provisioner with consensus key `key` (hex), as `/provisioners` lists it.
pub fn provisioner(devnet: &DevnetHandle, key: &str) -> Option<ProvisionerView> {
    devnet
        .provisioners()
        .expect("provisioners")
        .into_iter()
        .find(|p| p.key == key)
}

/// The stake keys of the set round `round` was drawn from, as the committee query shows it
/// (read from the set stored with the round's parent).
#[allow(dead_code)] // not every test file that includes these steps draws committees
pub fn drawn_from(devnet: &DevnetHandle, round: u64) -> Vec<String> {
    devnet
        .committee(round, 0, "proposal")
        .expect("a decided round's committee")
        .provisioners
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}
