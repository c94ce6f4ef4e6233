//! The compiled route of #17, measured by `benchmarks/bench_compiled_route.py`.
//!
//! One pass over both JSONL files: serde_json parses each line into borrowed typed structs
//! (only the fields the entity layer needs; the rest is skipped), every mention's offsets
//! and text are checked against its document in Python `str` indices (code points), the
//! documents are paired in order, and strict multiset matching of `(start, end, type)`
//! gives the counts and, in `entity_strict_records`, the report's JSON lines for missed
//! and spurious mentions. A measurement, not a scorer: no schema, no other scheme, no
//! located problems (only their number). Built against Debian's crates, offline (README).

use pyo3::prelude::*;
use serde::Deserialize;
use std::borrow::Cow;
use std::fs;

#[derive(Deserialize)]
struct Mention<'a> {
    start: usize,
    end: usize,
    #[serde(borrow, rename = "type")]
    label: Cow<'a, str>,
    #[serde(borrow)]
    text: Cow<'a, str>,
}

#[derive(Deserialize)]
struct Doc<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    text: Cow<'a, str>,
    #[serde(borrow, default)]
    mentions: Vec<Mention<'a>>,
}

/// Byte offset of every char index (only built when the text is not ASCII).
fn char_to_byte(text: &str) -> Option<Vec<usize>> {
    if text.is_ascii() {
        return None;
    }
    let mut table: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    table.push(text.len());
    Some(table)
}

fn n_chars(text: &str, table: &Option<Vec<usize>>) -> usize {
    match table {
        None => text.len(),
        Some(t) => t.len() - 1,
    }
}

/// Check every mention's offsets and text; return (start, end, label) triples.
fn spans<'a>(doc: &'a Doc<'a>, problems: &mut u64) -> Vec<(usize, usize, &'a str)> {
    let table = char_to_byte(&doc.text);
    let length = n_chars(&doc.text, &table);
    let mut out = Vec::with_capacity(doc.mentions.len());
    for m in &doc.mentions {
        if m.start >= m.end || m.end > length {
            *problems += 1;
            continue;
        }
        let (bs, be) = match &table {
            None => (m.start, m.end),
            Some(t) => (t[m.start], t[m.end]),
        };
        if &doc.text[bs..be] != m.text {
            *problems += 1;
            continue;
        }
        out.push((m.start, m.end, m.label.as_ref()));
    }
    out.sort_unstable();
    out
}

/// Strict multiset matching of two sorted span lists: (tp, fp, fn).
fn strict(gold: &[(usize, usize, &str)], pred: &[(usize, usize, &str)]) -> (u64, u64, u64) {
    let (mut i, mut j, mut tp) = (0, 0, 0u64);
    while i < gold.len() && j < pred.len() {
        match gold[i].cmp(&pred[j]) {
            std::cmp::Ordering::Equal => {
                tp += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    (tp, pred.len() as u64 - tp, gold.len() as u64 - tp)
}

fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|&b| b == b'\n').filter(|l| !l.is_empty())
}

fn parse(line: &[u8]) -> PyResult<Doc<'_>> {
    serde_json::from_slice(line).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

/// Read both files, pair their lines in order and visit each parsed pair; the number of
/// lines that pair with nothing or with another id.
fn each_pair(gold_path: &str, pred_path: &str, mut visit: impl FnMut(&Doc, &Doc)) -> PyResult<u64> {
    let gold = fs::read(gold_path)?;
    let pred = fs::read(pred_path)?;
    let mut unpaired = 0u64;
    let mut pred_lines = lines(&pred);
    for gold_line in lines(&gold) {
        let Some(pred_line) = pred_lines.next() else {
            unpaired += 1;
            break;
        };
        let (g, p) = (parse(gold_line)?, parse(pred_line)?);
        if g.id != p.id {
            unpaired += 1;
        }
        visit(&g, &p);
    }
    Ok(unpaired)
}

/// Parse both JSONL files, check every mention, pair by order, count strict matches:
/// (documents, problems, tp, fp, fn).
#[pyfunction]
fn entity_strict_counts(gold_path: &str, pred_path: &str) -> PyResult<(u64, u64, u64, u64, u64)> {
    let (mut docs, mut problems, mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64, 0u64, 0u64);
    problems += each_pair(gold_path, pred_path, |g, p| {
        let gs = spans(g, &mut problems);
        let ps = spans(p, &mut problems);
        let (a, b, c) = strict(&gs, &ps);
        tp += a;
        fp += b;
        fn_ += c;
        docs += 1;
    })?;
    Ok((docs, problems, tp, fp, fn_))
}

fn slice<'a>(text: &'a str, table: &Option<Vec<usize>>, a: usize, b: usize) -> &'a str {
    match table {
        None => &text[a..b],
        Some(t) => &text[t[a]..t[b]],
    }
}

fn json_str(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).unwrap();
}

/// One missed or spurious record as the report's JSON line (context of 40 chars a side).
fn record(
    out: &mut Vec<u8>,
    doc: &Doc,
    table: &Option<Vec<usize>>,
    length: usize,
    span: &(usize, usize, &str),
    missed: bool,
) {
    let (s, e, label) = *span;
    let text: &str = &doc.text;
    out.extend_from_slice(b"{\"layer\":\"entities\",\"kind\":\"");
    out.extend_from_slice(if missed {
        b"missed" as &[u8]
    } else {
        b"spurious"
    });
    out.extend_from_slice(b"\",\"document\":");
    json_str(out, &doc.id);
    let offsets = format!("[{},{}]", s, e);
    let span_text = slice(text, table, s, e);
    let left = slice(text, table, s.saturating_sub(40), s).replace('\n', " ");
    let right = slice(text, table, e, (e + 40).min(length)).replace('\n', " ");
    let context = format!("{}[[{}]]{}", left, span_text, right);
    let mut label_json = Vec::new();
    json_str(&mut label_json, label);
    let mut text_json = Vec::new();
    json_str(&mut text_json, span_text);
    // each field twice, gold's then the prediction's: the side of the span holds it
    for (field, value) in [
        ("", offsets.as_bytes()),
        ("_label", &label_json[..]),
        ("_text", &text_json[..]),
    ] {
        for (side, holds) in [("gold", missed), ("pred", !missed)] {
            out.extend_from_slice(format!(",\"{}{}\":", side, field).as_bytes());
            out.extend_from_slice(if holds { value } else { b"null" });
        }
    }
    out.extend_from_slice(b",\"context\":");
    json_str(out, &context);
    out.extend_from_slice(b",\"note\":\"\"}\n");
}

/// As entity_strict_counts, and write a JSON line for every missed and spurious mention:
/// (problems, tp, fp, fn).
#[pyfunction]
fn entity_strict_records(
    gold_path: &str,
    pred_path: &str,
    out_path: &str,
) -> PyResult<(u64, u64, u64, u64)> {
    let mut out: Vec<u8> = Vec::new();
    let (mut problems, mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64, 0u64);
    problems += each_pair(gold_path, pred_path, |g, p| {
        let table = char_to_byte(&g.text);
        let length = n_chars(&g.text, &table);
        let gs = spans(g, &mut problems);
        let ps = spans(p, &mut problems);
        let (mut i, mut j) = (0, 0);
        while i < gs.len() || j < ps.len() {
            if i < gs.len() && j < ps.len() && gs[i] == ps[j] {
                tp += 1;
                i += 1;
                j += 1;
            } else if j >= ps.len() || (i < gs.len() && gs[i] < ps[j]) {
                record(&mut out, g, &table, length, &gs[i], true);
                fn_ += 1;
                i += 1;
            } else {
                record(&mut out, g, &table, length, &ps[j], false);
                fp += 1;
                j += 1;
            }
        }
    })?;
    fs::write(out_path, &out)?;
    Ok((problems, tp, fp, fn_))
}

/// Parse both files only (serde_json::Value, dropped): the compiled floor.
#[pyfunction]
fn parse_only(gold_path: &str, pred_path: &str) -> PyResult<u64> {
    let mut n = 0u64;
    for path in [gold_path, pred_path] {
        let data = fs::read(path)?;
        for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let v: serde_json::Value = serde_json::from_slice(line)
                .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
            if v.is_object() {
                n += 1;
            }
        }
    }
    Ok(n)
}

#[pymodule]
fn newsbench_route(_py: Python, m: &PyModule) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(entity_strict_counts, m)?)?;
    m.add_function(wrap_pyfunction!(parse_only, m)?)?;
    m.add_function(wrap_pyfunction!(entity_strict_records, m)?)?;
    Ok(())
}
