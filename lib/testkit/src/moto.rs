//! One moto server per test process, on a free loopback port, stopped when the process ends.
//!
//! moto emulates DynamoDB (with streams and transactions), S3 and the API Gateway Management API.
//! Tests that need it fail loudly when it is missing: they never skip.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Moto {
    pub endpoint: String,
    /// The shell that owns moto; it exits with this process.
    _watcher: std::process::Child,
}

/// The Python that has moto: `$MOTO_PYTHON`, the workspace's `.venv`, or `python3` on `PATH`.
fn moto_python() -> PathBuf {
    if let Ok(path) = std::env::var("MOTO_PYTHON") {
        return PathBuf::from(path);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("python3")
}

/// Runs moto one request at a time (see `moto_serial.py` for why).
fn moto_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("moto_serial.py")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}

fn start() -> Moto {
    let port = free_port();
    let binary = moto_python();
    // The shell watches this test process and stops moto when it is gone, however the tests end.
    let script = format!(
        "\"$0\" \"$1\" -H 127.0.0.1 -p {port} >/dev/null 2>&1 & moto=$!; while kill -0 {parent} 2>/dev/null; do sleep 1; done; kill $moto",
        parent = std::process::id()
    );
    let watcher = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(&binary)
        .arg(moto_script())
        // What moto's recorder captures goes to a file of this run, not into the work tree.
        .env("MOTO_RECORDER_FILEPATH", std::env::temp_dir().join(format!("moto-recording-{port}.jsonl")))
        .stdin(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start moto server ({}): {e}. Run the README's test command, which installs it.",
                binary.display()
            )
        });
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto server ({}) did not listen on port {port} within 30 s; is it installed? Run the README's test command.",
            binary.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Moto { endpoint: format!("http://127.0.0.1:{port}"), _watcher: watcher }
}

/// The process's moto server, started on first use.
pub fn server() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(start)
}

/// A name no other test in this run uses, for a table or bucket of its own.
pub fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}
