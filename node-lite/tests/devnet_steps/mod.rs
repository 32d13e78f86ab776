//! Steps the manual-mode devnet tests share: mine blocks on request, read a provisioner.

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
