//! The two flows beside the terminal loop: browser input on its way to a remote that may
//! stop reading (a bounded queue and a writer task), and which sessions stream output right
//! now (for fair turns between them).

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Bytes;

/// Browser frames (each at most 64 KiB) waiting for the SSH channel at most. When a remote
/// stops reading, the browser's input waits in its socket instead, and the loop still handles
/// stop, pings, idle and close.
const INPUT_QUEUE: usize = 8;

/// Sessions of this server sending full frames right now (streaming bulk output).
static STREAMING: AtomicUsize = AtomicUsize::new(0);

/// This session's place in `STREAMING`, given back when it stops streaming or ends.
#[derive(Default)]
pub struct StreamingFlag(bool);

impl StreamingFlag {
    pub fn set(&mut self, on: bool) {
        if on != self.0 {
            if on {
                STREAMING.fetch_add(1, Ordering::Relaxed);
            } else {
                STREAMING.fetch_sub(1, Ordering::Relaxed);
            }
            self.0 = on;
        }
    }

    pub fn is_on(&self) -> bool {
        self.0
    }
}

/// Whether another session besides a streaming one streams too.
pub fn others_streaming() -> bool {
    STREAMING.load(Ordering::Relaxed) > 1
}

impl Drop for StreamingFlag {
    fn drop(&mut self) {
        self.set(false);
    }
}

/// What the loop hands the SSH writer task, in order.
pub enum Input {
    Data(Bytes),
    Resize(u32, u32),
}

/// Writes browser input to the channel on a task of its own: `data` waits for the remote's
/// window, which a remote that stops reading never opens. Ends when the channel fails.
pub fn spawn_input_writer(
    writer: russh::ChannelWriteHalf<russh::client::Msg>,
) -> (
    tokio::sync::mpsc::Sender<Input>,
    tokio::task::JoinHandle<()>,
) {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Input>(INPUT_QUEUE);
    let task = tokio::spawn(async move {
        while let Some(input) = rx.recv().await {
            let written = match input {
                Input::Data(bytes) => writer.data(&bytes[..]).await.is_ok(),
                Input::Resize(cols, rows) => writer.window_change(cols, rows, 0, 0).await.is_ok(),
            };
            if !written {
                return;
            }
        }
    });
    (tx, task)
}
