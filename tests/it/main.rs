//! Integration tests, one binary so the library links once.

mod architecture;
mod catalog;
mod cli;
mod emulator;
mod faults;
mod fixtures;
mod hostile;
mod hygiene;
mod live;
mod organization;
mod reports;
mod terraform;
mod verify;
