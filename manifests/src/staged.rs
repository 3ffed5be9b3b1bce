//! The loader in steps: [`Loader`] reads (and validates) the stream one `---` document at a
//! time, then runs the checks that need every object, then builds the cluster a few objects at a time, so a caller can yield between
//! steps (the browser app moves a progress bar between animation frames, as it does for
//! `engine::synth`'s builder). [`crate::load_with`] is this loader run to the end in one go:
//! there is one loader, so the staged and the one-call load cannot differ.

use std::borrow::Cow;
use std::collections::BTreeSet;

use engine::Cluster;

use crate::build::{self, Builder, Work};
use crate::objects::{self, Object, Skipped};
use crate::yaml::{DocumentReader, Piece};
use crate::{validate, Diagnostic, LoadOptions, Loaded, ObjectRef};

/// Where a [`Loader`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Parsing documents (`done` and `total` count `---` documents).
    Reading,
    /// Adding objects to the cluster (`done` and `total` count build steps: objects, plus the
    /// default nodes and cluster DNS).
    Building,
    /// Finished; [`Loader::finish`] returns at once.
    Finished,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Reading => "Reading manifests",
            Stage::Building => "Building the cluster",
            Stage::Finished => "Loaded",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub done: usize,
    pub total: usize,
}

impl Progress {
    pub fn finished(&self) -> bool {
        self.stage == Stage::Finished
    }
}

/// A load in progress. `step` does a bounded amount of work; `finish` does the rest.
pub struct Loader<'a> {
    text: Cow<'a, str>,
    options: LoadOptions,
    state: State,
    /// The running cluster an apply builds onto (`None`: a new cluster).
    base: Option<Box<Cluster>>,
}

enum State {
    Reading {
        reader: DocumentReader,
        objects: Vec<Object>,
        skipped: Vec<Skipped>,
        /// What reading the documents said (after the YAML errors, as `load` always ordered).
        read_diags: Vec<Diagnostic>,
        /// What validating each object said (validated as soon as read; listed after reading's).
        valid_diags: Vec<Diagnostic>,
    },
    Building {
        builder: Box<Builder>,
        plan: Vec<Work>,
        next: usize,
        objects: Vec<Object>,
        diags: Vec<Diagnostic>,
        skipped: Vec<Skipped>,
    },
    Done(Option<Box<Result<Loaded, Vec<Diagnostic>>>>),
}

impl<'a> Loader<'a> {
    pub fn new(text: impl Into<Cow<'a, str>>, options: LoadOptions) -> Loader<'a> {
        let mut text = text.into();
        // Refused before any work: too many bytes, then characters YAML does not allow.
        let too_big = text.len() > options.limits.max_bytes;
        if !too_big {
            match crate::text::prepare(&text) {
                Ok(Cow::Borrowed(b)) if b.len() == text.len() => {}
                Ok(changed) => text = Cow::Owned(changed.into_owned()),
                Err(e) => {
                    let d = Diagnostic::error(format!("yaml: {}", e.message)).at(e.line, e.col);
                    return Loader {
                        text,
                        options,
                        base: None,
                        state: State::Done(Some(Box::new(Err(vec![d])))),
                    };
                }
            }
        }
        let reader = DocumentReader::with_streams(&text, &options.limits, &options.streams);
        Loader {
            text,
            options,
            base: None,
            state: State::Reading {
                reader,
                objects: Vec::new(),
                skipped: Vec::new(),
                read_diags: Vec::new(),
                valid_diags: Vec::new(),
            },
        }
    }

    /// A load that applies the manifests onto a running cluster, as `kubectl apply` does: new
    /// objects are added, Services updated (keeping their allocations), controllers scaled to
    /// their new replica count; nodes and pods that already exist are left as they are.
    pub fn onto(text: impl Into<Cow<'a, str>>, options: LoadOptions, base: Cluster) -> Loader<'a> {
        let mut l = Loader::new(text, options);
        l.base = Some(Box::new(base));
        l
    }

    pub fn progress(&self) -> Progress {
        match &self.state {
            State::Reading { reader, .. } => {
                Progress { stage: Stage::Reading, done: reader.done(), total: reader.total() }
            }
            State::Building { plan, next, .. } => {
                Progress { stage: Stage::Building, done: *next, total: plan.len() }
            }
            State::Done(_) => Progress { stage: Stage::Finished, done: 1, total: 1 },
        }
    }

    /// Reads up to `budget` documents, or builds up to `budget` objects (at least one), or
    /// moves to the next stage. Returns where the loader is then.
    pub fn step(&mut self, budget: usize) -> Progress {
        let budget = budget.max(1);
        let state = std::mem::replace(&mut self.state, State::Done(None));
        self.state = match state {
            State::Reading {
                mut reader,
                mut objects,
                mut skipped,
                mut read_diags,
                mut valid_diags,
            } => {
                for _ in 0..budget {
                    if reader.finished() {
                        break;
                    }
                    let max_objects = self.options.limits.max_objects;
                    // A List's items, read while the List itself is still being parsed; they
                    // count once the document turns out to be a v1 List (its `kind` may come
                    // after its `items`).
                    let mut items = Read::default();
                    // Items with no `kind` wait for their list's: a typed list's items as the
                    // API returns them (`objects::type_list_item`).
                    let mut untyped: Vec<crate::yaml::Value> = Vec::new();
                    let mut whole = Read {
                        objects: std::mem::take(&mut objects),
                        skipped: std::mem::take(&mut skipped),
                        read_diags: std::mem::take(&mut read_diags),
                        valid_diags: std::mem::take(&mut valid_diags),
                    };
                    reader.read_pieces(&self.text, &mut |piece| match piece {
                        Piece::Item(mut item, list) => {
                            // A typed list's kind known before its items: each item is typed
                            // as it comes (nothing held); else an untyped item waits.
                            if let Some((kind, api)) = list.filter(|(k, _)| {
                                crate::objects::is_typed_list_kind(k)
                                    && crate::objects::needs_list_type(&item)
                            }) {
                                crate::objects::type_list_item(&mut item, &kind, &api);
                            }
                            if crate::objects::needs_list_type(&item) {
                                if whole.count() + items.count() + untyped.len() <= max_objects {
                                    untyped.push(item);
                                }
                            } else if whole.count() + items.count() <= max_objects {
                                items.add(&item, max_objects);
                            }
                        }
                        Piece::Document(root) => {
                            let text = |v: Option<&crate::yaml::Value>| {
                                v.and_then(|v| match &v.kind {
                                    crate::yaml::Kind::Scalar { text, .. } => Some(text.clone()),
                                    _ => None,
                                })
                            };
                            // `kind: List` (v1), or a typed list as the API returns it
                            // (`PodList`, `ServiceList`, ...).
                            let kind = text(root.get("kind")).unwrap_or_default();
                            let list = (kind == "List"
                                && text(root.get("apiVersion")).as_deref() == Some("v1"))
                                || crate::objects::is_typed_list_kind(&kind);
                            let api = text(root.get("apiVersion")).unwrap_or_default();
                            for mut item in std::mem::take(&mut untyped) {
                                if crate::objects::is_typed_list_kind(&kind) {
                                    crate::objects::type_list_item(&mut item, &kind, &api);
                                }
                                if whole.count() + items.count() <= max_objects {
                                    items.add(&item, max_objects);
                                }
                            }
                            let taken = std::mem::take(&mut items);
                            if list {
                                whole.append(taken);
                            }
                            if whole.count() <= max_objects {
                                whole.add(&root, max_objects);
                            }
                        }
                    });
                    Read { objects, skipped, read_diags, valid_diags } = whole;
                }
                if reader.finished() {
                    read_diags.append(&mut valid_diags);
                    self.checked(reader, objects, skipped, read_diags)
                } else {
                    State::Reading { reader, objects, skipped, read_diags, valid_diags }
                }
            }
            State::Building { mut builder, plan, mut next, objects, diags, skipped } => {
                let end = next.saturating_add(budget).min(plan.len());
                for w in &plan[next..end] {
                    builder.run(*w, &objects);
                }
                next = end;
                if next >= plan.len() {
                    State::Done(Some(Box::new(finished(*builder, &objects, diags, skipped))))
                } else {
                    State::Building { builder, plan, next, objects, diags, skipped }
                }
            }
            done @ State::Done(_) => done,
        };
        self.progress()
    }

    /// Runs the load to its end and returns what [`crate::load_with`] returns.
    pub fn finish(mut self) -> Result<Loaded, Vec<Diagnostic>> {
        loop {
            if let State::Done(result) = &mut self.state {
                return result.take().map_or_else(
                    || Err(vec![Diagnostic::error("the load was already taken")]),
                    |r| *r,
                );
            }
            self.step(usize::MAX);
        }
    }

    /// The whole stream is read (and each object validated): the checks that need every object
    /// at once (duplicate names, requested addresses), then the build plan.
    fn checked(
        &mut self,
        mut reader: DocumentReader,
        objects: Vec<Object>,
        skipped: Vec<Skipped>,
        read_and_valid_diags: Vec<Diagnostic>,
    ) -> State {
        let warnings = std::mem::take(&mut reader.warnings);
        let mut diags: Vec<Diagnostic> = reader
            .into_errors()
            .into_iter()
            .map(|e| {
                Diagnostic::error(format!("yaml: {}", e.message.trim_start_matches("limit: ")))
                    .at(e.line, e.col)
            })
            .collect();
        diags.extend(
            warnings
                .iter()
                .map(|w| Diagnostic::warning(format!("yaml: {}", w.message)).at(w.line, w.col)),
        );
        // Reading's diagnostics, then validation's (both gathered while reading).
        diags.extend(read_and_valid_diags);
        if objects.is_empty() && skipped.is_empty() && !diags.iter().any(Diagnostic::is_error) {
            // kubectl apply says `error: no objects passed to apply` (staging/src/k8s.io/kubectl/
            // pkg/cmd/apply/apply.go); a simulator has nothing to simulate either.
            diags.push(
                Diagnostic::error(
                    "no objects passed: the input is empty, or only comments, `---` and whitespace",
                )
                .at(1, 1),
            );
        }
        build::check_duplicates(&objects, &mut diags);
        let base = self.base.take().map(|b| *b);
        let applying = base.is_some();
        // Applying onto a running cluster resolves against that cluster's settings; the
        // running cluster keeps them (its addresses were allocated under them).
        let start = base.as_ref().map_or(&self.options.settings, |c| c.settings());
        let mut settings = crate::settings::resolve(
            &objects,
            start,
            &self.options.overrides,
            self.options.overrides_from.as_deref().unwrap_or("the command line"),
            &mut diags,
        );
        if let Some(c) = &base {
            if &settings != c.settings() {
                diags.push(Diagnostic::warning(
                    "settings: the running cluster keeps its settings; load afresh to change them",
                ));
                settings = c.settings().clone();
            }
        }
        build::check_allocations(&objects, &settings, &mut diags);
        build::check_networks(&objects, &settings, &mut diags);
        let fresh = match base {
            Some(c) => Ok(c),
            None => Cluster::new(settings),
        };
        let cluster = match fresh {
            Ok(mut c) => {
                if let Some(previous) = &self.options.previous {
                    c.remember((**previous).clone());
                }
                c
            }
            Err(e) => {
                diags.push(Diagnostic::error(e.to_string()));
                return State::Done(Some(Box::new(Err(sorted(diags)))));
            }
        };
        if diags.iter().any(Diagnostic::is_error) {
            return State::Done(Some(Box::new(Err(sorted(diags)))));
        }
        let mut plan = build::plan(&objects);
        let mut builder = Builder::new(cluster);
        if applying {
            plan.retain(|w| *w != build::Work::DefaultNodes);
            builder.applying = true;
        }
        State::Building { builder: Box::new(builder), plan, next: 0, objects, diags, skipped }
    }
}

/// Objects read (and validated) so far, with what reading and validating them said.
#[derive(Default)]
struct Read {
    objects: Vec<Object>,
    skipped: Vec<Skipped>,
    read_diags: Vec<Diagnostic>,
    valid_diags: Vec<Diagnostic>,
}

impl Read {
    fn count(&self) -> usize {
        self.objects.len() + self.skipped.len()
    }

    /// Reads the objects of one document (or List item), validates them, and puts their
    /// diagnostics on their fields while the tree is at hand.
    fn add(&mut self, root: &crate::yaml::Value, max_objects: usize) {
        let (first_new, read_from, valid_from) =
            (self.objects.len(), self.read_diags.len(), self.valid_diags.len());
        objects::read_document(root, &mut self.objects, &mut self.skipped, &mut self.read_diags);
        for o in &self.objects[first_new..] {
            validate::validate(o, &self.read_diags[read_from..], &mut self.valid_diags);
        }
        crate::locate::place(root, &mut self.read_diags[read_from..]);
        crate::locate::place(root, &mut self.valid_diags[valid_from..]);
        if self.count() > max_objects {
            self.read_diags.push(
                Diagnostic::error(format!(
                    "too many objects: the limit is {max_objects} in one load"
                ))
                .at(root.line, root.col),
            );
        }
    }

    fn append(&mut self, mut other: Read) {
        self.objects.append(&mut other.objects);
        self.skipped.append(&mut other.skipped);
        self.read_diags.append(&mut other.read_diags);
        self.valid_diags.append(&mut other.valid_diags);
    }
}

/// Every object is built: the build's own diagnostics, then the port clashes it found.
fn finished(
    mut b: Builder,
    objects: &[Object],
    mut diags: Vec<Diagnostic>,
    mut skipped: Vec<Skipped>,
) -> Result<Loaded, Vec<Diagnostic>> {
    diags.append(&mut b.diags);
    skipped.append(&mut b.skipped);
    b.cluster.forget_remembered();
    if diags.iter().any(Diagnostic::is_error) {
        return Err(sorted(diags));
    }
    for pod in b.cluster.pods() {
        for c in &pod.clashes {
            let obj = ObjectRef::new("Pod", Some(&pod.spec.namespace), &pod.spec.name);
            diags.push(
                Diagnostic::warning(format!(
                    "container {:?} cannot bind {} port {}: address already in use (held by container {:?}); it crash-loops",
                    c.failed, c.protocol, c.port, c.bound_by
                ))
                .on(&obj),
            );
        }
    }
    let namespaces: BTreeSet<String> = build::namespaces(objects);
    Ok(Loaded { cluster: b.cluster, warnings: diags, skipped, namespaces })
}

fn sorted(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    // Stable: same-line diagnostics keep the order in which they were found.
    engine::sort::sort_by_key(&mut diags, |d| d.line.unwrap_or(u32::MAX));
    diags
}
