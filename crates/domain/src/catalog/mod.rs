//! The service catalogue: categories, business items, livelihood guides and overseas stations.
//!
//! A catalogue comes from a directory of TOML files (see `catalog/FORMAT.md`). [`load::parse`] turns
//! those files into a [`Catalog`] or refuses them with a [`CatalogError`] naming the file and the field;
//! every value in a `Catalog` has passed its rules, so later layers never re-check.

pub mod load;
mod model;
pub mod station;

pub use load::{CatalogError, SourceFile, parse};
pub use model::*;
