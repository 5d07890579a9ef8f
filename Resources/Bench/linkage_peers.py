#!/usr/bin/env python3
"""Peers for `egide bench linkage`, measured in the same run as Egide.

  linkage_peers.py kernel NAMES_FILE   rapidfuzz cdist (Jaro-Winkler, workers=1): pairs/s
  linkage_peers.py peers FEBRL_DIR     recordlinkage (ECM) and splink on FEBRL4 without the
                                       social-security number: precision, recall, F1, time, memory

Needs `pip install rapidfuzz recordlinkage splink`. Prints one result per line.
"""
import os
import resource
import sys
import time


def kernel(path):
    from rapidfuzz.distance import JaroWinkler
    from rapidfuzz.process import cdist
    names = [line for line in open(path, encoding="utf-8").read().split("\n") if line]
    cdist(names[:50], names[:50], scorer=JaroWinkler.normalized_similarity, workers=1)
    rounds, start = 0, time.perf_counter()
    while rounds < 3:
        cdist(names, names, scorer=JaroWinkler.normalized_similarity, workers=1)
        rounds += 1
    print(rounds * len(names) * len(names) / (time.perf_counter() - start))


FIELDS = ["given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state", "date_of_birth"]


def load(folder):
    import pandas as pd
    a = pd.read_csv(os.path.join(folder, "dataset4a.csv"), skipinitialspace=True, dtype=str).fillna("")
    b = pd.read_csv(os.path.join(folder, "dataset4b.csv"), skipinitialspace=True, dtype=str).fillna("")
    a.columns = [c.strip() for c in a.columns]
    b.columns = [c.strip() for c in b.columns]
    for frame in (a, b):
        frame["person"] = frame["rec_id"].str.split("-").str[1]
    truth = set(zip(a["rec_id"], b.set_index("person").loc[a["person"], "rec_id"]))
    return a, b, truth


def report(name, found, truth, seconds):
    hits = len(found & truth)
    p = hits / len(found) if found else 0.0
    r = hits / len(truth)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{name}: precision {p:.4f}  recall {r:.4f}  F1 {f1:.4f}  time {seconds:.2f} s  peak memory of the Python process {peak:.0f} MB")


def recordlinkage_ecm(folder):
    import recordlinkage as rl
    a, b, truth = load(folder)
    start = time.perf_counter()
    ia, ib = a.set_index("rec_id"), b.set_index("rec_id")
    indexer = rl.Index()
    for field in ["given_name", "surname", "postcode", "date_of_birth", "suburb", "address_1"]:
        indexer.block(field)
    pairs = indexer.index(ia, ib)
    compare = rl.Compare()
    for field in ["given_name", "surname", "address_1", "address_2", "suburb"]:
        compare.string(field, field, method="jarowinkler", threshold=0.85, label=field)
    for field in ["street_number", "postcode", "state", "date_of_birth"]:
        compare.exact(field, field, label=field)
    features = compare.compute(pairs, ia, ib)
    ecm = rl.ECMClassifier(binarize=0.8)
    matches = ecm.fit_predict(features)
    report("recordlinkage 0.16 (ECM, blocking on six fields)", set(matches.tolist()), truth, time.perf_counter() - start)


def splink_version():
    from importlib.metadata import version
    return version("splink")


def splink(folder):
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    a, b, truth = load(folder)
    start = time.perf_counter()
    a = a.drop(columns=["soc_sec_id"]).replace("", None)
    b = b.drop(columns=["soc_sec_id"]).replace("", None)
    a["unique_id"], b["unique_id"] = a["rec_id"], b["rec_id"]
    settings = SettingsCreator(
        link_type="link_only",
        blocking_rules_to_generate_predictions=[block_on(f) for f in ["given_name", "surname", "postcode", "date_of_birth", "suburb", "address_1"]],
        comparisons=[cl.JaroWinklerAtThresholds(f, [0.9, 0.7]) for f in ["given_name", "surname", "address_1", "address_2", "suburb"]]
        + [cl.ExactMatch(f) for f in ["street_number", "postcode", "state"]]
        + [cl.LevenshteinAtThresholds("date_of_birth", [1, 2])],
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    try:  # splink 5 registers the tables first; splink 4 takes them with db_api
        linker = Linker([db_api.register(a), db_api.register(b)], settings)
    except (AttributeError, TypeError):
        linker = Linker([a, b], settings, db_api=db_api)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for rule in ["date_of_birth", "postcode"]:
        linker.training.estimate_parameters_using_expectation_maximisation(block_on(rule))
    predictions = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    found = set(zip(predictions["unique_id_l"], predictions["unique_id_r"]))
    report(f"splink {splink_version()} (DuckDB, EM, probability ≥ 0.5)", found, truth, time.perf_counter() - start)


if __name__ == "__main__":
    mode, argument = sys.argv[1], sys.argv[2]
    if mode == "kernel":
        kernel(argument)
    else:
        for peer in (recordlinkage_ecm, splink):
            try:
                peer(argument)
            except Exception as error:  # a peer that cannot run is reported, not fatal
                print(f"{peer.__name__}: could not run ({type(error).__name__}: {error})")
