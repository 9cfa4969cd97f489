//! Headless Chromium driven over the DevTools protocol (CDP), as a reader of `report.html`: open a
//! page, collect what it logs, throws and requests, evaluate script in it, take screenshots.
//!
//! Chromium is started on a fresh profile with every background service off, so that the only
//! network requests it makes are the page's own. Everything has a deadline: a hung browser fails
//! the test, and the process is killed when the value is dropped, whatever happened.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// How long the whole conversation with one browser may take.
const DEADLINE: Duration = Duration::from_secs(90);

/// A running headless Chromium with one page attached.
pub struct Browser {
    child: Child,
    socket: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    deadline: Instant,
    /// Every event received so far, in order.
    pub events: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// Asks Chromium to close (so that it takes its renderer processes with it), gives it two
    /// seconds, then kills it.
    fn drop(&mut self) {
        let close = json!({ "id": u64::MAX, "method": "Browser.close" });
        let _ = self.socket.send(Message::text(close.to_string()));
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Kills the child if starting fails half-way, before a [`Browser`] owns it.
struct KillOnDrop(Option<Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Browser {
    /// Starts Chromium and opens a blank page with the Page, Runtime, Log and Network domains on,
    /// its viewport `width`×`height` CSS pixels.
    pub fn start(width: u32, height: u32) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let spawned = Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(c) => KillOnDrop(Some(c)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
                "chromium is not installed: the report test opens report.html in a real browser. \
                 Install it with `apt-get install -y chromium` (CI's .ci/run does)"
            ),
            Err(e) => panic!("cannot start chromium: {e}"),
        };
        let url = devtools_url(child.0.as_mut().unwrap());
        let deadline = Instant::now() + DEADLINE;
        let socket = connect(&url);
        let mut b = Browser {
            child: child.0.take().unwrap(),
            socket,
            session: String::new(),
            next_id: 0,
            deadline,
            events: Vec::new(),
            _profile: profile,
        };
        let target = b.call("Target.createTarget", json!({ "url": "about:blank" }));
        let target = target["targetId"].as_str().unwrap().to_string();
        let attached = b.call(
            "Target.attachToTarget",
            json!({ "targetId": target, "flatten": true }),
        );
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        for domain in ["Page", "Runtime", "Log", "Network"] {
            b.call(&format!("{domain}.enable"), json!({}));
        }
        b.viewport(width, height);
        b
    }

    /// Sets the page's size in CSS pixels (device scale 1).
    pub fn viewport(&mut self, width: u32, height: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false }),
        );
    }

    /// Opens `url` and waits for its load event.
    pub fn open(&mut self, url: &str) {
        let seen = self.events.len();
        let r = self.call("Page.navigate", json!({ "url": url }));
        assert!(r.get("errorText").is_none(), "navigating to {url}: {r}");
        while !self.events[seen..]
            .iter()
            .any(|e| e["method"] == "Page.loadEventFired")
        {
            self.read_one();
        }
    }

    /// The value of a script expression (awaited if it is a promise), as JSON.
    pub fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("evaluating {expression}: {e}");
        }
        r["result"]["value"].clone()
    }

    /// A PNG of the viewport.
    pub fn screenshot(&mut self) -> Vec<u8> {
        let r = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        data_encoding::BASE64
            .decode(r["data"].as_str().unwrap().as_bytes())
            .unwrap()
    }

    /// Sends a command to the page (or, before one is attached, to the browser) and returns its
    /// result, keeping every event that arrives meanwhile.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        self.socket
            .send(Message::text(msg.to_string()))
            .unwrap_or_else(|e| panic!("sending {method} to chromium: {e}"));
        loop {
            if let Some(reply) = self.read_one().filter(|m| m["id"] == id) {
                if let Some(e) = reply.get("error") {
                    panic!("chromium refused {method}: {e}");
                }
                return reply["result"].clone();
            }
        }
    }

    /// Reads one message: a reply is returned, an event is kept in [`Browser::events`].
    fn read_one(&mut self) -> Option<Value> {
        loop {
            assert!(
                Instant::now() < self.deadline,
                "chromium did not answer within {DEADLINE:?}"
            );
            match self.socket.read() {
                Ok(Message::Text(t)) => {
                    let v: Value = serde_json::from_str(&t).unwrap();
                    if v.get("id").is_some() {
                        return Some(v);
                    }
                    self.events.push(v);
                    return None;
                }
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    continue;
                }
                Err(e) => panic!("reading from chromium: {e}"),
            }
        }
    }

    /// The events named `method`.
    pub fn events_named(&self, method: &str) -> Vec<&Value> {
        self.events
            .iter()
            .filter(|e| e["method"] == method)
            .collect()
    }
}

/// The browser's DevTools address, from the line Chromium prints on stderr when it listens.
/// Stderr is drained for the rest of the browser's life, so that a full pipe never blocks it.
fn devtools_url(child: &mut Child) -> String {
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut told = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("DevTools listening on ")
                && !told
            {
                let _ = tx.send(url.trim().to_string());
                told = true;
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("chromium did not say where DevTools listens within 30 s")
}

fn connect(url: &str) -> WebSocket<TcpStream> {
    let host = url
        .strip_prefix("ws://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("unexpected DevTools address {url}"));
    let stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let (socket, _) = tungstenite::client(url, stream)
        .unwrap_or_else(|e| panic!("WebSocket handshake with chromium at {url}: {e}"));
    // From now on reads wake up every second, so that the deadline is checked.
    socket
        .get_ref()
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    socket
}
