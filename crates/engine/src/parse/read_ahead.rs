//! Reading ahead: a thread of its own reads the next buffers of a file while the scanner works on
//! the current one, and the scanner takes each filled buffer in exchange for the one it is done
//! with, so the input is copied once (by the kernel) and the copy no longer stalls the parse.
//!
//! Terms: a *buffer* is a boxed byte slice of the scanner's size. There are two: the scanner
//! parses one while the thread fills the other. The thread ends at the end of input, at a read
//! error (handed over after the bytes read before it), or when the [`ReadAhead`] is dropped.

use super::scanner::Source;
use std::io::Read;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// What the reading thread hands over: a buffer and how many bytes of it are filled (0 at the
/// end of input), or the error that stopped it.
type Filled = std::io::Result<(Box<[u8]>, usize)>;

/// A [`Source`] whose reads happen on a thread of its own.
pub(crate) struct ReadAhead {
    filled: Receiver<Filled>,
    spent: SyncSender<Box<[u8]>>,
    done: bool,
}

impl ReadAhead {
    /// Starts reading `reader` ahead, in buffers of `size` bytes.
    pub(crate) fn new<R: Read + Send + 'static>(
        mut reader: R,
        size: usize,
    ) -> std::io::Result<Self> {
        let (filled_tx, filled) = sync_channel::<Filled>(1);
        let (spent, spent_rx) = sync_channel::<Box<[u8]>>(1);
        // Not joined: dropped early (an error in the text), it ends at its next handover,
        // which may wait for a pipe's writer.
        std::thread::Builder::new()
            .name("heapwise-read".into())
            .spawn(move || {
                // Its own buffer first, then each one the scanner is done with.
                let mut own = Some(vec![0u8; size].into_boxed_slice());
                while let Some(mut buf) = own.take().or_else(|| spent_rx.recv().ok()) {
                    let (n, error) = fill(&mut reader, &mut buf);
                    // The bytes read (0: the end of input), unless an error stopped the read
                    // before any.
                    if (n > 0 || error.is_none())
                        && (filled_tx.send(Ok((buf, n))).is_err() || n == 0)
                    {
                        return;
                    }
                    if let Some(e) = error {
                        let _ = filled_tx.send(Err(e));
                        return;
                    }
                }
            })?;
        Ok(ReadAhead {
            filled,
            spent,
            done: false,
        })
    }
}

/// Reads into `buf` until it is full or the input ends (so that the scanner's blocks stay large
/// on pipes too, which return what they hold): how many bytes it holds, and the error that
/// stopped it early, if one did.
fn fill<R: Read>(reader: &mut R, buf: &mut [u8]) -> (usize, Option<std::io::Error>) {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (n, Some(e)),
        }
    }
    (n, None)
}

impl Source for ReadAhead {
    fn fill(&mut self, buf: &mut Box<[u8]>) -> std::io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        let next = self.filled.recv().ok();
        match next {
            Some(Ok((filled, n))) => {
                let spent = std::mem::replace(buf, filled);
                if n == 0 {
                    self.done = true;
                } else {
                    // The thread may have ended (a read error): the buffer is then dropped.
                    let _ = self.spent.send(spent);
                }
                Ok(n)
            }
            Some(Err(e)) => {
                self.done = true;
                Err(e)
            }
            // The thread ended without a word: it panicked.
            None => {
                self.done = true;
                Err(std::io::Error::other("the reading thread stopped"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out at most `step` bytes per read, then fails if `fail` is set.
    struct Steps {
        data: Vec<u8>,
        at: usize,
        step: usize,
        fail: bool,
    }
    impl Steps {
        fn new(data: Vec<u8>, step: usize, fail: bool) -> Steps {
            Steps {
                data,
                at: 0,
                step,
                fail,
            }
        }
    }
    impl Read for Steps {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.at == self.data.len() && self.fail {
                return Err(std::io::Error::other("disk on fire"));
            }
            let n = self.step.min(buf.len()).min(self.data.len() - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    /// Everything `source` hands over until the end or an error, and that error.
    fn drain(mut source: ReadAhead, size: usize) -> (Vec<u8>, Vec<usize>, Option<String>) {
        let mut buf = vec![0u8; size].into_boxed_slice();
        let (mut all, mut sizes) = (Vec::new(), Vec::new());
        loop {
            match source.fill(&mut buf) {
                Ok(0) => return (all, sizes, None),
                Ok(n) => {
                    assert_eq!(buf.len(), size, "buffers keep their size");
                    all.extend_from_slice(&buf[..n]);
                    sizes.push(n);
                }
                Err(e) => return (all, sizes, Some(e.to_string())),
            }
        }
    }

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 % 251) as u8).collect()
    }

    #[test]
    fn hands_over_every_byte_in_full_buffers() {
        let d = data(1_000_003);
        let steps = Steps::new(d.clone(), 777, false);
        let (all, sizes, err) = drain(ReadAhead::new(steps, 65_536).unwrap(), 65_536);
        assert_eq!(all, d);
        assert_eq!(err, None);
        // Short reads are gathered: every buffer but the last is full.
        assert!(
            sizes[..sizes.len() - 1].iter().all(|&n| n == 65_536),
            "{sizes:?}"
        );
    }

    #[test]
    fn an_error_comes_after_what_was_read_before_it() {
        let d = data(100_000);
        let steps = Steps::new(d.clone(), 4096, true);
        let (all, _, err) = drain(ReadAhead::new(steps, 65_536).unwrap(), 65_536);
        assert_eq!(all, d);
        assert_eq!(err.as_deref(), Some("disk on fire"));
    }

    #[test]
    fn dropped_early_it_stops_reading() {
        let steps = Steps::new(data(10_000_000), 4096, false);
        let mut source = ReadAhead::new(steps, 65_536).unwrap();
        let mut buf = vec![0u8; 65_536].into_boxed_slice();
        assert_eq!(source.fill(&mut buf).unwrap(), 65_536);
        drop(source);
    }
}
