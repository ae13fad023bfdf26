//! Integration tests, one binary so the library links once.

mod catalog;
mod cli;
mod fixtures;
