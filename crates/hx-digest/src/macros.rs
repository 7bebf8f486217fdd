//! Small internal macros.

/// Implements `std::io::Write` for a streaming type by forwarding to its
/// `update`, so `std::io::copy` can feed it.
macro_rules! impl_write_via_update {
    ($ty:ty) => {
        impl std::io::Write for $ty {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.update(buf);
                Ok(buf.len())
            }

            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
    };
}
