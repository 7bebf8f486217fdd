//! Integration tests of hx-config.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "hx_config/api.rs"]
mod api;
#[path = "hx_config/dotenv.rs"]
mod dotenv;
#[path = "hx_config/format.rs"]
mod format;
#[path = "hx_config/load.rs"]
mod load;
#[path = "hx_config/merge.rs"]
mod merge;
#[path = "hx_config/peer.rs"]
mod peer;
#[path = "hx_config/props.rs"]
mod props;
#[path = "hx_config/tamper.rs"]
mod tamper;
