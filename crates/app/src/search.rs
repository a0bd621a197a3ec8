//! Search over the catalogue's items and livelihood guides: tantivy, with jieba cutting Chinese into
//! words, a Latin field that forgives a typo, and pinyin so that `huzhao` or `hz` finds 护照.
//!
//! Each server keeps its own index, built from the database: in `data_dir/search-index/{digest}`
//! (in memory for an app without a data dir of its own), rebuilt when the catalogue's digest in the
//! database changes (checked at most every few seconds) or by `qiaoyi reindex`. Several nodes on one
//! PostgreSQL therefore each follow the catalogue by themselves.

use qiaoyi_domain::failure::Reason;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use qiaoyi_domain::catalog::{Guide, Item};
use qiaoyi_domain::lang::{Lang, Text};
use qiaoyi_domain::search::{
    Asked, Titles, check_query, common_words, meaningful, pinyin_forms, synonyms, title_match,
};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, SimpleTokenizer, TextAnalyzer, TokenStream,
};
use tantivy::{
    Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term, doc,
};

use crate::{App, AppError};

/// How long an index is trusted before the catalogue's digest is read again.
const RECHECK: Duration = Duration::from_secs(5);
/// The most results one search gives.
pub const MAX_RESULTS: usize = 20;

/// One document to index: an item or a guide.
#[derive(Clone, Debug)]
pub struct SearchDoc {
    pub kind: HitKind,
    pub code: String,
    pub title_zh: String,
    /// Titles in the Latin-script languages, run together.
    pub title_latin: String,
    pub body_zh: String,
    pub body_latin: String,
    /// The title in each interface language, for the results.
    pub titles: [String; 4],
    /// A summary in each interface language.
    pub summaries: [String; 4],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HitKind {
    Item,
    Guide,
}

impl HitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HitKind::Item => "item",
            HitKind::Guide => "guide",
        }
    }
}

/// One result.
#[derive(Clone, Debug)]
pub struct Hit {
    pub kind: HitKind,
    pub code: String,
    pub title: String,
    /// A passage with the words found in `<b>`, HTML-escaped; in `snippet_lang`.
    pub snippet_html: String,
    pub snippet_lang: Lang,
    pub score: f32,
}

impl Hit {
    /// The page it links to.
    pub fn path(&self) -> String {
        match self.kind {
            HitKind::Item => format!("/items/{}", self.code),
            HitKind::Guide => format!("/guides/{}", self.code),
        }
    }
}

#[derive(Clone, Copy)]
struct Fields {
    kind: Field,
    code: Field,
    title_zh: Field,
    title_latin: Field,
    body_zh: Field,
    body_latin: Field,
    pinyin: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str, stored: bool| {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let fields = Fields {
        kind: b.add_text_field("kind", STRING | STORED),
        code: b.add_text_field("code", STRING | STORED),
        title_zh: b.add_text_field("title_zh", text(ZH, false)),
        title_latin: b.add_text_field("title_latin", text(LATIN, false)),
        // Cut without overlapping words: the passage shown is cut from this field's words, which
        // must follow each other.
        body_zh: b.add_text_field("body_zh", text(ZH_PRECISE, true)),
        body_latin: b.add_text_field("body_latin", text(LATIN, false)),
        pinyin: b.add_text_field("pinyin", text(LATIN, false)),
    };
    (b.build(), fields)
}

const ZH: &str = "qiaoyi_zh";
const ZH_PRECISE: &str = "qiaoyi_zh_precise";
const LATIN: &str = "qiaoyi_latin";

/// Jieba in search mode (long words and the shorter words inside them) or precise mode (one cut).
fn zh_analyzer(search_mode: bool) -> TextAnalyzer {
    TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::with_search_mode(search_mode))
        .filter(LowerCaser)
        .build()
}

fn register(index: &Index) {
    index.tokenizers().register(ZH, zh_analyzer(true));
    index.tokenizers().register(ZH_PRECISE, zh_analyzer(false));
    index.tokenizers().register(
        LATIN,
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build(),
    );
}

/// The words jieba finds in `text` in both modes, each once.
fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for search_mode in [true, false] {
        let mut analyzer = zh_analyzer(search_mode);
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let t = &stream.token().text;
            if t.chars().any(char::is_alphanumeric) && !out.contains(t) {
                out.push(t.clone());
            }
        }
    }
    out
}

/// The question with everything but letters and digits turned to spaces.
fn cleaned(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect()
}

/// How many of the index's best documents are ordered by their titles before the best are kept.
const RERANK_POOL: usize = 20;

fn has_han(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3400}'..='\u{9fff}' | '\u{20000}'..='\u{3134f}'))
}

/// A built index and what the results show of each document.
pub struct Built {
    reader: IndexReader,
    fields: Fields,
    /// The catalogue digest it was built from.
    pub digest: String,
    docs: HashMap<String, SearchDoc>,
    /// Each document's titles, prepared for ordering results.
    titles: HashMap<String, Titles>,
    /// The code of each document, by segment and document id: ordering the best results by
    /// title needs no read of the stored documents.
    codes: Vec<Vec<String>>,
}

impl std::fmt::Debug for Built {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Built")
            .field("digest", &self.digest)
            .field("docs", &self.docs.len())
            .finish()
    }
}

fn search_error(e: tantivy::TantivyError) -> AppError {
    AppError::Search(e.to_string())
}

impl Built {
    /// Indexes `docs` in memory, or in `dir` (which must not hold an index yet). `progress` is told
    /// (done, total) as documents are added.
    pub fn build(
        docs: Vec<SearchDoc>,
        dir: Option<&Path>,
        digest: &str,
        progress: &dyn Fn(u64, u64),
    ) -> Result<Built, AppError> {
        let (schema, f) = schema();
        let index = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| AppError::Search(format!("{}: {e}", dir.display())))?;
                Index::create_in_dir(dir, schema).map_err(search_error)?
            }
            None => Index::create_in_ram(schema),
        };
        register(&index);
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 50_000_000)
            .map_err(search_error)?;
        let total = docs.len() as u64;
        for (i, d) in docs.iter().enumerate() {
            let title_words = words(&d.title_zh);
            let pinyin = pinyin_forms(title_words.iter().map(String::as_str));
            writer
                .add_document(doc!(
                    f.kind => d.kind.as_str(),
                    f.code => d.code.as_str(),
                    f.title_zh => d.title_zh.as_str(),
                    f.title_latin => d.title_latin.as_str(),
                    f.body_zh => d.body_zh.as_str(),
                    f.body_latin => d.body_latin.as_str(),
                    f.pinyin => pinyin,
                ))
                .map_err(search_error)?;
            if i % 1000 == 999 {
                progress(i as u64 + 1, total);
            }
        }
        writer.commit().map_err(search_error)?;
        progress(total, total);
        if let Some(dir) = dir {
            std::fs::write(dir.join(READY), digest)
                .map_err(|e| AppError::Search(format!("{}: {e}", dir.display())))?;
        }
        Built::over(index, f, digest, docs)
    }

    fn over(
        index: Index,
        fields: Fields,
        digest: &str,
        docs: Vec<SearchDoc>,
    ) -> Result<Built, AppError> {
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(search_error)?;
        let mut codes = Vec::new();
        for segment in reader.searcher().segment_readers() {
            let store = segment
                .get_store_reader(1)
                .map_err(|e| AppError::Search(e.to_string()))?;
            // Nothing is ever deleted from these indexes: the n-th stored document is id n.
            let mut of_segment = Vec::with_capacity(segment.max_doc() as usize);
            for stored in store.iter::<TantivyDocument>(None) {
                let stored = stored.map_err(search_error)?;
                of_segment.push(
                    stored
                        .get_first(fields.code)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned(),
                );
            }
            codes.push(of_segment);
        }
        let titles = docs
            .iter()
            .map(|d| {
                let titles: Vec<&str> = d.titles.iter().map(String::as_str).collect();
                (d.code.clone(), Titles::new(&titles))
            })
            .collect();
        Ok(Built {
            reader,
            fields,
            digest: digest.to_owned(),
            docs: docs.into_iter().map(|d| (d.code.clone(), d)).collect(),
            titles,
            codes,
        })
    }

    /// Opens an index an earlier run built completely in `dir`.
    fn open(dir: &Path, digest: &str, docs: Vec<SearchDoc>) -> Option<Built> {
        let ready = std::fs::read_to_string(dir.join(READY)).ok()?;
        if ready != digest {
            return None;
        }
        let index = Index::open_in_dir(dir).ok()?;
        register(&index);
        let (_, fields) = schema();
        Built::over(index, fields, digest, docs).ok()
    }

    /// The query: every word of the text against the Chinese fields; Latin words also against the
    /// Latin fields (a prefix, and one typo from five letters on) and the pinyin field (a prefix).
    /// Common Chinese words ([`common_words`]) only add to the score of documents another word
    /// found.
    fn query(&self, searcher: &Searcher, asked: &[String]) -> Box<dyn Query> {
        let f = self.fields;
        let boosted = |q: Box<dyn Query>, boost: f32| -> Box<dyn Query> {
            Box::new(BoostQuery::new(q, boost))
        };
        let exact = |field, text: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::WithFreqs,
            ))
        };
        let mut held = Vec::with_capacity(asked.len());
        let mut of_word: Vec<Vec<(Occur, Box<dyn Query>)>> = Vec::with_capacity(asked.len());
        for word in asked {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            clauses.push((Occur::Should, boosted(exact(f.title_zh, word), 3.0)));
            clauses.push((Occur::Should, exact(f.body_zh, word)));
            // The words the guides use for what people type count a little less than the word.
            for other in synonyms(word) {
                clauses.push((Occur::Should, boosted(exact(f.title_zh, other), 2.4)));
                clauses.push((Occur::Should, boosted(exact(f.body_zh, other), 0.8)));
            }
            if has_han(word) {
                let holding = |field| {
                    searcher
                        .doc_freq(&Term::from_field_text(field, word))
                        .unwrap_or(0)
                };
                held.push(holding(f.title_zh).max(holding(f.body_zh)));
                of_word.push(clauses);
                continue;
            }
            let latin = word.to_lowercase();
            let length = latin.chars().count();
            let typos = if length >= 5 { 1 } else { 0 };
            let fuzzy = |field, distance| -> Box<dyn Query> {
                let t = Term::from_field_text(field, &latin);
                if length >= 2 {
                    Box::new(FuzzyTermQuery::new_prefix(t, distance, true))
                } else {
                    Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs))
                }
            };
            clauses.push((Occur::Should, boosted(fuzzy(f.title_latin, typos), 2.0)));
            clauses.push((Occur::Should, fuzzy(f.body_latin, typos)));
            clauses.push((Occur::Should, boosted(fuzzy(f.pinyin, 0), 2.5)));
            // A Latin word's prefixes and typos have no one count: it is never common.
            held.push(0);
            of_word.push(clauses);
        }
        let mut rare = Vec::new();
        let mut common = Vec::new();
        for (clauses, is_common) in of_word
            .into_iter()
            .zip(common_words(&held, searcher.num_docs()))
        {
            if is_common {
                common.extend(clauses);
            } else {
                rare.extend(clauses);
            }
        }
        if common.is_empty() {
            return Box::new(BooleanQuery::new(rare));
        }
        Box::new(BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(BooleanQuery::new(rare)) as Box<dyn Query>,
            ),
            (Occur::Should, Box::new(BooleanQuery::new(common))),
        ]))
    }

    /// The best `limit` documents for `text`, shown in `lang`. The index's best
    /// [`RERANK_POOL`] are ordered by how well their titles answer the question (see
    /// [`title_match`]), then by the index's score: the ordinary service whose name holds the
    /// question's words comes before its variants and the guides.
    pub fn search(&self, text: &str, lang: Lang, limit: usize) -> Result<Vec<Hit>, AppError> {
        // The question cut into words once, for the query and for ordering by titles.
        let cut = meaningful(words(&cleaned(text)));
        let searcher = self.reader.searcher();
        let query = self.query(&searcher, &cut);
        let wanted = limit.clamp(1, MAX_RESULTS);
        let top = searcher
            .search(
                &query,
                &TopDocs::with_limit(wanted.max(RERANK_POOL)).order_by_score(),
            )
            .map_err(search_error)?;
        let asked = Asked::new(text, &cut);
        let mut found = Vec::with_capacity(top.len());
        for (score, address) in top {
            let Some(code) = self
                .codes
                .get(address.segment_ord as usize)
                .and_then(|segment| segment.get(address.doc_id as usize))
            else {
                continue;
            };
            let (Some(d), Some(titles)) = (self.docs.get(code), self.titles.get(code)) else {
                continue;
            };
            let key = title_match(&asked, titles, d.kind == HitKind::Item);
            found.push((key, score, address, d));
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        found.truncate(wanted);
        let mut snippets = SnippetGenerator::create(&searcher, &*query, self.fields.body_zh)
            .map_err(search_error)?;
        snippets.set_max_num_chars(120);
        let slot = lang_slot(lang);
        let mut hits = Vec::with_capacity(found.len());
        for (_, score, address, d) in found {
            let summary = &d.summaries[slot];
            let (snippet_html, snippet_lang) = if lang != Lang::Zh && !summary.is_empty() {
                (escape(&clip(summary, 120)), lang)
            } else {
                let stored: TantivyDocument = searcher.doc(address).map_err(search_error)?;
                let html = snippets.snippet_from_doc(&stored).to_html();
                let html = if html.is_empty() {
                    escape(&clip(&d.body_zh, 120))
                } else {
                    html
                };
                (html, Lang::Zh)
            };
            hits.push(Hit {
                kind: d.kind,
                title: d.titles[slot].clone(),
                code: d.code.clone(),
                snippet_html,
                snippet_lang,
                score,
            });
        }
        Ok(hits)
    }

    /// How many documents it holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

const READY: &str = "qiaoyi-ready";

fn lang_slot(lang: Lang) -> usize {
    match lang {
        Lang::Zh => 0,
        Lang::En => 1,
        Lang::It => 2,
        Lang::Es => 3,
    }
}

fn clip(text: &str, chars: usize) -> String {
    let mut out: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        out.push('…');
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The documents of a catalogue.
pub fn catalogue_docs(items: &[Item], guides: &[Guide]) -> Vec<SearchDoc> {
    let mut docs = Vec::with_capacity(items.len() + guides.len());
    let langs = [Lang::Zh, Lang::En, Lang::It, Lang::Es];
    let latin = |t: &Text| {
        [Lang::En, Lang::It, Lang::Es]
            .iter()
            .map(|l| t.get(*l))
            .collect::<Vec<_>>()
            .join(" ")
    };
    for item in items {
        docs.push(SearchDoc {
            kind: HitKind::Item,
            code: item.code.to_string(),
            title_zh: item.name.zh.clone(),
            title_latin: latin(&item.name),
            body_zh: format!("{} {}", item.summary.zh, item.eligibility.zh),
            body_latin: format!("{} {}", latin(&item.summary), latin(&item.eligibility)),
            titles: langs.map(|l| item.name.get(l).to_owned()),
            summaries: langs.map(|l| item.summary.get(l).to_owned()),
        });
    }
    for g in guides {
        // Every text of the guide in each language: a question in Italian finds the Italian words.
        let texts: Vec<&Text> = [&g.summary, &g.who, &g.fee, &g.time_limit, &g.where_]
            .into_iter()
            .chain(g.materials.iter())
            .collect();
        let joined = |pick: &dyn Fn(&Text) -> String| {
            texts.iter().map(|t| pick(t)).collect::<Vec<_>>().join(" ")
        };
        docs.push(SearchDoc {
            kind: HitKind::Guide,
            code: g.code.to_string(),
            title_zh: g.title.zh.clone(),
            title_latin: latin(&g.title),
            body_zh: joined(&|t| t.zh.clone()),
            body_latin: joined(&latin),
            titles: langs.map(|l| g.title.get(l).to_owned()),
            summaries: langs.map(|l| g.summary.get(l).to_owned()),
        });
    }
    docs
}

/// The app's index: built on first use, rebuilt when the catalogue changes.
#[derive(Clone, Default)]
pub struct SearchIndex {
    /// Where indexes are kept; `None` keeps them in memory.
    dir: Option<PathBuf>,
    built: Arc<tokio::sync::RwLock<Option<Arc<Built>>>>,
    checked: Arc<Mutex<Option<Instant>>>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .finish()
    }
}

impl SearchIndex {
    pub fn in_dir(dir: PathBuf) -> SearchIndex {
        SearchIndex {
            dir: Some(dir),
            ..SearchIndex::default()
        }
    }

    fn fresh(&self) -> bool {
        self.checked
            .lock()
            .map(|c| c.is_some_and(|at| at.elapsed() < RECHECK))
            .unwrap_or(false)
    }

    /// Makes the next search read the catalogue's digest again.
    pub(crate) fn invalidate(&self) {
        if let Ok(mut c) = self.checked.lock() {
            *c = None;
        }
    }

    fn mark_checked(&self) {
        if let Ok(mut c) = self.checked.lock() {
            *c = Some(Instant::now());
        }
    }
}

impl App {
    /// The index of the catalogue in force, built or rebuilt when needed.
    async fn search_index(&self) -> Result<Arc<Built>, AppError> {
        let index = &self.search;
        if index.fresh()
            && let Some(built) = index.built.read().await.clone()
        {
            return Ok(built);
        }
        let digest = self.catalog_header().await?.digest;
        if let Some(built) = index.built.read().await.clone()
            && built.digest == digest
        {
            index.mark_checked();
            return Ok(built);
        }
        let mut slot = index.built.write().await;
        if let Some(built) = slot.clone()
            && built.digest == digest
        {
            return Ok(built);
        }
        let built = Arc::new(self.build_index(&digest, false, &|_, _| {}).await?);
        *slot = Some(built.clone());
        index.mark_checked();
        Ok(built)
    }

    async fn catalogue_search_docs(&self) -> Result<Vec<SearchDoc>, AppError> {
        let items = self.items(None).await?;
        let mut guides = Vec::new();
        loop {
            let page = self.guides(guides.len() as u64, crate::MAX_PAGE).await?;
            let done = page.items.is_empty()
                || guides.len() as u64 + page.items.len() as u64 >= page.total;
            guides.extend(page.items);
            if done {
                break;
            }
        }
        Ok(catalogue_docs(&items, &guides))
    }

    /// Builds the index of the catalogue with `digest` (or opens the one an earlier run built,
    /// unless `force`), and removes the data dir's older ones.
    async fn build_index(
        &self,
        digest: &str,
        force: bool,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<Built, AppError> {
        // Indexing the reference catalogue takes well under a second, once per catalogue; it runs
        // on the caller's task rather than holding its documents across a thread hop.
        let docs = self.catalogue_search_docs().await?;
        let Some(root) = self.search.dir.clone() else {
            return Built::build(docs, None, digest, progress);
        };
        let dir = root.join(&digest[..digest.len().min(16)]);
        if !force && let Some(built) = Built::open(&dir, digest, docs.clone()) {
            return Ok(built);
        }
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| AppError::Search(format!("{}: {e}", dir.display())))?;
        }
        let built = Built::build(docs, Some(&dir), digest, progress)?;
        // Older indexes are of catalogues no longer in force.
        if let Ok(entries) = std::fs::read_dir(&root) {
            for entry in entries.flatten() {
                if entry.path() != dir {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        Ok(built)
    }

    /// Rebuilds the index from the database (`qiaoyi reindex`); returns how many documents it holds.
    pub async fn reindex(&self, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<u64, AppError> {
        let digest = self.catalog_header().await?.digest;
        let built = Arc::new(self.build_index(&digest, true, progress).await?);
        let count = built.len();
        *self.search.built.write().await = Some(built);
        self.search.mark_checked();
        Ok(count)
    }

    /// Searches items and guides for `query`; results in `lang`. Anyone may search.
    pub async fn search(&self, query: &str, lang: Lang, limit: u64) -> Result<Vec<Hit>, AppError> {
        let query = check_query(query).map_err(|e| AppError::Invalid {
            field: "q",
            reason: Reason::Malformed,
            message: e.to_string(),
        })?;
        if limit == 0 || limit > MAX_RESULTS as u64 {
            return Err(AppError::Invalid {
                field: "limit",
                reason: Reason::Malformed,
                message: format!("give a limit from 1 to {MAX_RESULTS}"),
            });
        }
        // A query takes about a millisecond: answered on the request's task.
        self.search_index()
            .await?
            .search(&query, lang, limit as usize)
    }

    /// Builds or opens the index ahead of the first search (servers call it when they start).
    pub async fn warm_search(&self) -> Result<u64, AppError> {
        Ok(self.search_index().await?.len())
    }
}

/// A generated corpus for the search benchmark: `n` documents made of the catalogue's own words,
/// each a real title with a clause added and six clauses of the guides' texts drawn at random
/// (a fixed seed, so every run measures the same corpus).
pub fn generated_corpus(source: &[SearchDoc], n: usize, seed: u64) -> Vec<SearchDoc> {
    let clauses: Vec<&str> = source
        .iter()
        .flat_map(|d| d.body_zh.split(['，', '。', '；', '、', '：']))
        .map(str::trim)
        .filter(|c| c.chars().count() >= 4)
        .collect();
    if clauses.is_empty() || source.is_empty() {
        return Vec::new();
    }
    let mut state = seed | 1;
    let mut next = move |below: usize| {
        // xorshift64: enough to spread the draws, and the same on every machine.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % below as u64) as usize
    };
    (0..n)
        .map(|i| {
            let base = &source[next(source.len())];
            let title = format!("{}{}", base.title_zh, clauses[next(clauses.len())]);
            let body: Vec<&str> = (0..6).map(|_| clauses[next(clauses.len())]).collect();
            SearchDoc {
                kind: HitKind::Guide,
                code: format!("B{i:06}"),
                title_zh: title.clone(),
                title_latin: base.title_latin.clone(),
                body_zh: body.join("，"),
                body_latin: String::new(),
                titles: [title.clone(), title.clone(), title.clone(), title],
                summaries: Default::default(),
            }
        })
        .collect()
}
