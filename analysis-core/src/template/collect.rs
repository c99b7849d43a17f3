//! The template catalogue and reference collection (`getAnalysisTemplatesFromRefs`,
//! `FilterUniqueTemplates`; semantics §3.1).

use std::collections::{BTreeMap, HashSet};

use super::TemplateError;
use crate::spec::{AnalysisTemplate, AnalysisTemplateRef, ClusterAnalysisTemplate, Document};

/// An in-memory catalogue of `AnalysisTemplate`s and `ClusterAnalysisTemplate`s, from any
/// source (YAML files, a cluster), and the namespace its namespaced references resolve in.
///
/// Namespaced templates are keyed by `(metadata.namespace, metadata.name)`; a template without
/// a namespace (typical of a file) is filed under the set's namespace, as `kubectl apply` would
/// create it there. Cluster templates are keyed by name. Inserting a template with a key that
/// is already present replaces it, as an update of the object would.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TemplateSet {
    namespace: String,
    templates: BTreeMap<(String, String), AnalysisTemplate>,
    cluster_templates: BTreeMap<String, ClusterAnalysisTemplate>,
}

impl TemplateSet {
    /// An empty catalogue whose namespaced references resolve in `namespace` (the referencing
    /// Rollout's namespace).
    pub fn new(namespace: impl Into<String>) -> TemplateSet {
        TemplateSet { namespace: namespace.into(), ..TemplateSet::default() }
    }

    /// The namespace [`TemplateSet::collect`] resolves namespaced references in.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Adds (or replaces) a namespaced template; returns the one it replaced.
    pub fn insert_template(&mut self, template: AnalysisTemplate) -> Option<AnalysisTemplate> {
        let namespace = template.metadata.namespace.clone().filter(|n| !n.is_empty()).unwrap_or(self.namespace.clone());
        let name = template.metadata.name.clone().unwrap_or_default();
        self.templates.insert((namespace, name), template)
    }

    /// Adds (or replaces) a cluster template; returns the one it replaced.
    pub fn insert_cluster_template(&mut self, template: ClusterAnalysisTemplate) -> Option<ClusterAnalysisTemplate> {
        let name = template.metadata.name.clone().unwrap_or_default();
        self.cluster_templates.insert(name, template)
    }

    /// Adds a loaded document if it is a template of either kind and returns `None`; any other
    /// document is handed back.
    pub fn insert_document(&mut self, document: Document) -> Option<Document> {
        match document {
            Document::AnalysisTemplate(t) => {
                self.insert_template(t.value);
                None
            }
            Document::ClusterAnalysisTemplate(t) => {
                self.insert_cluster_template(t.value);
                None
            }
            other => Some(other),
        }
    }

    /// The namespaced template `name` in `namespace`.
    pub fn template(&self, namespace: &str, name: &str) -> Option<&AnalysisTemplate> {
        self.templates.get(&(namespace.to_owned(), name.to_owned()))
    }

    /// The cluster template `name`.
    pub fn cluster_template(&self, name: &str) -> Option<&ClusterAnalysisTemplate> {
        self.cluster_templates.get(name)
    }

    /// Number of templates of both kinds.
    pub fn len(&self) -> usize {
        self.templates.len() + self.cluster_templates.len()
    }

    /// True when the catalogue holds no template.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The templates `refs` resolve to, in the set's namespace: [`TemplateSet::collect_in`]
    /// with [`TemplateSet::namespace`].
    pub fn collect(
        &self,
        refs: &[AnalysisTemplateRef],
    ) -> Result<(Vec<AnalysisTemplate>, Vec<ClusterAnalysisTemplate>), TemplateError> {
        self.collect_in(&self.namespace, refs)
    }

    /// The templates `refs` resolve to, namespaced references (nested ones included, even
    /// inside cluster templates) being looked up in `namespace`.
    ///
    /// As Argo: references are resolved in list order; after a template is appended, its own
    /// `spec.templates` are resolved depth-first; each kind is then de-duplicated by name
    /// keeping the first occurrence. The first reference that names no template fails with
    /// `AnalysisTemplate '<n>' not found` / `ClusterAnalysisTemplate '<n>' not found`; a
    /// reference back into the chain being expanded fails with
    /// [`TemplateError::ReferenceCycle`] (Argo never returns in that case).
    pub fn collect_in(
        &self,
        namespace: &str,
        refs: &[AnalysisTemplateRef],
    ) -> Result<(Vec<AnalysisTemplate>, Vec<ClusterAnalysisTemplate>), TemplateError> {
        let mut walk = Walk {
            set: self,
            namespace,
            templates: Vec::new(),
            cluster_templates: Vec::new(),
            seen: HashSet::new(),
            expanded: HashSet::new(),
            chain: Vec::new(),
        };
        walk.visit(refs)?;
        Ok((walk.templates, walk.cluster_templates))
    }
}

impl Extend<AnalysisTemplate> for TemplateSet {
    fn extend<I: IntoIterator<Item = AnalysisTemplate>>(&mut self, iter: I) {
        for t in iter {
            self.insert_template(t);
        }
    }
}

impl Extend<ClusterAnalysisTemplate> for TemplateSet {
    fn extend<I: IntoIterator<Item = ClusterAnalysisTemplate>>(&mut self, iter: I) {
        for t in iter {
            self.insert_cluster_template(t);
        }
    }
}

/// A depth-first walk over references. Keys are `(cluster_scope, name)`.
struct Walk<'a> {
    set: &'a TemplateSet,
    namespace: &'a str,
    templates: Vec<AnalysisTemplate>,
    cluster_templates: Vec<ClusterAnalysisTemplate>,
    /// Templates already appended (what `FilterUniqueTemplates` would keep).
    seen: HashSet<(bool, String)>,
    /// Templates whose whole subtree has been walked without error: walking them again, as Argo
    /// does, only appends templates the de-duplication removes.
    expanded: HashSet<(bool, String)>,
    /// The references being expanded, outermost first.
    chain: Vec<AnalysisTemplateRef>,
}

impl Walk<'_> {
    fn visit(&mut self, refs: &[AnalysisTemplateRef]) -> Result<(), TemplateError> {
        for r in refs {
            let key = (r.cluster_scope, r.template_name.clone());
            if self.chain.iter().any(|c| c.cluster_scope == r.cluster_scope && c.template_name == r.template_name) {
                let mut chain = self.chain.clone();
                chain.push(r.clone());
                return Err(TemplateError::ReferenceCycle { chain });
            }
            if self.expanded.contains(&key) {
                continue;
            }
            let nested = if r.cluster_scope {
                let t = self
                    .set
                    .cluster_template(&r.template_name)
                    .ok_or_else(|| TemplateError::ClusterTemplateNotFound(r.template_name.clone()))?;
                if self.seen.insert(key.clone()) {
                    self.cluster_templates.push(t.clone());
                }
                &t.spec.templates
            } else {
                let t = self
                    .set
                    .template(self.namespace, &r.template_name)
                    .ok_or_else(|| TemplateError::TemplateNotFound(r.template_name.clone()))?;
                if self.seen.insert(key.clone()) {
                    self.templates.push(t.clone());
                }
                &t.spec.templates
            };
            self.chain.push(r.clone());
            self.visit(nested)?;
            self.chain.pop();
            self.expanded.insert(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{AnalysisTemplateSpec, Metric, ObjectMeta};

    fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
        ObjectMeta { name: Some(name.into()), namespace: namespace.map(Into::into), ..ObjectMeta::default() }
    }

    fn refs(names: &[&str], cluster_scope: bool) -> Vec<AnalysisTemplateRef> {
        names.iter().map(|n| AnalysisTemplateRef { template_name: (*n).into(), cluster_scope }).collect()
    }

    fn metric(name: &str) -> Metric {
        Metric { name: name.into(), ..Metric::default() }
    }

    /// `rollout/analysis_test.go` `analysisTemplateWithAnalysisRefs`.
    fn at(name: &str, cluster_refs: bool, inner: &[&str]) -> AnalysisTemplate {
        AnalysisTemplate {
            metadata: meta(name, None),
            spec: AnalysisTemplateSpec {
                metrics: vec![metric(&format!("example-{name}"))],
                templates: refs(inner, cluster_refs),
                ..AnalysisTemplateSpec::default()
            },
            ..AnalysisTemplate::default()
        }
    }

    /// `rollout/analysis_test.go` `clusterAnalysisTemplateWithAnalysisRefs`.
    fn cat(name: &str, inner: &[&str]) -> ClusterAnalysisTemplate {
        ClusterAnalysisTemplate {
            metadata: meta(name, None),
            spec: AnalysisTemplateSpec {
                metrics: vec![metric(&format!("clusterexample-{name}"))],
                templates: refs(inner, true),
                ..AnalysisTemplateSpec::default()
            },
            ..ClusterAnalysisTemplate::default()
        }
    }

    fn names_t(ts: &[AnalysisTemplate]) -> Vec<&str> {
        ts.iter().map(|t| t.metadata.name.as_deref().unwrap()).collect()
    }

    fn names_c(ts: &[ClusterAnalysisTemplate]) -> Vec<&str> {
        ts.iter().map(|t| t.metadata.name.as_deref().unwrap()).collect()
    }

    fn mixed(refs: &[(&str, bool)]) -> Vec<AnalysisTemplateRef> {
        refs.iter().map(|(n, c)| AnalysisTemplateRef { template_name: (*n).into(), cluster_scope: *c }).collect()
    }

    #[test]
    fn nested_references_depth_first_and_deduplicated() {
        // TestCreateBackgroundAnalysisRunWithClusterTemplatesAndTemplateAndInnerTemplates:
        // refs [clusterbar (cluster), bar]; bar -> bar2; bar2 -> clusterbar2, clusterbar4 (cluster);
        // clusterbar -> clusterbar2, clusterbar3.
        let mut set = TemplateSet::new("default");
        set.insert_template(at("bar", false, &["bar2"]));
        set.insert_template(at("bar2", true, &["clusterbar2", "clusterbar4"]));
        set.insert_cluster_template(cat("clusterbar", &["clusterbar2", "clusterbar3"]));
        set.insert_cluster_template(cat("clusterbar2", &[]));
        set.insert_cluster_template(cat("clusterbar3", &[]));
        set.insert_cluster_template(cat("clusterbar4", &[]));
        let (t, c) = set.collect(&mixed(&[("clusterbar", true), ("bar", false)])).unwrap();
        assert_eq!(names_t(&t), ["bar", "bar2"]);
        assert_eq!(names_c(&c), ["clusterbar", "clusterbar2", "clusterbar3", "clusterbar4"]);
    }

    #[test]
    fn order_is_preorder_per_kind() {
        // a -> [b, c(cluster)], b -> [d], c -> [x(cluster)]; refs [a, e]
        let mut set = TemplateSet::new("ns");
        let mut a = at("a", false, &["b"]);
        a.spec.templates.push(AnalysisTemplateRef { template_name: "c".into(), cluster_scope: true });
        set.insert_template(a);
        set.insert_template(at("b", false, &["d"]));
        set.insert_template(at("d", false, &[]));
        set.insert_template(at("e", false, &[]));
        set.insert_cluster_template(cat("c", &["x"]));
        set.insert_cluster_template(cat("x", &[]));
        let (t, c) = set.collect(&refs(&["a", "e"], false)).unwrap();
        assert_eq!(names_t(&t), ["a", "b", "d", "e"]);
        assert_eq!(names_c(&c), ["c", "x"]);
    }

    #[test]
    fn duplicates_removed_per_kind_keeping_first() {
        // TestAnalysisTemplateFiltering: duplicates by name, separately per kind.
        let mut set = TemplateSet::new("ns");
        set.insert_template(at("foo", false, &["foo-2"]));
        set.insert_template(at("foo-2", false, &["foo-3"]));
        set.insert_template(at("foo-3", false, &[]));
        set.insert_cluster_template(cat("foo", &[]));
        let r = mixed(&[("foo", false), ("foo-3", false), ("foo", true), ("foo-2", false), ("foo", true)]);
        let (t, c) = set.collect(&r).unwrap();
        assert_eq!(names_t(&t), ["foo", "foo-2", "foo-3"]);
        // A namespaced and a cluster template may share a name: both are kept.
        assert_eq!(names_c(&c), ["foo"]);
    }

    #[test]
    fn empty_references() {
        // TestAnalysisTemplateFiltering "returning empty arrays".
        let set = TemplateSet::new("ns");
        let (t, c) = set.collect(&[]).unwrap();
        assert!(t.is_empty() && c.is_empty());
        assert!(set.is_empty());
    }

    #[test]
    fn not_found_messages() {
        // TestInvalidSpecMissingClusterTemplatesBackgroundAnalysis.
        let mut set = TemplateSet::new("ns");
        let err = set.collect(&refs(&["missing"], true)).unwrap_err();
        assert_eq!(err.to_string(), "ClusterAnalysisTemplate 'missing' not found");
        let err = set.collect(&refs(&["missing"], false)).unwrap_err();
        assert_eq!(err.to_string(), "AnalysisTemplate 'missing' not found");
        // Nested: found at the top, missing below.
        set.insert_cluster_template(cat("top", &["gone"]));
        let err = set.collect(&refs(&["top"], true)).unwrap_err();
        assert_eq!(err, TemplateError::ClusterTemplateNotFound("gone".into()));
        // A cluster template with the same name does not satisfy a namespaced reference.
        set.insert_cluster_template(cat("shared", &[]));
        assert_eq!(
            set.collect(&refs(&["shared"], false)).unwrap_err(),
            TemplateError::TemplateNotFound("shared".into())
        );
    }

    #[test]
    fn namespaced_lookup_uses_the_callers_namespace() {
        let mut set = TemplateSet::new("prod");
        let mut other = at("t", false, &[]);
        other.metadata.namespace = Some("staging".into());
        set.insert_template(other);
        assert_eq!(set.collect(&refs(&["t"], false)).unwrap_err(), TemplateError::TemplateNotFound("t".into()));
        assert_eq!(set.collect_in("staging", &refs(&["t"], false)).unwrap().0.len(), 1);
        // No namespace in the document: filed under the set's namespace.
        let mut local = at("t", false, &[]);
        local.metadata.namespace = None;
        set.insert_template(local);
        assert!(set.template("prod", "t").is_some());
        assert_eq!(set.len(), 2);
        // Nested namespaced references inside a cluster template resolve in the caller's
        // namespace too.
        let mut c = cat("c", &[]);
        c.spec.templates = refs(&["t"], false);
        set.insert_cluster_template(c);
        let (t, _) = set.collect_in("staging", &refs(&["c"], true)).unwrap();
        assert_eq!(t[0].metadata.namespace.as_deref(), Some("staging"));
    }

    #[test]
    fn first_error_in_walk_order_wins() {
        let mut set = TemplateSet::new("ns");
        set.insert_template(at("a", false, &["missing-1"]));
        let err = set.collect(&refs(&["a", "missing-2"], false)).unwrap_err();
        assert_eq!(err, TemplateError::TemplateNotFound("missing-1".into()));
    }

    #[test]
    fn cycles_are_reported_with_their_chain() {
        let mut set = TemplateSet::new("ns");
        set.insert_template(at("self", false, &["self"]));
        let err = set.collect(&refs(&["self"], false)).unwrap_err();
        assert_eq!(err.to_string(), "template reference cycle: self -> self");

        set.insert_template(at("a", false, &["b"]));
        set.insert_template(at("b", false, &["a"]));
        let err = set.collect(&refs(&["a"], false)).unwrap_err();
        assert_eq!(err.to_string(), "template reference cycle: a -> b -> a");

        // Entered from outside the cycle, across kinds.
        set.insert_template(at("root", true, &["x"]));
        let mut x = cat("x", &[]);
        x.spec.templates = refs(&["y"], false);
        set.insert_cluster_template(x);
        set.insert_template(at("y", true, &["x"]));
        let err = set.collect(&refs(&["root"], false)).unwrap_err();
        assert_eq!(err.to_string(), "template reference cycle: root -> x (cluster) -> y -> x (cluster)");
        match err {
            TemplateError::ReferenceCycle { chain } => assert_eq!(chain.len(), 4),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_namespaced_and_a_cluster_template_of_one_name_are_no_cycle() {
        let mut set = TemplateSet::new("ns");
        set.insert_template(at("n", true, &["n"]));
        set.insert_cluster_template(cat("n", &[]));
        let (t, c) = set.collect(&refs(&["n"], false)).unwrap();
        assert_eq!((names_t(&t), names_c(&c)), (vec!["n"], vec!["n"]));
    }

    #[test]
    fn diamonds_are_expanded_once() {
        // 20 levels of diamonds: Argo walks 2^20 paths; the result is the same either way.
        let mut set = TemplateSet::new("ns");
        for i in 0..20 {
            let (l, r, next) = (format!("l{i}"), format!("r{i}"), format!("top{}", i + 1));
            set.insert_template(at(&format!("top{i}"), false, &[&l, &r]));
            set.insert_template(at(&l, false, &[&next]));
            set.insert_template(at(&r, false, &[&next]));
        }
        set.insert_template(at("top20", false, &[]));
        let (t, _) = set.collect(&refs(&["top0"], false)).unwrap();
        assert_eq!(t.len(), 61);
        assert_eq!(names_t(&t)[..4], ["top0", "l0", "top1", "l1"]);
    }

    #[test]
    fn insert_replaces_and_documents_are_sorted_by_kind() {
        let mut set = TemplateSet::new("ns");
        assert!(set.insert_template(at("a", false, &[])).is_none());
        assert!(set.insert_template(at("a", false, &["b"])).is_some());
        assert_eq!(set.template("ns", "a").unwrap().spec.templates.len(), 1);
        set.extend([cat("c1", &[]), cat("c2", &[])]);
        assert_eq!(set.len(), 3);
        let docs = crate::spec::load_documents(
            "t.yaml",
            "kind: ClusterAnalysisTemplate\napiVersion: argoproj.io/v1alpha1\nmetadata: {name: k}\nspec: {metrics: []}\n---\nkind: Service\napiVersion: v1\nmetadata: {name: s}\n",
        )
        .unwrap();
        let mut rejected = 0;
        for d in docs {
            if set.insert_document(d).is_some() {
                rejected += 1;
            }
        }
        assert_eq!(rejected, 1);
        assert!(set.cluster_template("k").is_some());
    }
}
