//! A real SMTP server over TCP for the email tests, with fault injection.
//!
//! [`SmtpServer::start`] listens on `127.0.0.1:0` and speaks enough RFC 5321
//! for lettre's `AsyncSmtpTransport<Tokio1Executor>` (plain SMTP, no TLS):
//! `220` greeting, `EHLO`/`HELO`, `MAIL FROM` (with `SIZE`, `BODY`, `SMTPUTF8`
//! parameters), several `RCPT TO`, `DATA` with dot-unstuffing, `RSET`, `NOOP`,
//! `VRFY` (`252`), `HELP`, `QUIT`; unknown commands get `500`, known but
//! unimplemented ones (`STARTTLS`, `AUTH`, `EXPN`, …) get `502`. It serves
//! many connections concurrently and many transactions per connection.
//! Advertised extensions: `PIPELINING`, `SIZE`, `8BITMIME`, `SMTPUTF8`,
//! `ENHANCEDSTATUSCODES`.
//!
//! Things worth knowing about lettre 0.11 when writing tests against it:
//! * it does not pipeline: one command, one reply;
//! * a pooled connection is probed with `NOOP` before reuse, so a connection
//!   closed by the server (see [`SmtpServer::close_idle_connections`] and
//!   [`SmtpServer::stop`]) is silently replaced by a new one;
//! * a connection goes back to the pool from a spawned task after `send`
//!   returns, so a send issued immediately afterwards may open a second
//!   connection: sleep briefly before asserting on [`SmtpServer::connections`];
//! * after any negative reply lettre sends `QUIT` and discards the connection;
//! * a connection closed instead of the reply to the end of `DATA`
//!   ([`Fault::DropAfterData`]) is reported as a *response* error
//!   ("incomplete response"): neither `is_transient()` nor `is_permanent()`;
//! * `AsyncSmtpTransport::from_url` only exists with a TLS feature enabled;
//!   use `builder_dangerous(host).port(port)` with [`SmtpServer::port`].

use std::fmt::Write as _;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// Name the server uses in its greeting and `EHLO` reply.
const SERVER_NAME: &str = "erhverv-test-smtp";
/// Largest message accepted (also advertised with `SIZE`).
const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;
/// Longest command line accepted (RFC 5321 requires 512; be generous).
const MAX_COMMAND_LINE: usize = 4096;

/// A message as it arrived over SMTP.
#[derive(Debug, Clone)]
pub struct Received {
    /// Envelope sender (`MAIL FROM`), without angle brackets; empty for `<>`.
    pub from: String,
    /// Envelope recipients (accepted `RCPT TO`s), without angle brackets.
    pub to: Vec<String>,
    /// The raw message after dot-unstuffing, CRLF line endings kept. It ends
    /// with the CRLF that SMTP's `CRLF.CRLF` terminator lends the last line.
    pub data: String,
}

/// What the server should do wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    None,
    /// Answer RCPT TO with this reply, e.g. (451, "4.3.0 try again later") or (550, "5.1.1 no such user")
    RejectRcpt(u16, String),
    /// Answer the end of DATA with this reply instead of 250
    RejectData(u16, String),
    /// Accept the DATA bytes (store the message as received!) then close the connection without replying
    DropAfterData,
    /// Take this long before answering the end of DATA (a slow server):
    /// the message is stored, and counts as delivered, only when the reply
    /// is sent.
    SlowData(std::time::Duration),
}

/// An SMTP server on `127.0.0.1` for the duration of a test.
///
/// Dropping it stops the listener and closes every connection.
pub struct SmtpServer {
    port: u16,
    shared: Arc<Shared>,
    listener: Mutex<Option<JoinHandle<()>>>,
    conns: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

/// State shared by the handle and the server tasks.
struct Shared {
    state: Mutex<State>,
    /// Woken (`notify_waiters`) whenever a message is stored.
    stored: Notify,
    /// Woken (`notify_waiters`) by `close_idle_connections`; only connections
    /// waiting for a command outside a mail transaction listen to it.
    close_idle: Notify,
    connections: AtomicUsize,
    next_queue_id: AtomicU64,
}

#[derive(Default)]
struct State {
    /// Stored messages in arrival order; `accepted` is false for `DropAfterData`.
    messages: Vec<(Received, bool)>,
    fault: Option<Fault>,
    fault_once: Option<Fault>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn bind(port: u16) -> io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
    socket.listen(1024)
}

impl SmtpServer {
    /// Starts a server on `127.0.0.1` on a free port.
    pub async fn start() -> SmtpServer {
        let listener = bind(0).expect("SmtpServer: bind 127.0.0.1:0");
        let port = listener
            .local_addr()
            .expect("SmtpServer: local_addr")
            .port();
        let server = SmtpServer {
            port,
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                stored: Notify::new(),
                close_idle: Notify::new(),
                connections: AtomicUsize::new(0),
                next_queue_id: AtomicU64::new(1),
            }),
            listener: Mutex::new(None),
            conns: Arc::new(Mutex::new(Vec::new())),
        };
        server.spawn_accept_loop(listener);
        server
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `smtp://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Messages answered with `250` after `DATA`, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.shared.state)
            .messages
            .iter()
            .filter(|(_, accepted)| *accepted)
            .map(|(message, _)| message.clone())
            .collect()
    }

    /// Like [`SmtpServer::received`], plus the messages stored under
    /// [`Fault::DropAfterData`] (whose sender never got a reply).
    pub fn received_including_dropped(&self) -> Vec<Received> {
        lock(&self.shared.state)
            .messages
            .iter()
            .map(|(message, _)| message.clone())
            .collect()
    }

    /// Waits until at least `n` messages have been accepted and returns
    /// [`SmtpServer::received`]; panics if that takes longer than `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Created before the check: `notify_waiters` reaches it even unpolled.
            let stored = self.shared.stored.notified();
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            if tokio::time::timeout_at(deadline, stored).await.is_err() {
                let received = self.received();
                if received.len() >= n {
                    return received;
                }
                let all = self.received_including_dropped();
                let summary: Vec<String> = all
                    .iter()
                    .map(|m| format!("{:?} -> {:?}", m.subject(), m.to))
                    .collect();
                panic!(
                    "SmtpServer::wait_for: expected at least {n} accepted message(s) within \
                     {timeout:?}, got {} accepted ({} including dropped: {summary:?}); \
                     {} connection(s) so far",
                    received.len(),
                    all.len(),
                    self.connections(),
                );
            }
        }
    }

    /// Sets the fault for all subsequent transactions (`Fault::None` to heal).
    pub fn set_fault(&self, fault: Fault) {
        lock(&self.shared.state).fault = Some(fault);
    }

    /// Sets the fault for the next transaction only (the next `MAIL FROM`
    /// on any connection); afterwards the [`SmtpServer::set_fault`] fault,
    /// normally `Fault::None`, applies again.
    pub fn fault_once(&self, fault: Fault) {
        lock(&self.shared.state).fault_once = Some(fault);
    }

    /// Stops listening and closes every open connection; connecting is
    /// refused until [`SmtpServer::restart`]. Messages received are kept.
    pub async fn stop(&self) {
        let listener = lock(&self.listener).take();
        if let Some(listener) = listener {
            listener.abort();
            // Awaiting guarantees the listening socket has been dropped.
            let _ = listener.await;
        }
        let conns = std::mem::take(&mut *lock(&self.conns));
        for conn in &conns {
            conn.abort();
        }
        for conn in conns {
            let _ = conn.await;
        }
    }

    /// Listens again on the same port (stopping first if still running).
    pub async fn restart(&self) {
        self.stop().await;
        let mut attempt = 0;
        let listener = loop {
            match bind(self.port) {
                Ok(listener) => break listener,
                Err(_) if attempt < 100 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("SmtpServer::restart: cannot bind port {}: {e}", self.port),
            }
        };
        self.spawn_accept_loop(listener);
    }

    /// Connections accepted so far (over all restarts).
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Closes (with `421`) every connection that is waiting for a command
    /// outside a mail transaction, as a server's idle timeout would. Takes
    /// effect as soon as those connection tasks run; the client's next
    /// command on such a connection fails.
    pub fn close_idle_connections(&self) {
        self.shared.close_idle.notify_waiters();
    }

    fn spawn_accept_loop(&self, listener: TcpListener) {
        let shared = Arc::clone(&self.shared);
        let conns = Arc::clone(&self.conns);
        let task = tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => {
                        shared.connections.fetch_add(1, Ordering::SeqCst);
                        let _ = stream.set_nodelay(true);
                        let task = tokio::spawn(serve_connection(stream, Arc::clone(&shared)));
                        // No await between accept and registration: `stop`
                        // (which aborts this loop first) sees every connection.
                        let mut conns = lock(&conns);
                        conns.retain(|conn| !conn.is_finished());
                        conns.push(task);
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        });
        *lock(&self.listener) = Some(task);
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(listener) = lock(&self.listener).take() {
            listener.abort();
        }
        for conn in lock(&self.conns).drain(..) {
            conn.abort();
        }
    }
}

// ---------------------------------------------------------------------------
// Connection handling
// ---------------------------------------------------------------------------

/// A TCP stream with a line buffer. Uses only `readable`/`try_read` and
/// `writable`/`try_write`, so tokio's `io-util` feature is not needed.
struct LineIo {
    stream: TcpStream,
    buf: Vec<u8>,
}

enum Input {
    /// A line including its `\n` (or `\r\n`).
    Line(Vec<u8>),
    Eof,
    TooLong,
    IdleClose,
}

impl LineIo {
    fn new(stream: TcpStream) -> Self {
        LineIo {
            stream,
            buf: Vec::new(),
        }
    }

    /// Reads one line. `idle_close`, if given, may interrupt the wait for
    /// input, but only while nothing at all is buffered.
    async fn read_line(&mut self, limit: usize, idle_close: Option<&Notify>) -> io::Result<Input> {
        let mut scanned = 0;
        loop {
            if let Some(pos) = self.buf[scanned..].iter().position(|&b| b == b'\n') {
                let end = scanned + pos + 1;
                return Ok(Input::Line(self.buf.drain(..end).collect()));
            }
            scanned = self.buf.len();
            if self.buf.len() > limit {
                return Ok(Input::TooLong);
            }
            let idle_close = if self.buf.is_empty() {
                idle_close
            } else {
                None
            };
            if let Some(idle_close) = idle_close {
                tokio::select! {
                    biased;
                    () = idle_close.notified() => return Ok(Input::IdleClose),
                    ready = self.stream.readable() => ready?,
                }
            } else {
                self.stream.readable().await?;
            }
            let mut chunk = [0u8; 16 * 1024];
            match self.stream.try_read(&mut chunk) {
                Ok(0) => return Ok(Input::Eof),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
    }

    async fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            self.stream.writable().await?;
            match self.stream.try_write(bytes) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Sends a (possibly multi-line, `\n`-separated) reply.
    async fn reply(&mut self, code: u16, text: &str) -> io::Result<()> {
        let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
        let mut out = String::new();
        for (i, line) in lines.iter().enumerate() {
            let sep = if i + 1 == lines.len() { ' ' } else { '-' };
            let _ = write!(out, "{code}{sep}{line}\r\n");
        }
        self.write_all(out.as_bytes()).await
    }
}

struct Transaction {
    from: String,
    to: Vec<String>,
    fault: Fault,
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    let mut io = LineIo::new(stream);
    // Errors just end the connection; dropping the stream closes it.
    let _ = session(&mut io, &shared).await;
}

async fn session(io: &mut LineIo, shared: &Shared) -> io::Result<()> {
    io.reply(220, &format!("{SERVER_NAME} ESMTP ready")).await?;
    let mut greeted = false;
    let mut tx: Option<Transaction> = None;
    loop {
        let idle_close = if tx.is_none() {
            Some(&shared.close_idle)
        } else {
            None
        };
        let line = match io.read_line(MAX_COMMAND_LINE, idle_close).await? {
            Input::Line(line) => line,
            Input::Eof => return Ok(()),
            Input::TooLong => return io.reply(500, "5.5.6 line too long").await,
            Input::IdleClose => {
                return io.reply(421, "4.4.2 idle connection closed").await;
            }
        };
        let Ok(line) = String::from_utf8(line) else {
            io.reply(500, "5.5.2 syntax error (invalid UTF-8)").await?;
            continue;
        };
        let line = line.trim_end_matches(['\r', '\n']);
        let (verb, arg) = match line.split_once(' ') {
            Some((verb, arg)) => (verb, arg.trim()),
            None => (line, ""),
        };
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" | "HELO" if arg.is_empty() => {
                io.reply(501, "5.5.4 domain name required").await?;
            }
            "EHLO" => {
                tx = None;
                greeted = true;
                let text = format!(
                    "{SERVER_NAME} greets {arg}\nPIPELINING\nSIZE {MAX_MESSAGE_BYTES}\n\
                     8BITMIME\nSMTPUTF8\nENHANCEDSTATUSCODES"
                );
                io.reply(250, &text).await?;
            }
            "HELO" => {
                tx = None;
                greeted = true;
                io.reply(250, SERVER_NAME).await?;
            }
            "MAIL" => {
                if !greeted {
                    io.reply(503, "5.5.1 send EHLO or HELO first").await?;
                } else if tx.is_some() {
                    io.reply(503, "5.5.1 nested MAIL command").await?;
                } else {
                    match parse_mail(arg) {
                        Ok(from) => {
                            let fault = {
                                let mut state = lock(&shared.state);
                                match state.fault_once.take() {
                                    Some(fault) => fault,
                                    None => state.fault.clone().unwrap_or(Fault::None),
                                }
                            };
                            tx = Some(Transaction {
                                from,
                                to: Vec::new(),
                                fault,
                            });
                            io.reply(250, "2.1.0 Ok").await?;
                        }
                        Err((code, text)) => io.reply(code, text).await?,
                    }
                }
            }
            "RCPT" => match tx.as_mut() {
                None => io.reply(503, "5.5.1 need MAIL command").await?,
                Some(tx) => match parse_rcpt(arg) {
                    Ok(to) => {
                        if let Fault::RejectRcpt(code, text) = &tx.fault {
                            io.reply(*code, text).await?;
                        } else {
                            tx.to.push(to);
                            io.reply(250, "2.1.5 Ok").await?;
                        }
                    }
                    Err((code, text)) => io.reply(code, text).await?,
                },
            },
            "DATA" => {
                if !arg.is_empty() {
                    io.reply(501, "5.5.4 DATA takes no arguments").await?;
                    continue;
                }
                let Some(current) = tx.take_if(|tx| !tx.to.is_empty()) else {
                    if tx.is_none() {
                        io.reply(503, "5.5.1 need MAIL command").await?;
                    } else {
                        io.reply(554, "5.5.1 no valid recipients").await?;
                    }
                    continue;
                };
                io.reply(354, "End data with <CR><LF>.<CR><LF>").await?;
                let Some(data) = read_data(io).await? else {
                    // EOF or an overlong line in the middle of DATA.
                    return Ok(());
                };
                let Some(data) = data else {
                    io.reply(552, "5.3.4 message size exceeds fixed limit")
                        .await?;
                    continue;
                };
                let message = Received {
                    from: current.from,
                    to: current.to,
                    data: String::from_utf8_lossy(&data).into_owned(),
                };
                match current.fault {
                    Fault::RejectData(code, text) => io.reply(code, &text).await?,
                    Fault::SlowData(delay) => {
                        tokio::time::sleep(delay).await;
                        shared.store(message, true);
                        let id = shared.next_queue_id.fetch_add(1, Ordering::SeqCst);
                        io.reply(250, &format!("2.0.0 Ok: queued as {id:08X}"))
                            .await?;
                    }
                    Fault::DropAfterData => {
                        shared.store(message, false);
                        return Ok(());
                    }
                    Fault::None | Fault::RejectRcpt(..) => {
                        // Stored before replying: once the client's send()
                        // returns, `received()` contains the message.
                        shared.store(message, true);
                        let id = shared.next_queue_id.fetch_add(1, Ordering::SeqCst);
                        io.reply(250, &format!("2.0.0 Ok: queued as {id:08X}"))
                            .await?;
                    }
                }
            }
            "RSET" if !arg.is_empty() => io.reply(501, "5.5.4 RSET takes no arguments").await?,
            "RSET" => {
                tx = None;
                io.reply(250, "2.0.0 Ok").await?;
            }
            "NOOP" => io.reply(250, "2.0.0 Ok").await?,
            "QUIT" => return io.reply(221, "2.0.0 Bye").await,
            "VRFY" => {
                io.reply(252, "2.5.2 cannot VRFY user, but will accept message")
                    .await?;
            }
            "HELP" => {
                io.reply(
                    214,
                    "2.0.0 EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP",
                )
                .await?;
            }
            "EXPN" | "STARTTLS" | "AUTH" | "BDAT" | "ETRN" | "ATRN" | "TURN" | "SEND" | "SOML"
            | "SAML" => io.reply(502, "5.5.1 command not implemented").await?,
            _ => io.reply(500, "5.5.2 command not recognized").await?,
        }
    }
}

/// Reads the message after `354` up to the `.` line. `Ok(None)`: the
/// connection ended (or sent an absurd line); `Ok(Some(None))`: the message
/// was too big (read and discarded); `Ok(Some(Some(data)))`: the message.
async fn read_data(io: &mut LineIo) -> io::Result<Option<Option<Vec<u8>>>> {
    let mut data = Vec::new();
    let mut too_big = false;
    loop {
        let line = match io.read_line(MAX_MESSAGE_BYTES, None).await? {
            Input::Line(line) => line,
            Input::Eof | Input::TooLong | Input::IdleClose => return Ok(None),
        };
        if line == b".\r\n" {
            return Ok(Some((!too_big).then_some(data)));
        }
        let line = line.strip_prefix(b".").unwrap_or(&line);
        if data.len() + line.len() > MAX_MESSAGE_BYTES {
            too_big = true;
        } else if !too_big {
            data.extend_from_slice(line);
        }
    }
}

impl Shared {
    fn store(&self, message: Received, accepted: bool) {
        lock(&self.state).messages.push((message, accepted));
        self.stored.notify_waiters();
    }
}

type Reply = (u16, &'static str);

/// Strips an ASCII prefix case-insensitively.
fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// `KEY[=VALUE]` parameters of `MAIL`/`RCPT`, keys upper-cased.
type Params = Vec<(String, Option<String>)>;

/// Parses `<path> [PARAM[=VALUE] ...]`; the address comes back without
/// brackets (and without an RFC 5321 source route).
fn parse_path(s: &str) -> Option<(String, Params)> {
    let rest = s.trim_start().strip_prefix('<')?;
    let (mut in_quotes, mut escaped, mut end) = (false, false, None);
    for (i, c) in rest.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '>' if !in_quotes => {
                end = Some(i);
                break;
            }
            _ => {}
        }
    }
    let end = end?;
    let mut address = &rest[..end];
    if address.starts_with('@') {
        address = address.split_once(':')?.1;
    }
    let params = &rest[end + 1..];
    if !params.is_empty() && !params.starts_with(' ') {
        return None;
    }
    let params = params
        .split_whitespace()
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_ascii_uppercase(), Some(v.to_owned())),
            None => (p.to_ascii_uppercase(), None),
        })
        .collect();
    Some((address.to_owned(), params))
}

fn parse_mail(arg: &str) -> Result<String, Reply> {
    let syntax = (501, "5.5.4 syntax: MAIL FROM:<address> [parameters]");
    let rest = strip_prefix_ci(arg, "FROM:").ok_or(syntax)?;
    let (from, params) = parse_path(rest).ok_or(syntax)?;
    for (key, value) in params {
        match (key.as_str(), value.as_deref()) {
            ("SIZE", Some(size)) => match size.parse::<u64>() {
                Ok(size) if size > MAX_MESSAGE_BYTES as u64 => {
                    return Err((552, "5.3.4 message size exceeds fixed limit"));
                }
                Ok(_) => {}
                Err(_) => return Err((501, "5.5.4 invalid SIZE value")),
            },
            ("BODY", Some(body))
                if body.eq_ignore_ascii_case("7BIT") || body.eq_ignore_ascii_case("8BITMIME") => {}
            ("SMTPUTF8", None) => {}
            _ => return Err((555, "5.5.4 unsupported MAIL parameter")),
        }
    }
    Ok(from)
}

fn parse_rcpt(arg: &str) -> Result<String, Reply> {
    let syntax = (501, "5.5.4 syntax: RCPT TO:<address>");
    let rest = strip_prefix_ci(arg, "TO:").ok_or(syntax)?;
    let (to, params) = parse_path(rest).ok_or(syntax)?;
    if to.is_empty() {
        return Err(syntax);
    }
    if !params.is_empty() {
        return Err((555, "5.5.4 unsupported RCPT parameter"));
    }
    Ok(to)
}

// ---------------------------------------------------------------------------
// Message inspection (RFC 5322 / MIME)
// ---------------------------------------------------------------------------

impl Received {
    /// The first header called `name` (case-insensitive), unfolded and
    /// trimmed, still encoded (see [`Received::subject`] for decoding).
    pub fn header(&self, name: &str) -> Option<String> {
        let entity = self.data.replace("\r\n", "\n");
        let (head, _) = split_entity(&entity);
        header_value(&parse_headers(head), name)
    }

    /// The `Message-ID` header as sent, angle brackets included.
    pub fn message_id(&self) -> Option<String> {
        self.header("Message-ID")
    }

    /// The `Subject` header with RFC 2047 encoded-words decoded.
    pub fn subject(&self) -> Option<String> {
        self.header("Subject").map(|s| decode_encoded_words(&s))
    }

    /// The first `text/plain` part (or a non-MIME body), transfer-decoded and
    /// charset-decoded, with line endings normalised to `\n` and trailing
    /// line breaks removed (SMTP and lettre's MIME framing append CRLFs that
    /// were never part of the text: `.singlepart()` adds one more than
    /// `.body()`).
    pub fn text_part(&self) -> Option<String> {
        self.find_part("text/plain")
    }

    /// The first `text/html` part, decoded like [`Received::text_part`].
    pub fn html_part(&self) -> Option<String> {
        self.find_part("text/html")
    }

    fn find_part(&self, mime: &str) -> Option<String> {
        find_part(&self.data.replace("\r\n", "\n"), mime, 0)
    }
}

/// Splits an entity (with `\n` line endings) into header block and body.
fn split_entity(entity: &str) -> (&str, &str) {
    if let Some(body) = entity.strip_prefix('\n') {
        return ("", body);
    }
    match entity.find("\n\n") {
        Some(i) => (&entity[..i], &entity[i + 2..]),
        None => (entity, ""),
    }
}

/// Header fields in order, names as written, values unfolded and trimmed.
fn parse_headers(head: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split('\n') {
        if line.starts_with([' ', '\t']) {
            // Unfolding removes the line break and keeps the whitespace.
            if let Some((_, value)) = headers.last_mut() {
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.to_owned()));
        }
    }
    for (_, value) in &mut headers {
        *value = value.trim().to_owned();
    }
    headers
}

fn header_value(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// Splits `value; key=val; key="val"` into the lower-cased first item and
/// parameters (lower-cased names, unquoted values).
fn parse_parameterized(value: &str) -> (String, Vec<(String, String)>) {
    let mut items = Vec::new();
    let (mut current, mut in_quotes, mut escaped) = (String::new(), false, false);
    for c in value.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => items.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    items.push(current);
    let mut items = items.into_iter();
    let first = items.next().unwrap_or_default().trim().to_ascii_lowercase();
    let params = items
        .filter_map(|item| {
            let (k, v) = item.split_once('=')?;
            Some((k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        })
        .collect();
    (first, params)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn find_part(entity: &str, wanted: &str, depth: usize) -> Option<String> {
    if depth > 16 {
        return None;
    }
    let (head, body) = split_entity(entity);
    let headers = parse_headers(head);
    let (mime, params) = header_value(&headers, "Content-Type")
        .map(|ct| parse_parameterized(&ct))
        .unwrap_or_else(|| ("text/plain".to_owned(), Vec::new()));
    if mime.starts_with("multipart/") {
        let boundary = param(&params, "boundary")?;
        return split_multipart(body, boundary)
            .iter()
            .find_map(|part| find_part(part, wanted, depth + 1));
    }
    let attachment = header_value(&headers, "Content-Disposition")
        .is_some_and(|d| parse_parameterized(&d).0 == "attachment");
    if mime != wanted || attachment {
        return None;
    }
    let encoding = header_value(&headers, "Content-Transfer-Encoding")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let bytes = match encoding.as_str() {
        "quoted-printable" => decode_quoted_printable(body.as_bytes(), false),
        "base64" => decode_base64(body.as_bytes()),
        _ => body.as_bytes().to_vec(),
    };
    let text = decode_charset(&bytes, param(&params, "charset").unwrap_or("utf-8"));
    Some(
        text.replace("\r\n", "\n")
            .trim_end_matches(['\r', '\n'])
            .to_owned(),
    )
}

/// The body parts of a multipart body (with `\n` line endings).
fn split_multipart(body: &str, boundary: &str) -> Vec<String> {
    let text = format!("\n{body}");
    let delimiter = format!("\n--{boundary}");
    let mut parts = Vec::new();
    let mut part_start: Option<usize> = None;
    let mut from = 0;
    while let Some(pos) = text[from..].find(&delimiter) {
        let start = from + pos;
        let after = start + delimiter.len();
        let line_end = text[after..].find('\n').map_or(text.len(), |i| after + i);
        let rest_of_line = &text[after..line_end];
        let closing = rest_of_line.starts_with("--");
        let tail = if closing {
            &rest_of_line[2..]
        } else {
            rest_of_line
        };
        from = line_end;
        if !tail.trim().is_empty() {
            continue; // The boundary string is only a prefix of this line.
        }
        if let Some(part_start) = part_start {
            parts.push(text[part_start..start].to_owned());
        }
        if closing {
            break;
        }
        part_start = Some((line_end + 1).min(text.len()));
    }
    parts
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Quoted-printable (RFC 2045) or, with `q_encoding`, RFC 2047 "Q".
fn decode_quoted_printable(input: &[u8], q_encoding: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'=' => {
                let hex = input
                    .get(i + 1)
                    .and_then(|&h| hex_value(h))
                    .zip(input.get(i + 2).and_then(|&l| hex_value(l)));
                if let Some((high, low)) = hex {
                    out.push((high << 4) | low);
                    i += 3;
                    continue;
                }
                // A soft line break: `=`, optional trailing blanks, newline.
                let mut j = i + 1;
                while matches!(input.get(j), Some(b' ' | b'\t' | b'\r')) {
                    j += 1;
                }
                if input.get(j) == Some(&b'\n') {
                    i = j + 1;
                } else {
                    out.push(b'=');
                    i += 1;
                }
            }
            b'_' if q_encoding => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Base64, skipping whitespace (and anything else outside the alphabet).
fn decode_base64(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in input {
        let value = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn decode_charset(bytes: &[u8], charset: &str) -> String {
    let charset = charset.trim().to_ascii_lowercase();
    match charset.as_str() {
        "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "iso-8859-15" | "windows-1252"
        | "cp1252" => bytes.iter().map(|&b| char::from(b)).collect(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Parses one RFC 2047 encoded-word at the start of `s`:
/// (charset, decoded bytes, length in `s`).
fn parse_encoded_word(s: &str) -> Option<(String, Vec<u8>, usize)> {
    let rest = s.strip_prefix("=?")?;
    let (charset, rest) = rest.split_once('?')?;
    let (encoding, rest) = rest.split_once('?')?;
    let end = rest.find("?=")?;
    let text = &rest[..end];
    if charset.is_empty() || text.contains(char::is_whitespace) {
        return None;
    }
    let bytes = match encoding {
        "B" | "b" => decode_base64(text.as_bytes()),
        "Q" | "q" => decode_quoted_printable(text.as_bytes(), true),
        _ => return None,
    };
    // RFC 2231 allows `charset*language`.
    let charset = charset
        .split('*')
        .next()
        .unwrap_or(charset)
        .to_ascii_lowercase();
    // `rest` is a suffix of `s`: the word ends after `?=`.
    let len = s.len() - rest.len() + end + 2;
    Some((charset, bytes, len))
}

/// Decodes RFC 2047 encoded-words in an unstructured header value;
/// whitespace between adjacent encoded-words is dropped.
fn decode_encoded_words(input: &str) -> String {
    fn flush(out: &mut String, pending: &mut Option<(String, Vec<u8>)>) {
        if let Some((charset, bytes)) = pending.take() {
            out.push_str(&decode_charset(&bytes, &charset));
        }
    }
    let mut out = String::new();
    let mut pending: Option<(String, Vec<u8>)> = None;
    let (mut search_from, mut literal_start) = (0, 0);
    while let Some(pos) = input[search_from..].find("=?") {
        let start = search_from + pos;
        let Some((charset, bytes, len)) = parse_encoded_word(&input[start..]) else {
            search_from = start + 2;
            continue;
        };
        let gap = &input[literal_start..start];
        if pending.is_none() || !gap.chars().all(char::is_whitespace) {
            flush(&mut out, &mut pending);
            out.push_str(gap);
        }
        match &mut pending {
            // Join the bytes first: a character may be split across words.
            Some((pending_charset, pending_bytes)) if *pending_charset == charset => {
                pending_bytes.extend_from_slice(&bytes);
            }
            _ => {
                flush(&mut out, &mut pending);
                pending = Some((charset, bytes));
            }
        }
        search_from = start + len;
        literal_start = search_from;
    }
    flush(&mut out, &mut pending);
    out.push_str(&input[literal_start..]);
    out
}

// ---------------------------------------------------------------------------
// Tests of the server itself (with lettre as the client)
// ---------------------------------------------------------------------------

mod tests {
    use super::*;
    use lettre::message::header::{ContentTransferEncoding, ContentType};
    use lettre::message::{Mailbox, MultiPart, SinglePart};
    use lettre::transport::smtp::PoolConfig;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

    const DANISH_SUBJECT: &str = "Opfølgning på jeres rekrutteringsbehov – Åbent Værksted";
    const WAIT: Duration = Duration::from_secs(5);

    fn mailer(server: &SmtpServer) -> AsyncSmtpTransport<Tokio1Executor> {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(server.port())
            .timeout(Some(Duration::from_secs(5)))
            .pool_config(PoolConfig::new().max_size(4))
            .build()
    }

    fn mailbox(s: &str) -> Mailbox {
        s.parse().unwrap()
    }

    fn simple_message(subject: &str) -> Message {
        Message::builder()
            .from(mailbox("Erhverv <noreply@erhverv.kk.dk>"))
            .to(mailbox("Virksomhed <kontakt@virksomhed.dk>"))
            .subject(subject)
            .body("Hej.\nVenlig hilsen".to_owned())
            .unwrap()
    }

    /// Gives lettre's spawned task time to put the connection back in the pool.
    async fn let_pool_settle() {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn smtp_server_receives_a_simple_message() {
        let server = SmtpServer::start().await;
        assert_eq!(server.url(), format!("smtp://127.0.0.1:{}", server.port()));
        mailer(&server).send(simple_message("Hej")).await.unwrap();

        let received = server.wait_for(1, WAIT).await;
        assert_eq!(received.len(), 1);
        let message = &received[0];
        assert_eq!(message.from, "noreply@erhverv.kk.dk");
        assert_eq!(message.to, vec!["kontakt@virksomhed.dk".to_owned()]);
        assert!(
            message.data.contains("\r\n"),
            "CRLF kept: {:?}",
            message.data
        );
        assert!(message.data.ends_with("\r\n"));
        assert_eq!(message.subject().as_deref(), Some("Hej"));
        assert_eq!(
            message.header("to").as_deref(),
            Some("Virksomhed <kontakt@virksomhed.dk>")
        );
        assert_eq!(message.text_part().as_deref(), Some("Hej.\nVenlig hilsen"));
        assert_eq!(message.html_part(), None);
        assert_eq!(server.connections(), 1);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn smtp_server_decodes_danish_multipart_alternative() {
        let server = SmtpServer::start().await;
        let text = "Kære Åse Ørsted\n\nTak for mødet om jeres rekrutteringsbehov – vi følger op.\n\
                .linje der starter med punktum\n.\n";
        let html = "<p>Kære Åse Ørsted</p>\n<p>Tak for mødet – vi følger op. Æ ø å</p>";
        let message = Message::builder()
            .from(mailbox("Erhvervsservice <erhverv@kk.dk>"))
            .to(mailbox("Åse Ørsted <aase@virksomhed.dk>"))
            .cc(mailbox("kollega@virksomhed.dk"))
            .bcc(mailbox("arkiv@kk.dk"))
            .message_id(Some("<opfoelgning-42@erhverv.kk.dk>".to_owned()))
            .subject(DANISH_SUBJECT)
            .multipart(MultiPart::alternative_plain_html(
                text.to_owned(),
                html.to_owned(),
            ))
            .unwrap();
        mailer(&server).send(message).await.unwrap();

        let message = &server.wait_for(1, WAIT).await[0];
        assert_eq!(
            message.to,
            vec![
                "aase@virksomhed.dk".to_owned(),
                "kollega@virksomhed.dk".to_owned(),
                "arkiv@kk.dk".to_owned()
            ]
        );
        assert_eq!(message.header("BCC"), None, "Bcc must not be transmitted");
        assert_eq!(
            message.header("Cc").as_deref(),
            Some("kollega@virksomhed.dk")
        );
        let raw_subject = message.header("subject").unwrap();
        assert!(raw_subject.is_ascii(), "encoded on the wire: {raw_subject}");
        assert!(
            raw_subject.to_ascii_lowercase().contains("=?utf-8?"),
            "{raw_subject}"
        );
        assert_eq!(message.subject().as_deref(), Some(DANISH_SUBJECT));
        assert_eq!(
            message.message_id().as_deref(),
            Some("<opfoelgning-42@erhverv.kk.dk>")
        );
        assert!(
            message
                .header("content-type")
                .unwrap()
                .starts_with("multipart/alternative")
        );
        assert_eq!(
            message.text_part().as_deref(),
            Some(text.trim_end_matches('\n'))
        );
        assert_eq!(message.html_part().as_deref(), Some(html));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn smtp_server_handles_8bit_base64_and_dot_stuffing() {
        let server = SmtpServer::start().await;
        let transport = mailer(&server);
        let body = ".første linje\n..\n.\nÆblegrød\n";
        let eight_bit = Message::builder()
            .from(mailbox("a@erhverv.kk.dk"))
            .to(mailbox("b@virksomhed.dk"))
            .subject("8bit")
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .header(ContentTransferEncoding::EightBit)
                    .body(body.to_owned()),
            )
            .unwrap();
        transport.send(eight_bit).await.unwrap();
        let base64 = Message::builder()
            .from(mailbox("a@erhverv.kk.dk"))
            .to(mailbox("b@virksomhed.dk"))
            .subject("base64")
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .header(ContentTransferEncoding::Base64)
                    .body(format!("<pre>{body}</pre>")),
            )
            .unwrap();
        transport.send(base64).await.unwrap();

        let received = server.wait_for(2, WAIT).await;
        assert!(
            received[0]
                .data
                .contains("\r\n.første linje\r\n..\r\n.\r\nÆblegrød\r\n"),
            "dot-unstuffed raw data: {:?}",
            received[0].data
        );
        assert_eq!(
            received[0].text_part().as_deref(),
            Some(body.trim_end_matches('\n'))
        );
        assert_eq!(received[1].text_part(), None);
        assert_eq!(
            received[1].html_part().unwrap(),
            format!("<pre>{body}</pre>")
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn smtp_server_rcpt_451_is_transient_and_550_permanent() {
        let server = SmtpServer::start().await;
        let transport = mailer(&server);

        server.fault_once(Fault::RejectRcpt(451, "4.3.0 try again later".to_owned()));
        let err = transport.send(simple_message("1")).await.unwrap_err();
        assert!(err.is_transient(), "{err:?}");
        assert!(!err.is_permanent());

        // fault_once is spent: the next transaction succeeds.
        transport.send(simple_message("2")).await.unwrap();

        server.set_fault(Fault::RejectRcpt(550, "5.1.1 no such user".to_owned()));
        for subject in ["3", "4"] {
            let err = transport.send(simple_message(subject)).await.unwrap_err();
            assert!(err.is_permanent(), "{err:?}");
            assert!(!err.is_transient());
        }
        server.set_fault(Fault::None);
        transport.send(simple_message("5")).await.unwrap();

        let subjects: Vec<_> = server
            .received_including_dropped()
            .iter()
            .map(|m| m.subject().unwrap())
            .collect();
        assert_eq!(subjects, ["2", "5"]);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn smtp_server_rejects_data_on_request() {
        let server = SmtpServer::start().await;
        let transport = mailer(&server);

        server.fault_once(Fault::RejectData(
            452,
            "4.3.1 insufficient storage".to_owned(),
        ));
        let err = transport.send(simple_message("1")).await.unwrap_err();
        assert!(err.is_transient(), "{err:?}");
        server.fault_once(Fault::RejectData(
            554,
            "5.6.0 message content rejected".to_owned(),
        ));
        let err = transport.send(simple_message("2")).await.unwrap_err();
        assert!(err.is_permanent(), "{err:?}");
        assert!(server.received_including_dropped().is_empty());

        transport.send(simple_message("3")).await.unwrap();
        assert_eq!(server.received()[0].subject().as_deref(), Some("3"));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn smtp_server_drop_after_data_stores_but_fails_client() {
        let server = SmtpServer::start().await;
        let transport = mailer(&server);

        server.fault_once(Fault::DropAfterData);
        let err = transport.send(simple_message("tabt")).await.unwrap_err();
        // lettre reads EOF where the reply should be: "incomplete response".
        assert!(err.is_response(), "{err:?}");
        assert!(!err.is_transient() && !err.is_permanent(), "{err:?}");
        assert!(server.received().is_empty());
        let dropped = server.received_including_dropped();
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].subject().as_deref(), Some("tabt"));

        // The transport recovers with a fresh connection.
        transport.send(simple_message("igen")).await.unwrap();
        assert_eq!(server.received()[0].subject().as_deref(), Some("igen"));
        assert_eq!(server.received_including_dropped().len(), 2);
        assert_eq!(server.connections(), 2);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn smtp_server_stop_refuses_and_restart_serves_same_port() {
        let server = SmtpServer::start().await;
        let port = server.port();
        let transport = mailer(&server);
        transport.send(simple_message("før")).await.unwrap();
        let_pool_settle().await;

        server.stop().await;
        let refused = TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
        // The pooled connection was closed too, and no new one can be made.
        let err = transport.send(simple_message("under")).await.unwrap_err();
        assert!(!err.is_transient() && !err.is_permanent(), "{err:?}");

        server.restart().await;
        assert_eq!(server.port(), port);
        transport.send(simple_message("efter")).await.unwrap();
        server.stop().await;
        server.restart().await;
        transport.send(simple_message("igen")).await.unwrap();

        let subjects: Vec<_> = server
            .received()
            .iter()
            .map(|m| m.subject().unwrap())
            .collect();
        assert_eq!(subjects, ["før", "efter", "igen"]);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn smtp_server_pooled_connection_carries_two_messages() {
        let server = SmtpServer::start().await;
        let transport = mailer(&server);
        transport.send(simple_message("første")).await.unwrap();
        let_pool_settle().await;
        transport.send(simple_message("anden")).await.unwrap();
        assert_eq!(server.received().len(), 2);
        assert_eq!(server.connections(), 1);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn smtp_server_close_idle_connections_is_survived_by_pool() {
        let server = SmtpServer::start().await;
        let transport = mailer(&server);
        transport.send(simple_message("første")).await.unwrap();
        let_pool_settle().await;

        server.close_idle_connections();
        transport.send(simple_message("anden")).await.unwrap();
        assert_eq!(server.received().len(), 2);
        assert_eq!(server.connections(), 2);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn smtp_server_serves_concurrent_connections() {
        let server = SmtpServer::start().await;
        let transport = mailer(&server);
        let sends: Vec<_> = (0..12)
            .map(|i| {
                let transport = transport.clone();
                tokio::spawn(
                    async move { transport.send(simple_message(&format!("nr {i}"))).await },
                )
            })
            .collect();
        for send in sends {
            send.await.unwrap().unwrap();
        }
        let mut subjects: Vec<_> = server
            .wait_for(12, WAIT)
            .await
            .iter()
            .map(|m| m.subject().unwrap())
            .collect();
        subjects.sort();
        let mut expected: Vec<_> = (0..12).map(|i| format!("nr {i}")).collect();
        expected.sort();
        assert_eq!(subjects, expected);
        assert!(server.connections() > 1, "{}", server.connections());
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn smtp_server_wait_for_waits_for_late_messages() {
        let server = SmtpServer::start().await;
        let transport = mailer(&server);
        let sender = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            transport.send(simple_message("sent")).await.unwrap();
        });
        let received = server.wait_for(1, WAIT).await;
        assert_eq!(received[0].subject().as_deref(), Some("sent"));
        sender.await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread")]
    #[should_panic(expected = "SmtpServer::wait_for: expected at least 1 accepted message(s)")]
    async fn smtp_server_wait_for_panics_on_timeout() {
        let server = SmtpServer::start().await;
        server.wait_for(1, Duration::from_millis(100)).await;
    }

    /// A bare-bones client for speaking SMTP by hand.
    struct RawClient(LineIo);

    impl RawClient {
        async fn connect(server: &SmtpServer) -> RawClient {
            RawClient(LineIo::new(
                TcpStream::connect(("127.0.0.1", server.port()))
                    .await
                    .unwrap(),
            ))
        }

        async fn send(&mut self, text: &str) {
            self.0.write_all(text.as_bytes()).await.unwrap();
        }

        /// Reads one (possibly multi-line) reply.
        async fn reply(&mut self) -> String {
            let mut reply = String::new();
            loop {
                let line = tokio::time::timeout(WAIT, self.0.read_line(MAX_COMMAND_LINE, None))
                    .await
                    .unwrap()
                    .unwrap();
                let Input::Line(line) = line else {
                    panic!("connection ended; reply so far: {reply:?}");
                };
                let line = String::from_utf8(line).unwrap();
                assert!(line.ends_with("\r\n"), "{line:?}");
                reply.push_str(&line);
                if line.as_bytes().get(3) != Some(&b'-') {
                    return reply;
                }
            }
        }

        /// Sends a command and returns the reply's code.
        async fn command(&mut self, command: &str) -> u16 {
            self.send(&format!("{command}\r\n")).await;
            self.code().await
        }

        async fn code(&mut self) -> u16 {
            self.reply().await[..3].parse().unwrap()
        }

        async fn at_eof(&mut self) -> bool {
            matches!(
                tokio::time::timeout(WAIT, self.0.read_line(MAX_COMMAND_LINE, None))
                    .await
                    .unwrap(),
                Ok(Input::Eof) | Err(_)
            )
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn smtp_server_speaks_rfc5321_by_hand() {
        let server = SmtpServer::start().await;
        let mut c = RawClient::connect(&server).await;
        assert!(c.reply().await.starts_with("220 "));
        assert_eq!(c.command("MAIL FROM:<a@example.com>").await, 503);
        assert_eq!(c.command("HELO").await, 501);
        assert_eq!(c.command("helo client.example").await, 250);
        c.send("EHLO client.example\r\n").await;
        let ehlo = c.reply().await;
        for line in [
            "250-erhverv-test-smtp greets client.example\r\n",
            "250-PIPELINING\r\n",
            "250-8BITMIME\r\n",
            "250-SMTPUTF8\r\n",
            "250 ENHANCEDSTATUSCODES\r\n",
        ] {
            assert!(ehlo.contains(line), "{ehlo}");
        }
        assert_eq!(c.command("FROB").await, 500);
        assert_eq!(c.command("").await, 500);
        assert_eq!(c.command("EXPN staff").await, 502);
        assert_eq!(c.command("STARTTLS").await, 502);
        assert_eq!(c.command("NOOP").await, 250);
        assert_eq!(c.command("VRFY someone").await, 252);
        assert_eq!(c.command("HELP").await, 214);
        assert_eq!(c.command("RCPT TO:<b@example.com>").await, 503);
        assert_eq!(c.command("DATA").await, 503);
        assert_eq!(c.command("MAIL FROM:a@example.com").await, 501);
        assert_eq!(
            c.command("MAIL FROM:<a@example.com> SIZE=999999999999")
                .await,
            552
        );
        assert_eq!(c.command("MAIL FROM:<a@example.com> FOO=bar").await, 555);

        // Pipelined: MAIL, two RCPTs and DATA in one write; replies in order.
        c.send("MAIL FROM:<a@example.com> BODY=8BITMIME\r\nRCPT TO:<b@example.com>\r\nrcpt to: <@relay.example:c@example.com>\r\nDATA\r\n")
        .await;
        for expected in [250, 250, 250, 354] {
            assert_eq!(c.code().await, expected);
        }
        c.send("Subject: første\r\n\r\n..leading dot\r\n..\r\n\r\nlast. line\r\n.\r\n")
            .await;
        assert_eq!(c.code().await, 250);

        // A second transaction on the same connection, with an RSET in between.
        assert_eq!(c.command("MAIL FROM:<>").await, 250);
        assert_eq!(c.command("MAIL FROM:<x@example.com>").await, 503);
        assert_eq!(c.command("RSET").await, 250);
        assert_eq!(c.command("RCPT TO:<b@example.com>").await, 503);
        assert_eq!(
            c.command("MAIL FROM:<x@example.com> SMTPUTF8 SIZE=100")
                .await,
            250
        );
        assert_eq!(c.command("DATA").await, 554);
        assert_eq!(c.command("RCPT TO:<>").await, 501);
        assert_eq!(c.command("RCPT TO:<ø@eksempel.dk>").await, 250);
        assert_eq!(c.command("DATA").await, 354);
        c.send("Subject: two\r\n\r\nbody\r\n.\r\n").await;
        assert_eq!(c.code().await, 250);
        assert_eq!(c.command("QUIT").await, 221);
        assert!(c.at_eof().await);

        let received = server.received();
        assert_eq!(received.len(), 2);
        assert_eq!(received[0].from, "a@example.com");
        assert_eq!(received[0].to, ["b@example.com", "c@example.com"]);
        assert_eq!(
            received[0].data,
            "Subject: første\r\n\r\n.leading dot\r\n.\r\n\r\nlast. line\r\n"
        );
        assert_eq!(
            received[0].text_part().as_deref(),
            Some(".leading dot\n.\n\nlast. line")
        );
        assert_eq!(received[1].from, "x@example.com");
        assert_eq!(received[1].to, ["ø@eksempel.dk"]);
        assert_eq!(received[1].data, "Subject: two\r\n\r\nbody\r\n");
        assert_eq!(server.connections(), 1);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn smtp_server_idle_close_spares_open_transactions() {
        let server = SmtpServer::start().await;
        let mut idle = RawClient::connect(&server).await;
        let mut busy = RawClient::connect(&server).await;
        for c in [&mut idle, &mut busy] {
            assert_eq!(c.code().await, 220);
            assert_eq!(c.command("EHLO client.example").await, 250);
        }
        assert_eq!(busy.command("MAIL FROM:<a@example.com>").await, 250);
        tokio::time::sleep(Duration::from_millis(100)).await;
        server.close_idle_connections();

        assert!(idle.reply().await.starts_with("421 "));
        assert!(idle.at_eof().await);
        assert_eq!(busy.command("RCPT TO:<b@example.com>").await, 250);
        assert_eq!(busy.command("DATA").await, 354);
        busy.send("Subject: busy\r\n\r\nstill here\r\n.\r\n").await;
        assert_eq!(busy.code().await, 250);
        assert_eq!(
            server.received()[0].text_part().as_deref(),
            Some("still here")
        );
    }

    #[test]
    fn smtp_server_decodes_headers_and_parts() {
        let message = Received {
            from: String::new(),
            to: Vec::new(),
            data: "Subject: =?UTF-8?Q?Opf=C3=B8lgning_p=C3=A5?=\r\n =?utf-8?B?IGplcmVz?= \
               behov =?iso-8859-1?q?=C6ble?=\r\n\
               X-Folded: first\r\n\tsecond\r\n\
               x-folded: other\r\n\
               Content-Type: multipart/mixed; boundary=outer\r\n\
               \r\n\
               preamble\r\n\
               --outer\r\n\
               Content-Type: multipart/alternative; boundary=\"in;ner\"\r\n\
               \r\n\
               --in;ner\r\n\
               Content-Type: text/plain; charset=\"iso-8859-1\"\r\n\
               Content-Transfer-Encoding: quoted-printable\r\n\
               \r\n\
               K=E6re l=\r\nang linje =3D lig\r\n\
               --in;ner\r\n\
               Content-Type: text/html; charset=utf-8\r\n\
               Content-Transfer-Encoding: base64\r\n\
               \r\n\
               PHA+w4Z\r\nibGU8L3A+\r\n\
               --in;ner--\r\n\
               --outer\r\n\
               Content-Type: text/plain\r\n\
               Content-Disposition: attachment; filename=a.txt\r\n\
               \r\n\
               attachment\r\n\
               --outer--\r\n\
               epilogue\r\n"
                .to_owned(),
        };
        assert_eq!(
            message.subject().as_deref(),
            Some("Opfølgning på jeres behov Æble")
        );
        assert_eq!(message.header("X-FOLDED").as_deref(), Some("first\tsecond"));
        assert_eq!(message.header("missing"), None);
        assert_eq!(message.message_id(), None);
        assert_eq!(
            message.text_part().as_deref(),
            Some("Kære lang linje = lig")
        );
        assert_eq!(message.html_part().as_deref(), Some("<p>Æble</p>"));
    }
}
