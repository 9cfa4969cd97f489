//! Writing results so that nothing is lost: everything goes into a temporary folder beside the
//! target, which replaces the target only once every file is written.

use std::fs;
use std::path::Path;

use convoy_sim::output::run::OutputFile;

use super::Error;

/// Writes `files` into `folder`, replacing it whole. On failure the old folder is untouched.
pub fn write_folder(folder: &Path, files: &[OutputFile]) -> Result<(), Error> {
    let shown = folder.display();
    let parent = folder
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::input(format!("{shown}: not a folder name")))?;
    if parent.exists() && !parent.is_dir() {
        return Err(Error::input(format!(
            "{}: is a file, not a folder to write into",
            parent.display()
        )));
    }
    fs::create_dir_all(parent).map_err(|e| {
        Error::input(format!(
            "{}: cannot create the output folder: {e}",
            parent.display()
        ))
    })?;
    if folder.exists() && !folder.is_dir() {
        return Err(Error::input(format!(
            "{shown}: is a file; it would be replaced by the run's folder"
        )));
    }
    remove_leftovers(parent, &name);
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.tmp-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));
    let _ = fs::remove_dir_all(&tmp);
    let written = (|| -> std::io::Result<()> {
        fs::create_dir(&tmp)?;
        for f in files {
            fs::write(tmp.join(&f.name), &f.contents)?;
        }
        if super::interrupted() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "interrupted",
            ));
        }
        if folder.exists() {
            fs::rename(folder, &old)?;
            if let Err(e) = fs::rename(&tmp, folder) {
                let _ = fs::rename(&old, folder);
                return Err(e);
            }
            fs::remove_dir_all(&old)?;
        } else {
            fs::rename(&tmp, folder)?;
        }
        Ok(())
    })();
    written.map_err(|e| {
        let _ = fs::remove_dir_all(&tmp);
        if super::interrupted() {
            Error::Interrupted
        } else {
            Error::input(format!("{shown}: cannot write the results: {e}"))
        }
    })
}

/// Removes what an earlier write of `name` left in `parent` when it was killed outright (no
/// chance to clean up): `.NAME.tmp-PID` folders of processes that are gone. Only where the process
/// table can be read (`/proc`); elsewhere they are left alone. A `.NAME.old-PID` folder is never
/// removed: if a write was killed between its two renames, it holds the previous results.
fn remove_leftovers(parent: &Path, name: &str) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let pid = file
            .strip_prefix(&format!(".{name}.tmp-"))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid
            && pid != std::process::id()
            && !proc.join(pid.to_string()).exists()
        {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}
