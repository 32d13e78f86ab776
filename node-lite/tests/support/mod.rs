//! What the API and client tests share: a recording fake of `NodeApi` and a small HTTP helper.

#![allow(dead_code)] // each test binary uses its own part of it

pub mod fake_node;
pub mod http;
