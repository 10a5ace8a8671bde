//! Fixed-size big-endian records, declared once for reading and writing.

/// A field type a record can hold.
pub(crate) trait Field: Copy {
    fn get(bytes: &[u8], at: usize) -> Self;
    fn put(self, bytes: &mut [u8], at: usize);
}

impl Field for u8 {
    fn get(bytes: &[u8], at: usize) -> Self {
        bytes[at]
    }
    fn put(self, bytes: &mut [u8], at: usize) {
        bytes[at] = self;
    }
}

impl Field for u16 {
    fn get(bytes: &[u8], at: usize) -> Self {
        u16::from_be_bytes([bytes[at], bytes[at + 1]])
    }
    fn put(self, bytes: &mut [u8], at: usize) {
        bytes[at..at + 2].copy_from_slice(&self.to_be_bytes());
    }
}

impl Field for u32 {
    fn get(bytes: &[u8], at: usize) -> Self {
        u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
    }
    fn put(self, bytes: &mut [u8], at: usize) {
        bytes[at..at + 4].copy_from_slice(&self.to_be_bytes());
    }
}

impl Field for [u8; 4] {
    fn get(bytes: &[u8], at: usize) -> Self {
        [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]
    }
    fn put(self, bytes: &mut [u8], at: usize) {
        bytes[at..at + 4].copy_from_slice(&self);
    }
}

/// Declares a record: its length and each field's type and offset. `parse` reads it from the
/// first `LEN` bytes of a slice (which the caller sizes), `to_bytes` writes it back.
macro_rules! record {
    ($(#[$meta:meta])* $name:ident, $len:expr, { $($(#[$fmeta:meta])* $field:ident: $ty:ty = $at:expr),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty),*
        }

        impl $name {
            /// Length of the record in bytes.
            pub const LEN: usize = $len;

            /// The record in the first [`Self::LEN`] bytes of `bytes`.
            pub fn parse(bytes: &[u8]) -> Self {
                let bytes = &bytes[..Self::LEN];
                Self { $($field: <$ty as $crate::layout::Field>::get(bytes, $at)),* }
            }

            /// The record's bytes.
            pub fn to_bytes(&self) -> [u8; $len] {
                let mut bytes = [0u8; $len];
                $(<$ty as $crate::layout::Field>::put(self.$field, &mut bytes, $at);)*
                bytes
            }
        }
    };
}

pub(crate) use record;
