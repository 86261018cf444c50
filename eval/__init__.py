"""Offline evaluation: search quality (nDCG@10, Recall@100, MRR) and latency over judgments.

Entry points: ``eval.search_eval.evaluate_search`` and ``eval.search_eval.write_report``;
``eval.judgments.load_judgments``; ``eval.metrics`` for ranx Qrels/Run helpers.
"""
