//! Keeping freed memory in the process.
//!
//! Every plugin call that moves a large buffer allocates and frees several of them (the host's
//! read, the copy wasmtime lifts out of the guest). glibc's default thresholds hand such memory
//! back to the kernel as soon as it is freed, so the next call faults the same pages in again:
//! 1 MiB reads passed through a plugin then ran at about 1 GB/s instead of 5 GB/s on the
//! benchmark machine. Fixed thresholds stop that; the process keeps up to 256 MiB of freed
//! heap for reuse.

/// Allocations below this come from the heap rather than their own `mmap` (glibc's maximum).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: i32 = 32 << 20;
/// Free memory at the top of the heap is returned to the kernel only beyond this.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: i32 = 256 << 20;

/// Sets the thresholds for the whole process; call once at start-up, before heavy allocation.
/// Does nothing where the C library is not glibc.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only adjusts allocator parameters; it is safe to call at any time.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}
