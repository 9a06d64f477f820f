"""Actual Azure spend: cost exports (FOCUS 1.0 / 1.2, legacy EA/MCA cost details) into the cost store.

One idea per module:
- `schema`: the normalised (FOCUS) schema every source writes, built from Microsoft's column catalogues.
- `formats`: which export a header belongs to, checked against those catalogues.
- `reading`: one CSV / gzip CSV / parquet file as a stream of Arrow batches.
- `convert`: vectorised cell conversions (exact decimals, UTC timestamps, JSON tags, region ids) naming bad cells.
- `normalise` (FOCUS) and `cost_details` (EA/MCA): a batch of export rows to normalised rows.
- `sources.local` / `sources.blob`: finding exports (manifests, partitioned runs) in a folder or a Blob container.
- `store`: the Parquet cost store, its manifest, the atomic writer and the DuckDB / pyarrow readers.
- `load`: `estate cost load` (stage everything, commit once); `summary`: `estate cost summary`; `fx`: FX tables.
"""
