//! Deterministic parallel work: items in fixed chunks on a rayon pool, results gathered in index
//! order, so a result never depends on how many threads ran it.

use std::ops::Range;

use rayon::prelude::*;

use super::SensitivityError;

/// Items per task: small enough to balance slow model runs across threads, large enough that
/// scheduling costs nothing next to them.
const CHUNK: usize = 64;

/// Chunks held at once before they are appended: bounds the extra memory to a batch.
const BATCH_CHUNKS: usize = 256;

/// A pool of `threads` threads, or one per core if `None`.
pub(super) fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, SensitivityError> {
    let builder = match threads {
        Some(0) => return Err(SensitivityError::NoThreads),
        Some(t) => rayon::ThreadPoolBuilder::new().num_threads(t),
        None => rayon::ThreadPoolBuilder::new(),
    };
    builder.build().map_err(|e| SensitivityError::Threads {
        threads: threads.unwrap_or(0),
        reason: e.to_string(),
    })
}

/// `job` over `items` in chunks on `pool`; each chunk's values, concatenated in item order.
pub(super) fn gather<T: Send>(
    pool: &rayon::ThreadPool,
    items: Range<usize>,
    job: impl Fn(Range<usize>) -> Result<Vec<T>, SensitivityError> + Sync,
) -> Result<Vec<T>, SensitivityError> {
    let mut out = Vec::new();
    let chunks: Vec<Range<usize>> = items
        .clone()
        .step_by(CHUNK)
        .map(|s| s..(s + CHUNK).min(items.end))
        .collect();
    for batch in chunks.chunks(BATCH_CHUNKS) {
        let done: Vec<Result<Vec<T>, SensitivityError>> =
            pool.install(|| batch.par_iter().map(|r| job(r.clone())).collect());
        for chunk in done {
            out.extend(chunk?);
        }
    }
    Ok(out)
}
