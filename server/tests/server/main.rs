//! The server over real HTTP, with real processes and a real Redis: one
//! test binary (each module one concern).

mod common;
mod docs;
mod ear_independent;
mod native;
mod operations;
mod reload;
mod scale_out;
mod veraison;
