//! [`Session`]: what stays alive between the builds of `kooste watch`: the
//! fonts, the standard library and the file cache ([`Shared`]), and each
//! output's generated main source, edited in place by the next build so
//! typst's incremental compilation can reuse its work.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use typst::syntax::Source;
use typst_kit::datetime::Time;

use super::world::Shared;

/// The state one build hands to the next.
#[derive(Default)]
pub struct Session {
    shared: Option<Arc<Shared>>,
    /// Each output's main source from the previous build, by output name.
    pub mains: HashMap<String, Source>,
}

impl Session {
    /// The shared stores for a build of the project at `root` dated `time`:
    /// the previous build's, with its file cache reset so changed files are
    /// read again, or new ones. The session keeps a handle; the caller must
    /// drop its own before the next build so the reset can happen.
    pub fn shared(&mut self, root: &Path, time: Time) -> Arc<Shared> {
        let shared = match self.shared.take() {
            Some(mut shared) if shared.root == root => match Arc::get_mut(&mut shared) {
                Some(s) => {
                    s.files.reset();
                    s.time = time;
                    shared
                }
                None => Arc::new(Shared::new(root, time)),
            },
            _ => Arc::new(Shared::new(root, time)),
        };
        self.shared = Some(shared.clone());
        shared
    }
}
