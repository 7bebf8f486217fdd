//! Pickle scanning: never panics; scanning through a reader that returns a
//! few bytes at a time finds exactly what scanning memory finds.
#![no_main]

use hx_safe_deser::pickle::{self, LoadOptions};
use libfuzzer_sys::fuzz_target;

struct Dribble<'a>(&'a [u8], usize);

impl std::io::Read for Dribble<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.1 = self.1 % 5 + 1;
        let n = self.1.min(buf.len()).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

fuzz_target!(|data: &[u8]| {
    let options = LoadOptions::default();
    let memory = pickle::scan(data, &options);
    let streamed = pickle::scan_reader(Dribble(data, 0), &options).expect("no I/O errors");
    assert_eq!(memory.globals, streamed.globals);
    assert_eq!(memory.pickles, streamed.pickles);
    assert_eq!(memory.problem.is_some(), streamed.problem.is_some());
});
