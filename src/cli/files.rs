//! Writing results so that nothing is lost.
//!
//! - Every folder convoy-sim writes carries a manifest ([`MANIFEST`]) naming the tool, the command,
//!   the kind of folder and the files in it. A folder is replaced only when it carries that mark,
//!   for the same kind of result, and holds nothing but the files the mark lists: a user's own
//!   folder, or a file a user put into ours, is never deleted.
//! - All the work happens in one folder of convoy-sim's own inside the output folder,
//!   `OUT/.convoy-sim/`: nothing outside it and the result folders is ever touched. A writer holds
//!   a lock on it for its whole write, so writers into one output folder take turns, and anything a
//!   writer finds there was left by one that died.
//! - A command's folders are written as one set: each is written whole (and synced to disk) into
//!   `.convoy-sim/new/NAME`; a journal listing the set is synced; then each previous folder is
//!   moved to `.convoy-sim/old/NAME` and the new one into place. Removing the journal commits the
//!   set. A failure undoes exactly the steps taken; a writer killed half-way is undone by the next
//!   one, which says what it did.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use convoy_sim::output::run::{Contents, OutputFile, WriteError};
use serde::{Deserialize, Serialize};

use super::Error;

/// The mark of a folder convoy-sim wrote.
pub const MANIFEST: &str = "convoy-sim.json";

/// Folder names the commands keep for themselves: a scenario with one of these names would write
/// its run where `compare` or `check` writes its own results.
pub const RESERVED: [&str; 3] = ["compare", "check", "sensitivity"];

/// convoy-sim's own folder inside an output folder.
const STAGING: &str = ".convoy-sim";

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
    /// `sensitivity`'s folder.
    Sensitivity,
    /// One shard's partial result (`--shard K/N`), for `merge`.
    Shard,
    /// `OUT/.convoy-sim/`, where results are staged.
    Staging,
    /// A data folder `data export` wrote.
    Data,
}

/// One folder of a command's results.
pub struct Folder<'a> {
    /// The folder's name inside the output folder.
    pub name: String,
    pub kind: Kind,
    /// Written in this order; a streamed file is made as it is written (see [`Contents`]).
    pub files: Vec<OutputFile<'a>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    tool: String,
    version: String,
    command: String,
    kind: Kind,
    files: Vec<String>,
}

impl Manifest {
    fn new(command: &str, kind: Kind, files: Vec<String>) -> Self {
        Manifest {
            tool: "convoy-sim".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command: command.into(),
            kind,
            files,
        }
    }
}

/// One folder of a set being swapped in, as the journal records it.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    name: String,
    /// Whether a previous folder was there (and is moved to `old/NAME`).
    had_old: bool,
}

/// Writes `folders` into `out` as one set, as `command` (`run`, `compare`, `check`): either every
/// folder is the new one, or all are as they were. What it puts right of an earlier write that
/// was killed is told to the user as it happens (`tell`).
pub fn write_folders(
    out: &Path,
    command: &str,
    folders: &[Folder],
    tell: &mut dyn FnMut(String),
) -> Result<(), Error> {
    // Checked before anything is staged, and again once no other writer can be at work.
    let check = || {
        let problems: Vec<String> = folders
            .iter()
            .filter_map(|f| replaceable(&out.join(&f.name), f.kind).err())
            .collect();
        match problems.is_empty() {
            true => Ok(()),
            false => Err(Error::input(problems.join("; "))),
        }
    };
    prepare(out)?;
    check()?;
    let staging = Staging::open(out, command, tell)?;
    staging.recover(tell);
    check()?;
    if super::interrupted() {
        return Err(Error::Interrupted);
    }
    for f in folders {
        if let Err(e) = staging.stage(command, f) {
            staging.clear("new");
            return Err(e);
        }
    }
    if super::interrupted() {
        staging.clear("new");
        return Err(Error::Interrupted);
    }
    staging.swap(folders)
}

/// Makes sure `out` is a folder, creating it if need be.
fn prepare(out: &Path) -> Result<(), Error> {
    let shown = out.display();
    // The nearest part of the path that exists must be a folder: a file there, or a link to
    // nothing, is the user's mistake, not the system's refusal.
    let existing = out
        .ancestors()
        .find(|p| !p.as_os_str().is_empty() && fs::symlink_metadata(p).is_ok());
    if let Some(p) = existing {
        if !p.exists() {
            return Err(Error::input(format!(
                "{}: is a link to nothing; give another --out",
                p.display()
            )));
        }
        if !p.is_dir() {
            return Err(Error::input(format!(
                "{}: is a file, not a folder to write into; give another --out",
                p.display()
            )));
        }
    }
    fs::create_dir_all(out)
        .map_err(|e| Error::environment(format!("{shown}: cannot create the output folder: {e}")))
}

/// Whether `folder` may be replaced by a result of `kind`: it does not exist, or convoy-sim wrote
/// it as that kind and nothing else has been put into it since.
fn replaceable(folder: &Path, kind: Kind) -> Result<(), String> {
    let shown = folder.display();
    let meta = match fs::symlink_metadata(folder) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("{shown}: cannot be examined: {e}")),
        Ok(m) => m,
    };
    let away = format!("move {shown} away or give another --out");
    if !meta.is_dir() {
        return Err(format!(
            "{shown}: is a file or a link, not a folder convoy-sim wrote; {away}"
        ));
    }
    let manifest = read_manifest(folder).ok_or_else(|| {
        format!("{shown}: has no {MANIFEST}, so convoy-sim did not write it (or a build from before folders were marked did) and leaves it as it is; {away}")
    })?;
    if manifest.kind != kind {
        return Err(format!(
            "{shown}: holds the results of `convoy-sim {}`, which this command does not replace; {away}",
            manifest.command
        ));
    }
    let foreign = foreign_entries(folder, &manifest)
        .map_err(|e| format!("{shown}: cannot be listed: {e}"))?;
    match foreign.as_slice() {
        [] => Ok(()),
        [one] => Err(format!(
            "{shown}: holds {one}, which convoy-sim did not write, so it is not replaced; move {one} out of it, {away}"
        )),
        [first, ..] => Err(format!(
            "{shown}: holds {} entries convoy-sim did not write ({first}, …), so it is not replaced; move them out of it, {away}",
            foreign.len()
        )),
    }
}

/// Whether `dir` carries the mark of a staging folder. The writer that makes one marks it straight
/// after, so a folder with no mark yet, or one half-written, is given a second to get it.
fn marked_staging(dir: &Path) -> bool {
    for _ in 0..20 {
        match read_manifest(dir) {
            Some(m) => return m.kind == Kind::Staging,
            None => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
    false
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

/// Writes `bytes` to a new file at `path` and syncs it to disk.
fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Writes `file` as a new file at `path` and syncs it to disk: its bytes, or what it streams
/// through a buffer, or the database it writes there.
fn write_output(path: &Path, file: &OutputFile<'_>) -> Result<(), WriteError> {
    match &file.contents {
        Contents::Bytes(bytes) => write_synced(path, bytes)?,
        Contents::Stream(write) => {
            let mut sink = io::BufWriter::with_capacity(1 << 20, File::create_new(path)?);
            write(&mut sink)?;
            sink.into_inner()
                .map_err(io::IntoInnerError::into_error)?
                .sync_all()?;
        }
        Contents::Database(write) => {
            write(path)?;
            File::open(path)?.sync_all()?;
        }
    }
    Ok(())
}

/// Syncs a folder's entries (the renames and creations in it) to disk.
fn sync_dir(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()
}

fn json<T: Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    let mut text = serde_json::to_vec_pretty(value).map_err(|e| Error::Internal(Box::new(e)))?;
    text.push(b'\n');
    Ok(text)
}

/// `OUT/.convoy-sim/`, locked by this process for as long as the value lives.
struct Staging {
    out: PathBuf,
    dir: PathBuf,
    /// Held for the flock: closing it releases the lock, as does the process dying.
    _lock: File,
}

impl Staging {
    /// Opens (making it if need be) and locks the output folder's staging folder, waiting for
    /// another writer into the same folder to finish.
    fn open(out: &Path, command: &str, tell: &mut dyn FnMut(String)) -> Result<Staging, Error> {
        let dir = out.join(STAGING);
        let failed = |what: &str, e: io::Error| {
            Error::environment(format!("{}: cannot {what}: {e}", dir.display()))
        };
        let made = match fs::symlink_metadata(&dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => match fs::create_dir(&dir) {
                Ok(()) => true,
                // Another writer (a shard finishing at the same moment) made it first.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => false,
                Err(e) => return Err(failed("be created", e)),
            },
            Err(e) => return Err(failed("be examined", e)),
            Ok(_) => false,
        };
        match made {
            true => {
                let mark = Manifest::new(command, Kind::Staging, vec!["lock".into()]);
                write_synced(&dir.join(MANIFEST), &json(&mark)?)
                    .map_err(|e| failed("be marked", e))?;
            }
            false => {
                let ours =
                    fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) && marked_staging(&dir);
                if !ours {
                    return Err(Error::input(format!(
                        "{}: is where convoy-sim stages its results, but convoy-sim did not make it; move it away or give another --out",
                        dir.display()
                    )));
                }
            }
        }
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("lock"))
            .map_err(|e| failed("be locked", e))?;
        let mut told = false;
        loop {
            use std::os::fd::AsRawFd;
            // SAFETY: flock on a file descriptor this function owns.
            if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                break;
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::WouldBlock {
                return Err(failed("be locked", e));
            }
            if super::interrupted() {
                return Err(Error::Interrupted);
            }
            if !told {
                tell(format!(
                    "{}: another convoy-sim is writing here; waiting for it to finish",
                    out.display()
                ));
                told = true;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        for sub in ["new", "old"] {
            fs::create_dir_all(dir.join(sub)).map_err(|e| failed("be written", e))?;
        }
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            _lock: lock,
        })
    }

    fn new_path(&self, name: &str) -> PathBuf {
        self.dir.join("new").join(name)
    }

    fn old_path(&self, name: &str) -> PathBuf {
        self.dir.join("old").join(name)
    }

    fn journal(&self) -> PathBuf {
        self.dir.join("journal.json")
    }

    /// Removes everything in `new/` or `old/`.
    fn clear(&self, sub: &str) -> bool {
        let Ok(entries) = fs::read_dir(self.dir.join(sub)) else {
            return false;
        };
        let mut any = false;
        for e in entries.flatten() {
            any |= fs::remove_dir_all(e.path()).is_ok();
        }
        any
    }

    /// Writes one folder whole into `new/`, with its manifest, synced to disk.
    fn stage(&self, command: &str, folder: &Folder) -> Result<(), Error> {
        let tmp = self.new_path(&folder.name);
        let target = self.out.join(&folder.name);
        let failed = |file: &str, e: io::Error| {
            Error::environment(format!(
                "{}: cannot write {file}: {e}; nothing was replaced, the previous results are as they were",
                target.display()
            ))
        };
        fs::create_dir(&tmp).map_err(|e| failed("the folder", e))?;
        for f in &folder.files {
            write_output(&tmp.join(&f.name), f).map_err(|e| match e {
                WriteError::Io(e) => failed(&f.name, e),
                e if e.is_system() => failed(&f.name, io::Error::other(e)),
                e => Error::Internal(Box::new(e)),
            })?;
        }
        let names = folder.files.iter().map(|f| f.name.clone()).collect();
        let manifest = json(&Manifest::new(command, folder.kind, names))?;
        write_synced(&tmp.join(MANIFEST), &manifest).map_err(|e| failed(MANIFEST, e))?;
        sync_dir(&tmp).map_err(|e| failed("the folder", e))
    }

    /// Swaps every staged folder into place, or none.
    fn swap(&self, folders: &[Folder]) -> Result<(), Error> {
        let entries: Vec<Entry> = folders
            .iter()
            .map(|f| Entry {
                name: f.name.clone(),
                had_old: self.out.join(&f.name).exists(),
            })
            .collect();
        let journal = self.journal();
        let written = write_synced(&journal, &json(&entries)?)
            .and_then(|()| sync_dir(&self.dir))
            .and_then(|()| sync_dir(&self.dir.join("new")));
        if let Err(e) = written {
            let _ = fs::remove_file(&journal);
            self.clear("new");
            return Err(Error::environment(format!(
                "{}: cannot write: {e}; nothing was replaced, the previous results are as they were",
                journal.display()
            )));
        }
        let mut done: Vec<Steps> = Vec::new();
        for entry in &entries {
            let mut steps = Steps::default();
            let result = self.swap_one(entry, &mut steps);
            done.push(steps);
            if let Err(failure) = result {
                return Err(self.undo(&entries, &done, failure));
            }
        }
        // The commit point: once the journal is gone, the new set stands.
        let committed = sync_dir(&self.out)
            .and_then(|()| fs::remove_file(&journal))
            .and_then(|()| sync_dir(&self.dir));
        if let Err(e) = committed {
            return Err(self.undo(&entries, &done, Failure::System(e)));
        }
        self.clear("old");
        Ok(())
    }

    fn swap_one(&self, entry: &Entry, steps: &mut Steps) -> Result<(), Failure> {
        let target = self.out.join(&entry.name);
        let old = self.old_path(&entry.name);
        if entry.had_old {
            fs::rename(&target, &old).map_err(Failure::System)?;
            steps.moved_old = true;
            // A file put into the folder since it was checked goes back with it.
            let foreign = read_manifest(&old)
                .map(|m| foreign_entries(&old, &m).unwrap_or_default())
                .unwrap_or_default();
            if let Some(first) = foreign.first() {
                return Err(Failure::Foreign(format!(
                    "{}: {first} was put into it while convoy-sim was writing, so it is not replaced; move {first} out of it, move {} away or give another --out",
                    target.display(),
                    target.display()
                )));
            }
        }
        fs::rename(self.new_path(&entry.name), &target).map_err(Failure::System)?;
        steps.placed_new = true;
        Ok(())
    }

    /// Undoes the steps taken, in reverse, and says what happened.
    fn undo(&self, entries: &[Entry], done: &[Steps], failure: Failure) -> Error {
        let mut stuck = Vec::new();
        for (entry, steps) in entries.iter().zip(done).rev() {
            let target = self.out.join(&entry.name);
            let back = (|| {
                if steps.placed_new {
                    fs::rename(&target, self.new_path(&entry.name))?;
                }
                if steps.moved_old {
                    fs::rename(self.old_path(&entry.name), &target)?;
                }
                Ok::<(), io::Error>(())
            })();
            if back.is_err() {
                stuck.push(target.display().to_string());
            }
        }
        let journal = self.journal();
        if stuck.is_empty() {
            let _ = fs::remove_file(&journal);
            self.clear("new");
            return match failure {
                Failure::Foreign(m) => Error::input(m),
                Failure::System(e) => Error::environment(format!(
                    "{}: cannot put the results in place: {e}; nothing was replaced, the previous results are as they were",
                    self.out.display()
                )),
            };
        }
        // The journal stays: the next write into this folder finishes putting things back.
        let why = match failure {
            Failure::Foreign(m) => m,
            Failure::System(e) => e.to_string(),
        };
        Error::environment(format!(
            "{}: the results could not be put in place ({why}), nor {} put back: the previous results are in {}; the next convoy-sim write into {} puts them back",
            self.out.display(),
            stuck.join(", "),
            self.dir.join("old").display(),
            self.out.display()
        ))
    }

    /// Puts right what a writer that died left (we hold the lock, so it is dead): a swap half
    /// done is undone as its journal says, and staged or superseded folders are removed.
    fn recover(&self, tell: &mut dyn FnMut(String)) {
        let journal = self.journal();
        if journal.exists() {
            // A journal cut short was being written before any folder was moved.
            let entries: Vec<Entry> = fs::read(&journal)
                .ok()
                .and_then(|t| serde_json::from_slice(&t).ok())
                .unwrap_or_default();
            for entry in entries.iter().rev() {
                if let Some(note) = self.roll_back(entry) {
                    tell(note);
                }
            }
            if fs::remove_file(&journal).is_ok() {
                let _ = sync_dir(&self.dir);
            }
        }
        if self.clear("new") | self.clear("old") {
            tell(format!(
                "{}: removed what a convoy-sim write that was killed had left",
                self.dir.display()
            ));
        }
    }

    /// Undoes one swap of a writer that died, whatever stage it reached.
    fn roll_back(&self, entry: &Entry) -> Option<String> {
        let target = self.out.join(&entry.name);
        let old = self.old_path(&entry.name);
        let ours = |p: &Path| read_manifest(p).is_some();
        let put_back = format!(
            "{}: put back as it was before a write that was killed half-way",
            target.display()
        );
        if old.exists() {
            // The previous folder was moved aside: whatever stands in its place is the new one.
            if target.exists() {
                if !ours(&target) {
                    return None;
                }
                fs::remove_dir_all(&target).ok()?;
            }
            fs::rename(&old, &target).ok()?;
            return Some(put_back);
        }
        if !entry.had_old
            && target.exists()
            && !self.new_path(&entry.name).exists()
            && ours(&target)
        {
            fs::remove_dir_all(&target).ok()?;
            return Some(put_back);
        }
        None
    }
}

/// What a swap of one folder had done when it stopped.
#[derive(Clone, Copy, Debug, Default)]
struct Steps {
    moved_old: bool,
    placed_new: bool,
}

/// Why a swap stopped.
#[derive(Debug)]
enum Failure {
    /// The system refused a rename or a sync.
    System(io::Error),
    /// A user put a file into a folder being replaced.
    Foreign(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str, content: &str) -> Folder<'static> {
        Folder {
            name: name.into(),
            kind: Kind::Run,
            files: vec![OutputFile::new("summary.json", content)],
        }
    }

    fn write(out: &Path, folders: &[Folder]) -> Result<Vec<String>, Error> {
        let mut notes = Vec::new();
        write_folders(out, "run", folders, &mut |n| notes.push(n)).map(|()| notes)
    }

    fn summary(out: &Path, name: &str) -> String {
        fs::read_to_string(out.join(name).join("summary.json")).unwrap()
    }

    #[test]
    fn a_swap_that_fails_half_way_puts_every_folder_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write(out, &[folder("a", "old a"), folder("b", "old b")]).unwrap();
        // Something in old/b makes moving b aside fail after a is already swapped.
        fs::create_dir_all(out.join(".convoy-sim/old/b/blocker")).unwrap();
        let staging = Staging::open(out, "run", &mut |_| {}).unwrap();
        let set = [folder("a", "new a"), folder("b", "new b")];
        for f in &set {
            staging.stage("run", f).unwrap();
        }
        let err = staging.swap(&set).unwrap_err();
        assert!(matches!(err, Error::Environment(_)), "{err}");
        assert!(err.to_string().contains("as they were"), "{err}");
        assert_eq!(summary(out, "a"), "old a");
        assert_eq!(summary(out, "b"), "old b");
        assert!(!staging.journal().exists());
    }

    #[test]
    fn a_writer_killed_mid_swap_is_undone_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write(out, &[folder("a", "old a"), folder("b", "old b")]).unwrap();
        // As a writer killed after swapping a, before b, leaves things.
        {
            let staging = Staging::open(out, "run", &mut |_| {}).unwrap();
            let set = [folder("a", "new a"), folder("b", "new b")];
            for f in &set {
                staging.stage("run", f).unwrap();
            }
            let entries: Vec<Entry> = ["a", "b"]
                .map(|n| Entry {
                    name: n.into(),
                    had_old: true,
                })
                .into();
            fs::write(staging.journal(), serde_json::to_vec(&entries).unwrap()).unwrap();
            let mut steps = Steps::default();
            staging.swap_one(&entries[0], &mut steps).unwrap();
            assert_eq!(summary(out, "a"), "new a");
        }
        let notes = write(out, &[folder("c", "c")]).unwrap();
        assert_eq!(summary(out, "a"), "old a");
        assert_eq!(summary(out, "b"), "old b");
        assert!(notes.iter().any(|n| n.contains("put back")), "{notes:?}");
        assert!(!out.join(".convoy-sim/journal.json").exists());
        assert_eq!(
            fs::read_dir(out.join(".convoy-sim/new")).unwrap().count(),
            0
        );
    }

    /// Issue #14: a file written as it is made (a layer) that fails half-way — a full disk —
    /// replaces nothing and leaves nothing staged.
    #[test]
    fn a_streamed_file_that_fails_half_way_replaces_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write(out, &[folder("a", "old a")]).unwrap();
        let failing = OutputFile::streamed("track_points.geojson", |w| {
            w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
            Err(io::Error::from(io::ErrorKind::StorageFull).into())
        });
        let set = [Folder {
            name: "a".into(),
            kind: Kind::Run,
            files: vec![OutputFile::new("summary.json", "new a"), failing],
        }];
        let err = write(out, &set).unwrap_err();
        assert!(matches!(err, Error::Environment(_)), "{err}");
        assert!(err.to_string().contains("track_points.geojson"), "{err}");
        assert_eq!(summary(out, "a"), "old a");
        assert!(!out.join("a/track_points.geojson").exists());
        assert_eq!(
            fs::read_dir(out.join(".convoy-sim/new")).unwrap().count(),
            0
        );
    }

    #[test]
    fn a_staging_folder_another_writer_is_still_marking_is_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let staging = dir.path().join(STAGING);
        fs::create_dir(&staging).unwrap();
        fs::write(staging.join(MANIFEST), "").unwrap();
        let marking = std::thread::spawn({
            let staging = staging.clone();
            move || {
                std::thread::sleep(std::time::Duration::from_millis(200));
                let mark = Manifest::new("check", Kind::Staging, vec!["lock".into()]);
                fs::write(staging.join(MANIFEST), json(&mark).unwrap()).unwrap();
            }
        });
        write(dir.path(), &[folder("a", "a")]).unwrap();
        marking.join().unwrap();
        assert_eq!(summary(dir.path(), "a"), "a");
    }

    #[test]
    fn a_user_folder_in_the_staging_place_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(STAGING)).unwrap();
        let err = write(dir.path(), &[folder("a", "a")]).unwrap_err();
        assert!(matches!(err, Error::Input(_)), "{err}");
    }
}
