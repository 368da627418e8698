"""Benchmark plumbing: lengths, tables, the resumable passkey grid and its heatmap."""

import json
import os
import sys

import pytest

from infinicli import bench, ui
from infinicli.errors import InfiniError
from infinicli.ui import csv_text, markdown_table


def test_parse_length():
    assert [bench.parse_length(x) for x in ("4096", "4k", "32K", "1m", "1.5k")] == [4096, 4000, 32000, 1_000_000, 1500]
    with pytest.raises(InfiniError, match="cannot read"):
        bench.parse_length("lots")
    assert [bench.short_length(n) for n in (4000, 1_000_000, 4096)] == ["4k", "1m", "4096"]


def test_markdown_and_csv_rows():
    md = markdown_table(["method", "tok/s"], [["infini", 512.5], ["full", 90]])
    lines = md.splitlines()
    assert lines[0].startswith("| method") and lines[1].startswith("| ------") and lines[1].endswith(": |")
    assert "| infini |" in lines[2] and lines[3].endswith("90 |")
    assert csv_text([{"method": "full", "length": 4000}]).splitlines() == ["method,length", "full,4000"]


SMOLLM2 = (30, 3, 64)  # the default model's layers, KV heads and head dim


def test_full_kv_estimate_for_the_default_model():
    # 30 layers x 3 KV heads x 64 dims x (K and V) x 4 bytes = 46,080 bytes per token
    assert bench.full_kv_bytes(1, SMOLLM2) == 46_080
    assert bench.full_kv_bytes(1_000_000, SMOLLM2) / 1e9 == pytest.approx(46.08)


def test_model_shape_is_read_from_its_config(tmp_path):
    import json

    from infinicli import model_store

    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama", "num_hidden_layers": 30,
                                                      "num_attention_heads": 9, "num_key_value_heads": 3,
                                                      "hidden_size": 576}))
    (tmp_path / "model.safetensors").write_bytes(b"")  # resolve() wants weights it could load; none are read
    assert model_store.kv_shape(str(tmp_path)) == SMOLLM2


def test_passkey_grid_resumes_from_cell_files(tmp_path):
    # Cells already on disk are read back, not run again (running one would need the model).
    for depth, acc in ((0.0, 1.0), (0.5, 0.5)):
        (tmp_path / f"infini-4k-d{depth:g}.json").write_text(json.dumps({
            "accuracy": acc, "method": "infini", "tokens_per_s": 500.0, "peak_rss_mb": 1200.0,
            "trials": [{"seconds": 8.0}, {"seconds": 9.0}]}))
    seen = []
    cells = bench.passkey_grid(tmp_path, ["infini"], [4000], [0.0, 0.5], 2, 0, {},
                               lambda name, cell, resumed: seen.append((name, resumed)))
    assert seen == [("infini-4k-d0.json", True), ("infini-4k-d0.5.json", True)]
    assert [c["accuracy"] for c in cells] == [1.0, 0.5] and cells[0]["seconds"] == 17.0
    ui.heatmap_png(cells, tmp_path / "heatmap.png")
    assert (tmp_path / "heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # A labelled grid (trained parameters) keeps its own cells beside the plain ones.
    (tmp_path / "infini+trained-4k-d0.json").write_text(json.dumps({
        "accuracy": 0.0, "method": "infini", "tokens_per_s": 400.0, "peak_rss_mb": 1000.0,
        "trials": [{"seconds": 7.0}]}))
    cells = bench.passkey_grid(tmp_path, ["infini"], [4000], [0.0], 1, 0, {},
                               lambda name, cell, resumed: seen.append((name, resumed)), label="+trained")
    assert seen[-1] == ("infini+trained-4k-d0.json", True)
    assert [(c["method"], c["accuracy"]) for c in cells] == [("infini+trained", 0.0)]
    assert [c["method"] for c in bench.load_cells(tmp_path)] == ["infini", "infini", "infini+trained"]


def test_cells_side_by_side_share_the_cores_and_keep_grid_order(tmp_path, monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    cores = os.cpu_count() or 1
    assert bench.cell_threads(1) is None  # one at a time: torch's own default
    assert bench.cell_threads(2) == max(1, cores // 2) and bench.cell_threads(cores * 4) == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert bench.cell_threads(2) is None  # the user's setting stands
    # Cells on disk are read back in grid order whatever order they end in (running one needs the model).
    for depth in (0.0, 0.5, 1.0):
        (tmp_path / f"infini-4k-d{depth:g}.json").write_text(json.dumps({
            "accuracy": depth, "method": "infini", "tokens_per_s": 500.0, "peak_rss_mb": 1200.0,
            "trials": [{"seconds": 8.0}]}))
    seen = []
    cells = bench.passkey_grid(tmp_path, ["infini"], [4000], [0.0, 0.5, 1.0], 1, 0, {},
                               lambda name, cell, resumed: seen.append(resumed), jobs=2)
    assert [c["depth"] for c in cells] == [0.0, 0.5, 1.0] and [c["accuracy"] for c in cells] == [0.0, 0.5, 1.0]
    assert seen == [True, True, True]


def test_summary_coverage_counts_facts_whose_keywords_all_appear():
    facts = {"chapters": [
        {"chapter": 1, "facts": [{"keywords": ["Marta", "Corran Head"]}, {"keywords": ["Halcyon"]}]},
        {"chapter": 2, "facts": [{"keywords": ["Jonah"]}]},
    ]}
    cov = bench.coverage("Marta kept the light; the HALCYON sank. Corran is windy.", facts)
    assert (cov["facts_covered"], cov["facts"], cov["chapters_covered"]) == (1, 3, 1)
    cov = bench.coverage("At Corran Head, Marta saw the Halcyon; Jonah counted salt.", facts)
    assert (cov["facts_covered"], cov["chapters_covered"], cov["fact_coverage"]) == (3, 2, 1.0)


def test_a_quote_is_found_when_every_piece_is_on_its_page_or_the_next():
    pages = {3: ["The lamp was trimmed at dusk, and Marta wrote the hour in the ledger"],
             4: ["be-\nfore the storm came in from the west."]}
    quote = {"text": "The lamp was trimmed at dusk, \u2026 the ledger before the storm came in", "page": 3}
    elsewhere = {"text": "\u2026 the storm came in from the west.", "page": 2}
    invented = {"text": "The lamp was trimmed at noon \u2026", "page": 3}
    data = {"sections": [{"quotes": [quote, elsewhere]}, {"quotes": [invented]}]}
    assert bench.quotes_found(data, pages) == "1/3"
    assert bench.quotes_found({"summary": "no sections"}, pages) is None


def test_heatmap_cells_come_from_every_file_in_the_folder(tmp_path):
    for name, acc in (("infini+recall-64k-d0.1.json", 1.0), ("window-4k-d0.5.json", 0.0)):
        (tmp_path / name).write_text(json.dumps({"accuracy": acc, "method": "m", "tokens_per_s": 1.0,
                                                 "peak_rss_mb": 1.0, "trials": [{"seconds": 1.0}]}))
    (tmp_path / "notes.json").write_text("{}")  # not a cell
    cells = bench.load_cells(tmp_path)
    assert [(c["method"], c["length"], c["depth"], c["accuracy"]) for c in cells] == [
        ("window", 4000, 0.5, 0.0), ("infini+recall", 64000, 0.1, 1.0)]


def _trial_cell(path, tokens, rss, state, seconds, correct):
    path.write_text(json.dumps({"accuracy": float(correct), "method": "m", "tokens_per_s": tokens / seconds,
                                "peak_rss_mb": rss, "trials": [{
                                    "tokens": tokens, "peak_rss_mb": rss, "seconds": seconds,
                                    "tokens_per_s": tokens / seconds, "correct": correct,
                                    "final_segment": {"state_bytes": state}}]}))


def test_bench_memory_reads_passkey_cells_and_skips_full_where_it_cannot_run(tmp_path):
    # Rows come from the same per-cell files `bench passkey` writes (depth 0.5), so nothing runs here.
    _trial_cell(tmp_path / "infini-4k-d0.5.json", 4000, 1100.0, 25_000_000, 10.0, False)
    _trial_cell(tmp_path / "infini-1m-d0.5.json", 1_000_000, 1130.0, 25_000_000, 2500.0, True)
    _trial_cell(tmp_path / "full-4k-d0.5.json", 4000, 1300.0, 184_320_000, 8.0, True)
    seen = []
    rows = bench.bench_memory(["full", "infini"], [4000, 1_000_000], tmp_path, {}, 32000,
                              seen.append, SMOLLM2, available=24_000_000_000)
    rows += bench.bench_memory(["full"], [64000], tmp_path, {}, 32000, seen.append, SMOLLM2,
                               available=24_000_000_000)
    assert [(r.method, r.length) for r in seen][:2] == [("full", 4000), ("infini", 4000)]  # short first
    full = {r.length: r for r in rows if r.method == "full"}
    assert full[4000].peak_rss_mb == 1300.0 and full[4000].found is True
    assert full[64000].peak_rss_mb is None and "above --full-max 32k" in full[64000].note
    assert full[1_000_000].note.startswith("needs 47.6 GB")
    infini = [r for r in rows if r.method == "infini"]
    assert [r.state_bytes for r in infini if r.peak_rss_mb] == [25_000_000, 25_000_000]
    assert infini[-1].found is True and infini[-1].tokens_per_s == 400.0
    later = bench.bench_memory(["infini"], [4000, 16000], tmp_path, {}, 32000, seen.append, SMOLLM2, run=False)
    assert later[0].state_bytes == 25_000_000 and later[1].note == "not run yet"  # nothing was run
    ui.memory_plot(rows, tmp_path / "memory.png")
    assert (tmp_path / "memory.png").read_bytes()[:4] == b"\x89PNG"


def test_summary_body_counts_what_was_written_not_titles_or_the_name_list():
    md = ("# Summary of b.pdf\n\nNamed in the most sections: Poole, Hyde.\n\n## THE LAST NIGHT (pp. 3-4)\n\n"
          "Named here: Utterson, Poole, Jekyll.\n\nUtterson breaks the door.\n\n> Poole took the axe. (p. 4)\n")
    body = bench.summary_body({"markdown": md})
    assert body.split() == ["Utterson", "breaks", "the", "door.", "Poole", "took", "the", "axe.", "(p.", "4)"]


def test_summary_rows_count_unsupported_names_but_not_the_pages_quotes_cite(tmp_path):
    """Page numbers are left out of a PDF's text, so a quote's "(p. 2)" names no word of the document:
    the program's citation is not counted as an unsupported name; a name the book lacks is."""
    from pathlib import Path

    root = Path(__file__).parent.parent / "samples" / "books"
    md = ("# Summary of dr-jekyll-and-mr-hyde.pdf\n\n## STORY OF THE DOOR (pp. 2\u20135)\n\nNamed here: Utterson.\n\n"
          "> Mr. Enfield and the lawyer were on the other side of the by-street. (p. 3)\n>\n"
          "> Then Mr. Zebulon Quartermaine came. (pp. 4\u20135)\n")
    (tmp_path / "summary-infini-medium.json").write_text(json.dumps(
        {"markdown": md, "tokens": 1, "seconds": 1.0, "peak_rss_mb": 1.0, "sections": []}))
    rows = bench.bench_summarize(root / "dr-jekyll-and-mr-hyde.pdf", root / "dr-jekyll-and-mr-hyde.facts.json",
                                 ["infini"], "medium", "m", "fp16", tmp_path, lambda row: None)
    assert rows[0]["unsupported_sentences"] == 1  # Zebulon Quartermaine, not the pages 3, 4 or 5


@pytest.mark.parametrize("argv, phrase", [
    (["passkey"], "usage:"),
    (["passkey", "{not json"], "not JSON"),
    (["passkey", "[1, 2]"], "must be a JSON object"),
    (["essay", "{}"], "unknown bench cell 'essay'"),
    (["passkey", '{"length": 100000000000}'], "--length of"),
])
def test_a_bench_cell_refuses_bad_options_in_one_sentence(monkeypatch, capsys, argv, phrase):
    from infinicli.bench import cell

    monkeypatch.setattr(sys, "argv", ["cell", *argv])
    with pytest.raises(SystemExit) as ended:
        cell.main()
    err = capsys.readouterr().err
    assert ended.value.code == 2 and err.count("\n") == 1 and phrase in err, err


def test_a_bench_cell_names_the_command_that_remakes_it():
    from infinicli.bench import cell

    line = cell.command("passkey", {"length": 4000, "method": "infini"})
    assert line == """python -m infinicli.bench.cell passkey '{"length": 4000, "method": "infini"}'"""


def test_bench_speed_writes_a_row_per_method_beside_the_plain_model_and_a_png(run_cli, tiny_dir, tmp_path):
    out = tmp_path / "speed"
    r = run_cli("bench", "speed", "--model", str(tiny_dir), "--length", "700", "--segments", "128",
                "--methods", "window,infini+recall", "--repeats", "2", "--decode", "4", "--precisions", "fp32",
                "--probe-heads", "0", "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads((out / "speed.json").read_text())
    assert data["command"].startswith("infini bench speed --length 700")
    rows = data["rows"]
    assert [row["method"] for row in rows] == ["plain chunked prefill", "window", "infini+recall"]
    plain, *methods = rows
    assert plain["prefill_ratio"] == 1.0 and plain["decode_tokens_per_s"] is None
    for row in methods:
        assert row["prefill_tokens_per_s"] > 0 and row["decode_tokens_per_s"] > 0 and row["first_token_ms"] > 0
        assert row["prefill_ratio"] == pytest.approx(row["prefill_tokens_per_s"] / plain["prefill_tokens_per_s"],
                                                     abs=0.01)
        assert row["precision"] == "fp32" and row["memory_bandwidth_gb_s"] > 0
    assert json.loads(r.stdout) == rows  # --json prints the same rows
    assert (out / "speed.png").read_bytes()[:4] == b"\x89PNG"
    r = run_cli("bench", "speed", "--model", str(tiny_dir), "--decode", "1", "--out", str(tmp_path / "one"))
    assert r.returncode == 2 and "--decode must be at least 2" in r.stderr and "Traceback" not in r.stderr


def test_decode_is_timed_after_the_first_token():
    from infinicli import bench

    assert bench.after_first([10.0, 10.25, 10.5]) == 4.0  # 2 tokens in 0.5 s after the first
    with pytest.raises(ValueError):
        bench.after_first([10.0])
