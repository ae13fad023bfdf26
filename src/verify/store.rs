//! The S3 side of verification: listing digest keys, fetching digests with their signature
//! metadata, and hashing log files as they stream in.
//!
//! Every request goes through the scan's [`Clients`] (read-only guard, call log, retries,
//! timeouts) and through one semaphore that bounds the requests in flight. A failure on one
//! object is that object's verdict; nothing here aborts the run.
//!
//! The SDK retries a request until its answer starts. A body cut off after that (a reset
//! connection, an answer shorter than its Content-Length) is a transfer failure, not a
//! verdict on the object: the object is asked for again from its start, up to
//! `--max-attempts` times in all, before it is reported UNREADABLE. A cut-off file is never
//! judged INVALID.

use super::chain::{Fetched, ObjectRef};
use super::log_file::{hash_gzip_stream, GunzipError};
use crate::aws::clients::Clients;
use crate::aws::failure::{error_code, observation_error};
use aws_sdk_s3::operation::get_object::GetObjectOutput;
use aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OnceCell, Semaphore, SemaphorePermit};

/// Digest files are a few KiB to a few MiB; anything far larger is not a digest.
const MAX_DIGEST_BYTES: i64 = 256 * 1024 * 1024;

/// What a listing asks for.
#[derive(Clone, Copy)]
enum Listing<'a> {
    /// The common prefixes up to the next `/`.
    Folders,
    /// The keys after this one.
    KeysAfter(&'a str),
}

/// What hashing a log file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogOutcome {
    /// Lowercase hex SHA-256 of the decompressed bytes.
    Hashed(String),
    NotFound,
    /// Not one well-formed gzip member.
    Corrupt(GunzipError),
    /// AccessDenied, a network failure…: this file is unverified, the run goes on.
    Unreadable(String),
}

/// S3 access for one verification run.
pub struct Store {
    clients: Arc<Clients>,
    /// Where `GetBucketLocation` is asked (the trail's home region).
    home_region: String,
    /// Each bucket's region, asked once however many requests need it at the same time.
    regions: Mutex<HashMap<String, Arc<OnceCell<String>>>>,
    permits: Semaphore,
    /// Transfers of one object, the first included.
    transfer_attempts: u32,
}

/// A body that broke off mid-transfer: why.
struct TransferFailed(String);

/// The wait before transfer attempt `attempt + 1`: 100 ms, doubling, at most 5 s.
async fn transfer_backoff(attempt: u32) {
    let millis = 100u64.saturating_mul(1 << attempt.min(6)).min(5_000);
    tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
}

impl Store {
    pub fn new(clients: Arc<Clients>, home_region: &str, concurrency: usize) -> Store {
        Store {
            transfer_attempts: clients.max_attempts().max(1),
            clients,
            home_region: home_region.to_owned(),
            regions: Mutex::default(),
            permits: Semaphore::new(concurrency.max(1)),
        }
    }

    pub fn clients(&self) -> &Clients {
        &self.clients
    }

    /// The S3 client of the bucket's region. When the location cannot be read (a role that
    /// may only read objects), the home region's client is used: S3 then answers from there
    /// or fails per object, which is reported per object. Called before a request takes its
    /// permit, so the location call never waits on a permit its caller holds.
    async fn client(&self, bucket: &str) -> aws_sdk_s3::Client {
        let cell = self
            .regions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(bucket.to_owned())
            .or_default()
            .clone();
        let region = cell
            .get_or_init(|| async {
                let home = self.clients.s3(&self.home_region);
                let _permit = self.permits.acquire().await;
                crate::aws::api::s3::location(&home, bucket, None)
                    .await
                    .unwrap_or_else(|e| {
                        tracing::info!(bucket, error = %observation_error("s3:GetBucketLocation", &e), "bucket region unknown; using the home region");
                        self.home_region.clone()
                    })
            })
            .await;
        self.clients.s3(region)
    }

    /// Every page of a `ListObjectsV2` under `prefix`, one permit per page, handed to
    /// `on_page` until it returns false (the rest of the listing is not fetched).
    async fn list(
        &self,
        bucket: &str,
        prefix: &str,
        shape: Listing<'_>,
        mut on_page: impl FnMut(ListObjectsV2Output) -> bool,
    ) -> Result<(), String> {
        let client = self.client(bucket).await;
        let request = client.list_objects_v2().bucket(bucket).prefix(prefix);
        let request = match shape {
            Listing::Folders => request.delimiter("/"),
            Listing::KeysAfter(start_after) => request.start_after(start_after),
        };
        let mut pages = request.into_paginator().send();
        loop {
            let page = {
                let _permit = self.permits.acquire().await;
                pages.next().await
            };
            match page {
                None => return Ok(()),
                Some(Err(e)) => return Err(observation_error("s3:ListBucket", &e).to_string()),
                Some(Ok(page)) => {
                    if !on_page(page) {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// The "folders" directly under `prefix` (keys up to the next `/`).
    pub async fn folders(&self, bucket: &str, prefix: &str) -> Result<Vec<String>, String> {
        let mut folders = Vec::new();
        self.list(bucket, prefix, Listing::Folders, |page| {
            folders.extend(
                page.common_prefixes()
                    .iter()
                    .filter_map(|p| p.prefix().map(str::to_owned)),
            );
            true
        })
        .await?;
        Ok(folders)
    }

    /// Keys under `prefix` after `start_after`, in S3's (lexicographic) order, until `past_end`
    /// says a key lies beyond the range (the rest of the listing is not fetched).
    pub async fn keys(
        &self,
        bucket: &str,
        prefix: &str,
        start_after: &str,
        past_end: impl Fn(&str) -> bool,
    ) -> Result<Vec<String>, String> {
        let mut keys = Vec::new();
        self.list(bucket, prefix, Listing::KeysAfter(start_after), |page| {
            for key in page.contents().iter().filter_map(|o| o.key()) {
                if past_end(key) {
                    return false;
                }
                keys.push(key.to_owned());
            }
            true
        })
        .await?;
        Ok(keys)
    }

    /// `GetObject` through the bucket's client: the object with the permit its body is read
    /// under, `None` when it does not exist, or why it could not be read.
    async fn get(
        &self,
        object: &ObjectRef,
    ) -> Result<Option<(GetObjectOutput, SemaphorePermit<'_>)>, String> {
        let client = self.client(&object.bucket).await;
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| format!("s3:GetObject not sent: {e}"))?;
        match client
            .get_object()
            .bucket(&object.bucket)
            .key(&object.key)
            .send()
            .await
        {
            Ok(output) => Ok(Some((output, permit))),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(observation_error("s3:GetObject", &e).to_string()),
        }
    }

    /// A digest object with its signature metadata.
    pub async fn digest(&self, object: &ObjectRef) -> Fetched {
        self.with_transfer_retries(|| self.digest_once(object), Fetched::Unreadable)
            .await
    }

    /// `once` again while its transfer breaks off, up to the attempts allowed.
    async fn with_transfer_retries<
        T,
        F: std::future::Future<Output = Result<T, TransferFailed>>,
    >(
        &self,
        once: impl Fn() -> F,
        unreadable: impl FnOnce(String) -> T,
    ) -> T {
        let mut attempt = 1;
        loop {
            match once().await {
                Ok(value) => return value,
                Err(TransferFailed(why)) if attempt >= self.transfer_attempts => {
                    return unreadable(why)
                }
                Err(_) => transfer_backoff(attempt).await,
            }
            attempt += 1;
        }
    }

    async fn digest_once(&self, object: &ObjectRef) -> Result<Fetched, TransferFailed> {
        let (output, _permit) = match self.get(object).await {
            Ok(Some(found)) => found,
            Ok(None) => return Ok(Fetched::NotFound),
            Err(e) => return Ok(Fetched::Unreadable(e)),
        };
        if output.content_length().unwrap_or(0) > MAX_DIGEST_BYTES {
            return Ok(Fetched::Unreadable(format!(
                "{} bytes is too large for a digest file",
                output.content_length().unwrap_or(0)
            )));
        }
        let metadata = output.metadata().cloned().unwrap_or_default();
        match output.body.collect().await {
            Ok(body) => Ok(Fetched::Found {
                body: body.into_bytes().to_vec(),
                signature: metadata.get("signature").cloned(),
                signature_algorithm: metadata.get("signature-algorithm").cloned(),
                backfill_generation: metadata.get("backfill-generation-timestamp").cloned(),
            }),
            Err(e) => Err(TransferFailed(format!(
                "s3:GetObject failed while reading: {e}"
            ))),
        }
    }

    /// Streams a log file through gunzip and SHA-256: chunks are hashed on a blocking thread
    /// as they arrive, so no file is ever held whole in memory.
    pub async fn hash_log(&self, object: &ObjectRef) -> LogOutcome {
        self.with_transfer_retries(|| self.hash_log_once(object), LogOutcome::Unreadable)
            .await
    }

    async fn hash_log_once(&self, object: &ObjectRef) -> Result<LogOutcome, TransferFailed> {
        let (output, _permit) = match self.get(object).await {
            Ok(Some(found)) => found,
            Ok(None) => return Ok(LogOutcome::NotFound),
            Err(e) => return Ok(LogOutcome::Unreadable(e)),
        };
        let mut body = output.body;
        // A few chunks in flight between the network and the hasher.
        let (sender, receiver) = tokio::sync::mpsc::channel(4);
        let hashing = tokio::task::spawn_blocking(move || {
            hash_gzip_stream(ChannelReader {
                receiver,
                current: bytes::Bytes::new(),
            })
        });
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| format!("s3:GetObject failed while reading: {e}"));
            let failed = chunk.is_err();
            // The hasher stops early on corrupt data or trailing bytes: it hung up.
            if sender.send(chunk).await.is_err() || failed {
                break;
            }
        }
        drop(sender);
        match hashing.await {
            Ok(Ok((hash, _))) => Ok(LogOutcome::Hashed(hash)),
            Ok(Err(GunzipError::Corrupt(message))) => match message.strip_prefix(READ_FAILED) {
                Some(transfer) => Err(TransferFailed(transfer.to_owned())),
                None => Ok(LogOutcome::Corrupt(GunzipError::Corrupt(message))),
            },
            Ok(Err(e)) => Ok(LogOutcome::Corrupt(e)),
            Err(e) => Ok(LogOutcome::Unreadable(format!("hashing stopped: {e}"))),
        }
    }
}

/// Marks a transfer failure passed through the reader, so it is not taken for bad gzip.
const READ_FAILED: &str = "trailwarden-read-failed: ";

/// A blocking `Read` over the chunks an async task receives.
struct ChannelReader {
    receiver: tokio::sync::mpsc::Receiver<Result<bytes::Bytes, String>>,
    current: bytes::Bytes,
}

impl std::io::Read for ChannelReader {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.receiver.blocking_recv() {
                None => return Ok(0),
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(message)) => {
                    return Err(std::io::Error::other(format!("{READ_FAILED}{message}")))
                }
            }
        }
        let count = buffer.len().min(self.current.len());
        buffer[..count].copy_from_slice(&self.current.split_to(count));
        Ok(count)
    }
}

fn is_not_found(
    error: &aws_smithy_runtime_api::client::result::SdkError<
        aws_sdk_s3::operation::get_object::GetObjectError,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> bool {
    matches!(error_code(error), Some("NoSuchKey") | Some("NotFound"))
}
