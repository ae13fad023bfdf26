//! Hashes gzipped log files as `verify-logs` does (streaming gunzip + SHA-256, refusing data
//! after the first gzip member), to measure throughput against `gunzip | sha256sum`:
//!
//!     cargo run --release --example hash_log -- FILE.json.gz [FILE…]
//!
//! Prints, per file, the SHA-256 of the decompressed bytes, their size, and MB/s.

use std::io::Write as _;
use std::time::Instant;

fn main() -> std::process::ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: hash_log FILE.json.gz [FILE…]");
        return std::process::ExitCode::from(2);
    }
    for path in paths {
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(e) => {
                eprintln!("{path}: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        let started = Instant::now();
        match trailwarden::verify::log_file::hash_gzip_stream(file) {
            Ok((hash, length)) => {
                let seconds = started.elapsed().as_secs_f64();
                let _ = writeln!(
                    std::io::stdout(),
                    "{hash}  {path}  {length} bytes decompressed in {seconds:.3} s = {:.0} MB/s",
                    length as f64 / seconds / 1e6
                );
            }
            Err(e) => {
                eprintln!("{path}: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    std::process::ExitCode::SUCCESS
}
