//! Writing results so that nothing is lost.
//!
//! - Every folder convoy-sim writes carries a manifest ([`MANIFEST`]) naming the tool, the command,
//!   the kind of folder and the files in it. A folder is replaced only when it carries that mark,
//!   for the same kind of result, and holds nothing but the files the mark lists: a user's own
//!   folder, or a file a user put into ours, is never deleted.
//! - A command's folders are written as one set: each is written whole into `.NAME.tmp-PID` beside
//!   its target, and only then are the targets swapped in, the old ones kept as `.NAME.old-PID`
//!   until every swap is done. A journal (`.convoy-sim.journal-PID`) lists the set while it is
//!   being swapped, so that after a failure, or a process killed half-way, every folder of the set
//!   goes back to what it was.
//! - What a killed process left behind is put right by the next write into the same folder, which
//!   says what it did.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use convoy_sim::output::run::OutputFile;
use serde::{Deserialize, Serialize};

use super::Error;

/// The mark of a folder convoy-sim wrote.
pub const MANIFEST: &str = "convoy-sim.json";

/// Folder names the commands keep for themselves: a scenario with one of these names would write
/// its run where `compare` or `check` writes its own results.
pub const RESERVED: [&str; 2] = ["compare", "check"];

/// What a folder holds; a folder is only ever replaced by one of the same kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One account's run (`run`, and each account of `compare`).
    Run,
    /// `compare`'s own folder.
    Compare,
    /// `check`'s folder.
    Check,
}

/// One folder of a command's results.
pub struct Folder {
    /// The folder's name inside the output folder.
    pub name: String,
    pub kind: Kind,
    pub files: Vec<OutputFile>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    tool: String,
    version: String,
    command: String,
    kind: Kind,
    files: Vec<String>,
}

/// A swap in progress, as recorded in the journal.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    name: String,
    /// Whether a previous folder was there (and is moved to `.NAME.old-PID`).
    had_old: bool,
}

/// Writes `folders` into `out` as one set, as `command` (`run`, `compare`, `check`): either every
/// folder is the new one, or all are as they were. Returns what it did to put right a write that
/// was killed earlier, for the user to be told.
pub fn write_folders(out: &Path, command: &str, folders: &[Folder]) -> Result<Vec<String>, Error> {
    prepare(out)?;
    let notes = recover(out);
    let problems: Vec<String> = folders
        .iter()
        .filter_map(|f| replaceable(&out.join(&f.name), f.kind).err())
        .collect();
    if !problems.is_empty() {
        return Err(Error::input(problems.join("; ")));
    }
    if super::interrupted() {
        return Err(Error::Interrupted);
    }
    let pid = std::process::id();
    for f in folders {
        if let Err(e) = stage(out, command, f, pid) {
            discard(out, folders, pid);
            return Err(e);
        }
    }
    if super::interrupted() {
        discard(out, folders, pid);
        return Err(Error::Interrupted);
    }
    swap(out, folders, pid)?;
    Ok(notes)
}

/// Makes sure `out` is a folder, creating it if need be.
fn prepare(out: &Path) -> Result<(), Error> {
    // The nearest part of the path that exists must be a folder: a file there is the user's
    // mistake, not the system's refusal.
    let existing = out
        .ancestors()
        .find(|p| p.exists() && !p.as_os_str().is_empty());
    if let Some(file) = existing.filter(|p| !p.is_dir()) {
        return Err(Error::input(format!(
            "{}: is a file, not a folder to write into; give another --out",
            file.display()
        )));
    }
    fs::create_dir_all(out).map_err(|e| {
        Error::environment(format!(
            "{}: cannot create the output folder: {e}",
            out.display()
        ))
    })
}

/// Whether `folder` may be replaced by a result of `kind`: it does not exist, or convoy-sim wrote
/// it as that kind and nothing else has been put into it since.
fn replaceable(folder: &Path, kind: Kind) -> Result<(), String> {
    let shown = folder.display();
    let what_to_do = "give another --out, or move it away";
    let meta = match fs::symlink_metadata(folder) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("{shown}: cannot be examined: {e}")),
        Ok(m) => m,
    };
    if !meta.is_dir() {
        return Err(format!(
            "{shown}: is a file or a link, not a folder convoy-sim wrote; {what_to_do}"
        ));
    }
    let manifest = read_manifest(folder).ok_or_else(|| {
        format!("{shown}: has no {MANIFEST}, so convoy-sim did not write it (or a build from before folders were marked did) and leaves it as it is; {what_to_do}")
    })?;
    if manifest.kind != kind {
        return Err(format!(
            "{shown}: holds the results of `convoy-sim {}`, which this command does not replace; {what_to_do}",
            manifest.command
        ));
    }
    let foreign = foreign_entries(folder, &manifest)
        .map_err(|e| format!("{shown}: cannot be listed: {e}"))?;
    if let Some(first) = foreign.first() {
        return Err(format!(
            "{shown}: holds {} that convoy-sim did not write ({first}{}), so it is not replaced; move {} out, or {what_to_do}",
            plural(foreign.len(), "entry", "entries"),
            if foreign.len() > 1 { ", …" } else { "" },
            if foreign.len() > 1 { "them" } else { "it" },
        ));
    }
    Ok(())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn read_manifest(folder: &Path) -> Option<Manifest> {
    let text = fs::read(folder.join(MANIFEST)).ok()?;
    let m: Manifest = serde_json::from_slice(&text).ok()?;
    (m.tool == "convoy-sim").then_some(m)
}

/// The entries of `folder` that its manifest does not list, in name order.
fn foreign_entries(folder: &Path, manifest: &Manifest) -> io::Result<Vec<String>> {
    let mut foreign = Vec::new();
    for entry in fs::read_dir(folder)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours =
            entry.file_type()?.is_file() && (name == MANIFEST || manifest.files.contains(&name));
        if !ours {
            foreign.push(name);
        }
    }
    foreign.sort();
    Ok(foreign)
}

fn tmp_path(out: &Path, name: &str, pid: u32) -> PathBuf {
    out.join(format!(".{name}.tmp-{pid}"))
}

fn old_path(out: &Path, name: &str, pid: u32) -> PathBuf {
    out.join(format!(".{name}.old-{pid}"))
}

fn journal_path(out: &Path, pid: u32) -> PathBuf {
    out.join(format!(".convoy-sim.journal-{pid}"))
}

/// Writes one folder whole into its temporary place, with its manifest.
fn stage(out: &Path, command: &str, folder: &Folder, pid: u32) -> Result<(), Error> {
    let tmp = tmp_path(out, &folder.name, pid);
    let target = out.join(&folder.name);
    let failed = |file: &str, e: io::Error| {
        Error::environment(format!(
            "{}: cannot write {file}: {e}; nothing was replaced, the previous results are as they were",
            target.display()
        ))
    };
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir(&tmp).map_err(|e| failed("the folder", e))?;
    let manifest = Manifest {
        tool: "convoy-sim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: command.into(),
        kind: folder.kind,
        files: folder.files.iter().map(|f| f.name.clone()).collect(),
    };
    let mut text = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    text.push(b'\n');
    for f in &folder.files {
        fs::write(tmp.join(&f.name), &f.contents).map_err(|e| failed(&f.name, e))?;
    }
    fs::write(tmp.join(MANIFEST), text).map_err(|e| failed(MANIFEST, e))
}

/// Removes this process's temporary folders.
fn discard(out: &Path, folders: &[Folder], pid: u32) {
    for f in folders {
        let _ = fs::remove_dir_all(tmp_path(out, &f.name, pid));
    }
}

/// Swaps every staged folder into place, or none: on a failure the ones already swapped go back.
fn swap(out: &Path, folders: &[Folder], pid: u32) -> Result<(), Error> {
    let entries: Vec<Entry> = folders
        .iter()
        .map(|f| Entry {
            name: f.name.clone(),
            had_old: out.join(&f.name).exists(),
        })
        .collect();
    let journal = journal_path(out, pid);
    let failed = |what: String, e: io::Error| {
        Error::environment(format!(
            "{what}: {e}; nothing was replaced, the previous results are as they were"
        ))
    };
    let text = serde_json::to_vec(&entries).unwrap_or_default();
    if let Err(e) = fs::write(&journal, text) {
        discard(out, folders, pid);
        let _ = fs::remove_file(&journal);
        return Err(failed(format!("{}: cannot write", journal.display()), e));
    }
    for (k, entry) in entries.iter().enumerate() {
        if let Err(e) = swap_one(out, entry, pid) {
            for done in entries[..k].iter().rev() {
                roll_back(out, done, pid);
            }
            roll_back(out, entry, pid);
            discard(out, folders, pid);
            let _ = fs::remove_file(&journal);
            return Err(failed(
                format!(
                    "{}: cannot be put in place",
                    out.join(&entry.name).display()
                ),
                e,
            ));
        }
    }
    // The commit point: once the journal is gone, the new set stands.
    let _ = fs::remove_file(&journal);
    for entry in entries.iter().filter(|e| e.had_old) {
        let _ = fs::remove_dir_all(old_path(out, &entry.name, pid));
    }
    Ok(())
}

fn swap_one(out: &Path, entry: &Entry, pid: u32) -> io::Result<()> {
    let target = out.join(&entry.name);
    if entry.had_old {
        fs::rename(&target, old_path(out, &entry.name, pid))?;
    }
    fs::rename(tmp_path(out, &entry.name, pid), &target)
}

/// Undoes one swap of process `pid`, whatever stage it reached. Returns whether anything changed.
fn roll_back(out: &Path, entry: &Entry, pid: u32) -> bool {
    let target = out.join(&entry.name);
    let old = old_path(out, &entry.name, pid);
    if entry.had_old {
        if !old.exists() {
            // The old folder was never moved: it is still in place.
            return false;
        }
        if target.exists() && read_manifest(&target).is_some() {
            let _ = fs::remove_dir_all(&target);
        }
        fs::rename(&old, &target).is_ok()
    } else if target.exists() && read_manifest(&target).is_some() {
        fs::remove_dir_all(&target).is_ok()
    } else {
        false
    }
}

/// Puts right what writes into `out` left when they were killed outright: for every process that
/// is gone, a swap half done is undone (its journal says how), and temporary and superseded
/// folders are removed — except an old folder whose target is missing, which holds the previous
/// results and is put back. Only where the process table can be read (`/proc`); elsewhere nothing
/// is touched. Returns a line for each thing done.
fn recover(out: &Path) -> Vec<String> {
    let mut notes = Vec::new();
    if !Path::new("/proc/self").exists() {
        return notes;
    }
    let Ok(entries) = fs::read_dir(out) else {
        return notes;
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // Journals first: they decide what the old and new folders of their process mean.
    for name in &names {
        if let Some(pid) = dead_pid(name.strip_prefix(".convoy-sim.journal-")) {
            notes.extend(recover_journal(out, pid));
        }
    }
    for name in &names {
        notes.extend(recover_leftover(out, name));
    }
    notes
}

/// The pid in a leftover's name, if that process is gone.
fn dead_pid(pid: Option<&str>) -> Option<u32> {
    let pid: u32 = pid?.parse().ok()?;
    let gone = pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists();
    gone.then_some(pid)
}

fn recover_journal(out: &Path, pid: u32) -> Vec<String> {
    let journal = journal_path(out, pid);
    // A journal cut short was being written before any folder was swapped.
    let entries: Vec<Entry> = fs::read(&journal)
        .ok()
        .and_then(|t| serde_json::from_slice(&t).ok())
        .unwrap_or_default();
    let mut notes = Vec::new();
    for entry in entries.iter().rev() {
        if roll_back(out, entry, pid) {
            notes.push(format!(
                "{}: put back as it was before a write that was killed half-way",
                out.join(&entry.name).display()
            ));
        }
    }
    let _ = fs::remove_file(&journal);
    notes
}

/// A temporary folder of a dead process is removed; its old folder is put back if its target is
/// missing, else removed (the swap had finished).
fn recover_leftover(out: &Path, name: &str) -> Option<String> {
    let rest = name.strip_prefix('.')?;
    let (target, old, pid) = match rest.rsplit_once(".tmp-") {
        Some((target, pid)) => (target, false, pid),
        None => rest.rsplit_once(".old-").map(|(t, p)| (t, true, p))?,
    };
    dead_pid(Some(pid))?;
    let path = out.join(name);
    let target_path = out.join(target);
    if !path.is_dir() {
        return None;
    }
    if old && !target_path.exists() {
        fs::rename(&path, &target_path).ok()?;
        return Some(format!(
            "{}: restored from {name}, left by a write that was killed",
            target_path.display()
        ));
    }
    fs::remove_dir_all(&path).ok()?;
    Some(format!(
        "{}: removed, left by a write that was killed",
        path.display()
    ))
}
