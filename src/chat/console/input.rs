//! Where console lines come from: a terminal (with line editing and
//! history), a pipe, or a script file. A blocking thread reads one line each
//! time the console asks, so the prompt always names the current user.

use std::io::{BufRead, BufReader, IsTerminal};
use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;

use tokio::sync::mpsc;

/// The input of a console session.
#[derive(Debug, Clone)]
pub enum LineSource {
    /// `--script FILE`.
    Script(PathBuf),
    /// Standard input: line editing when it is a terminal, plain lines when
    /// it is a pipe.
    Stdin,
    /// Fixed lines (tests).
    Lines(Vec<String>),
}

/// Reads one line after showing a prompt; `None` at the end of input.
type ReadLine = Box<dyn FnMut(&str) -> Option<String> + Send>;

/// Hands out lines on request; `None` at the end of input.
pub struct LineReader {
    requests: std_mpsc::Sender<String>,
    lines: mpsc::Receiver<String>,
    interactive: bool,
}

impl LineReader {
    /// Whether a person is typing (so a welcome and prompts make sense).
    pub fn is_interactive(&self) -> bool {
        self.interactive
    }

    /// The next line, showing `prompt` first when a person is typing.
    pub async fn next_line(&mut self, prompt: String) -> Option<String> {
        self.requests.send(prompt).ok()?;
        self.lines.recv().await
    }
}

/// Starts the reader thread for `source`. A script that cannot be opened is
/// an error here, before anything runs.
pub fn spawn_line_reader(source: LineSource) -> std::io::Result<LineReader> {
    let (request_sender, requests) = std_mpsc::channel::<String>();
    let (line_sender, lines) = mpsc::channel::<String>(1);
    let interactive = matches!(source, LineSource::Stdin) && std::io::stdin().is_terminal();
    let reader: ReadLine = match source {
        LineSource::Script(path) => plain_lines(BufReader::new(std::fs::File::open(path)?)),
        LineSource::Stdin if interactive => edited_lines(),
        LineSource::Stdin => plain_lines(BufReader::new(std::io::stdin())),
        LineSource::Lines(lines) => {
            let mut lines = lines.into_iter();
            Box::new(move |_prompt: &str| lines.next())
        }
    };
    std::thread::Builder::new()
        .name("console-input".into())
        .spawn(move || serve_lines(requests, line_sender, reader))?;
    Ok(LineReader {
        requests: request_sender,
        lines,
        interactive,
    })
}

fn serve_lines(
    requests: std_mpsc::Receiver<String>,
    lines: mpsc::Sender<String>,
    mut read: ReadLine,
) {
    while let Ok(prompt) = requests.recv() {
        let Some(line) = read(&prompt) else { return };
        if lines.blocking_send(line).is_err() {
            return;
        }
    }
}

fn plain_lines(input: impl BufRead + Send + 'static) -> ReadLine {
    let mut lines = input.lines();
    // A line that is not UTF-8 ends nothing: it is passed on replaced, and
    // the bot answers it like any other unreadable input.
    Box::new(move |_prompt: &str| match lines.next()? {
        Ok(line) => Some(line),
        Err(_) => Some(String::from("\u{FFFD}")),
    })
}

fn edited_lines() -> ReadLine {
    use rustyline::error::ReadlineError;
    let history = std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".banso_history"));
    let mut editor = match rustyline::DefaultEditor::new() {
        Ok(editor) => editor,
        Err(_) => return plain_lines(BufReader::new(std::io::stdin())),
    };
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    Box::new(move |prompt: &str| {
        loop {
            match editor.readline(prompt) {
                Ok(line) => {
                    let _ = editor.add_history_entry(line.as_str());
                    if let Some(path) = &history {
                        let _ = editor.save_history(path);
                    }
                    return Some(line);
                }
                // Ctrl-C abandons the line being typed, as in a shell.
                Err(ReadlineError::Interrupted) => continue,
                Err(_) => return None,
            }
        }
    })
}
