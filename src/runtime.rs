//! What the standard library would provide a wasm32-wasip2 component, for `no_std` guests.

#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

/// The canonical ABI's allocator hook: the host calls it to place lists and strings in guest
/// memory. On wasip2 the standard library normally exports it; a `no_std` component must.
///
/// # Safety
/// Called by the host following the canonical ABI: `old_ptr`/`old_len` describe a block this
/// allocator returned with alignment `align`, or `old_len` is 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_realloc(
    old_ptr: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    use alloc::alloc::{Layout, alloc, realloc};
    if new_len == 0 {
        return align as *mut u8;
    }
    let ptr = unsafe {
        if old_len == 0 {
            alloc(Layout::from_size_align_unchecked(new_len, align))
        } else {
            realloc(old_ptr, Layout::from_size_align_unchecked(old_len, align), new_len)
        }
    };
    if ptr.is_null() {
        core::arch::wasm32::unreachable();
    }
    ptr
}

/// `memcmp` for the prebuilt wasm32-wasip2 target. Its `compiler_builtins` leaves `memcmp` to
/// wasi-libc, which a `no_std` component never links, and `wasm-component-ld` accepts the
/// undefined symbol: the component would then import `env::memcmp`, which no host provides.
/// With `-Zbuild-std`'s `compiler-builtins-mem` the builtin is weak and this one wins.
///
/// # Safety
/// `a` and `b` must be valid for reads of `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let (a, b) = unsafe { (core::slice::from_raw_parts(a, n), core::slice::from_raw_parts(b, n)) };
    crate::memcmp::compare(a, b)
}
