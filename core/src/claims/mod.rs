//! Claims.
pub mod keys;
