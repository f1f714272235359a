//! Writing an export to disk so that a reader never sees half a file: the
//! bytes go to a temporary file beside the target, which then takes the
//! target's name in one step. An existing file is kept unless replacing it
//! was asked for.

use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{0} already exists")]
    Exists(PathBuf),
    #[error("cannot write {path}: {source}")]
    Unwritable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Writes `bytes` to `path`; refuses an existing `path` unless `replace`.
pub fn write_whole(path: &Path, bytes: &[u8], replace: bool) -> Result<(), FileError> {
    let unwritable = |source| FileError::Unwritable {
        path: path.to_owned(),
        source,
    };
    if !replace && path.exists() {
        return Err(FileError::Exists(path.to_owned()));
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.{}.part", std::process::id()));
    let written = std::fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(unwritable(error));
    }
    // Without `replace`, a hard link claims the name only if it is free,
    // even if another writer got there since the check above.
    let placed = if replace {
        std::fs::rename(&temporary, path)
    } else {
        std::fs::hard_link(&temporary, path).and_then(|()| std::fs::remove_file(&temporary))
    };
    match placed {
        Ok(()) => Ok(()),
        Err(error) => {
            let _ = std::fs::remove_file(&temporary);
            if error.kind() == std::io::ErrorKind::AlreadyExists {
                Err(FileError::Exists(path.to_owned()))
            } else {
                Err(unwritable(error))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_file_is_kept_unless_replacing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.xlsx");
        write_whole(&path, b"one", false).unwrap();
        assert!(matches!(
            write_whole(&path, b"two", false),
            Err(FileError::Exists(_))
        ));
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        write_whole(&path, b"three", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"three");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
    }

    #[test]
    fn a_missing_directory_is_unwritable_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("a.xlsx");
        assert!(matches!(
            write_whole(&path, b"x", false),
            Err(FileError::Unwritable { .. })
        ));
        assert!(!path.exists());
    }
}
